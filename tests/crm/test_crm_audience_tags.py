"""A campaign aimed at a saved segment, and tags on conversations (on PostgreSQL).

A campaign remembers its segment and reads it when it starts, as the person starting it may
see it, without the opted-out;
a personal segment of someone else, or another tenant's, is "not found". Conversation tags
are the tenant's own, put on conversations the viewer may see, and filter the inbox list.
"""

from __future__ import annotations

import pytest
from sqlmodel import col

from tests.crm.conftest import World
from tests.crm.crm_helpers import make_contact, run
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.contacts.service import update_contact
from whatsapp_saas.crm import profile, segments, tags
from whatsapp_saas.crm.filters import ContactFilter
from whatsapp_saas.errors import UserError
from whatsapp_saas.inbox import service as inbox
from whatsapp_saas.inbox.models import Conversation
from whatsapp_saas.scheduling import campaigns
from whatsapp_saas.scheduling.campaign_models import Campaign, CampaignRecipient
from whatsapp_saas.tenancy.scope import NotFound, TenantScope


@pytest.fixture
def silvas(world: World) -> dict[str, int]:
    owner = world.a.owner
    found = {
        "Ana": make_contact(owner, "+5511988880001", "Ana Silva"),
        "Bruno": make_contact(owner, "+5511988880002", "Bruno Silva"),
        "Caio": make_contact(owner, "+5511988880003", "Caio Souza"),
        "Dora": make_contact(owner, "+5511988880004", "Dora Silva"),
    }
    run(owner.tenant_id, lambda s: profile.opt_out(s, actor=owner, contact_id=found["Dora"]))
    return found


def _segment(world: World, *, shared: bool = False) -> int:
    owner = world.a.owner
    return run(
        owner.tenant_id,
        lambda s: int(
            segments.create_segment(
                s, actor=owner, name="Silvas", filters=ContactFilter(search="silva"), shared=shared
            ).id
            or 0
        ),
    )


def _recipients(tenant_id: int, campaign_id: int) -> list[int]:
    def read(scope: TenantScope) -> list[int]:
        rows = scope.all(CampaignRecipient, col(CampaignRecipient.campaign_id) == campaign_id)
        return sorted(r.contact_id for r in rows if r.contact_id is not None)

    return run(tenant_id, read)


def test_a_segment_audience_is_its_members_less_the_opted_out(
    world: World, silvas: dict[str, int]
) -> None:
    owner, segment_id = world.a.owner, _segment(world)

    def draft(scope: TenantScope) -> tuple[int, int]:
        audience = campaigns.segment_audience(scope, actor=owner, segment_id=segment_id)
        made = campaigns.create_campaign(
            scope, name="Silvas", number_id=world.a.number_id, text="Oi!", contact_ids=audience
        )
        return int(made.campaign.id or 0), made.added

    campaign_id, added = run(owner.tenant_id, draft)
    assert added == 2
    assert _recipients(owner.tenant_id, campaign_id) == sorted([silvas["Ana"], silvas["Bruno"]])


def test_a_segment_audience_of_someone_else_or_another_tenant_is_not_found(
    world: World, silvas: dict[str, int]
) -> None:
    personal = _segment(world)
    with pytest.raises(NotFound):  # the agent may not use the owner's personal segment
        run(
            world.a.tenant_id,
            lambda s: campaigns.segment_audience(s, actor=world.a.agent, segment_id=personal),
        )
    with pytest.raises(NotFound):
        run(
            world.b.tenant_id,
            lambda s: campaigns.segment_audience(s, actor=world.b.owner, segment_id=personal),
        )


def _conversation(world: World, contact_id: int) -> int:
    def add(scope: TenantScope) -> int:
        conv = scope.add(
            Conversation(
                tenant_id=scope.tenant_id, number_id=world.a.number_id, contact_id=contact_id
            )
        )
        scope.session.flush()
        return int(conv.id or 0)

    return run(world.a.tenant_id, add)


def test_conversation_tags_are_set_and_filter_the_inbox(
    world: World, silvas: dict[str, int]
) -> None:
    owner = world.a.owner
    tagged, other = _conversation(world, silvas["Ana"]), _conversation(world, silvas["Caio"])
    urgent = run(owner.tenant_id, lambda s: int(tags.create_tag(s, name="Urgent").id or 0))

    names = run(
        owner.tenant_id,
        lambda s: [
            t.name
            for t in tags.set_conversation_tags(
                s, actor=owner, conversation_id=tagged, tag_ids=[urgent]
            )
        ],
    )
    assert names == ["Urgent"]

    def listed(scope: TenantScope) -> list[int]:
        page = inbox.list_conversations(scope, actor=owner, tag_id=urgent)
        return [int(i.conversation.id or 0) for i in page.items]

    assert run(owner.tenant_id, listed) == [tagged]
    assert other not in run(owner.tenant_id, listed)
    run(
        owner.tenant_id,
        lambda s: tags.set_conversation_tags(s, actor=owner, conversation_id=tagged, tag_ids=[]),
    )
    assert run(owner.tenant_id, listed) == []


def test_conversation_tags_refuse_foreign_ids(world: World, silvas: dict[str, int]) -> None:
    owner, beta = world.a.owner, world.b.owner
    conv = _conversation(world, silvas["Ana"])
    beta_tag = run(beta.tenant_id, lambda s: int(tags.create_tag(s, name="Beta tag").id or 0))
    with pytest.raises(NotFound):  # another tenant's tag
        run(
            owner.tenant_id,
            lambda s: tags.set_conversation_tags(
                s, actor=owner, conversation_id=conv, tag_ids=[beta_tag]
            ),
        )
    with pytest.raises(NotFound):  # another tenant's conversation
        run(
            beta.tenant_id,
            lambda s: tags.set_conversation_tags(
                s, actor=beta, conversation_id=conv, tag_ids=[beta_tag]
            ),
        )
    assert run(owner.tenant_id, lambda s: tags.conversation_tags(s, conversation_id=conv)) == []


def test_contact_tags_by_name_go_through_the_tag_tables(
    world: World, silvas: dict[str, int]
) -> None:
    owner, ana = world.a.owner, silvas["Ana"]
    run(owner.tenant_id, lambda s: tags.create_tag(s, name="VIP", color="amber"))
    names = run(
        owner.tenant_id,
        lambda s: [
            t.name
            for t in tags.set_contact_tag_names(
                s, contact_id=ana, names=["vip", " Novo  cliente ", "VIP"]
            )
        ],
    )
    assert names == ["Novo cliente", "VIP"]  # the existing tag reused, a new one made once
    stored = run(owner.tenant_id, lambda s: s.get(Contact, ana).tags)
    assert stored == ["Novo cliente", "VIP"]
    # A rename leaves the tags alone (it no longer writes tag names of its own).
    run(owner.tenant_id, lambda s: update_contact(s, contact_id=ana, name="Ana S."))
    assert run(owner.tenant_id, lambda s: s.get(Contact, ana).tags) == stored


def test_a_segment_campaign_reads_its_members_when_it_starts(
    world: World, silvas: dict[str, int]
) -> None:
    """The draft remembers the segment; a contact who joins it after the draft, before the
    start, gets the campaign; one who left it does not; the opted-out never."""
    owner, segment_id = world.a.owner, _segment(world)

    def draft(scope: TenantScope) -> int:
        made = campaigns.create_campaign(
            scope,
            name="Silvas",
            number_id=world.a.number_id,
            text="Oi!",
            segment_id=segment_id,
            actor=owner,
        )
        assert made.added == 0 and made.campaign.segment_id == segment_id
        return int(made.campaign.id or 0)

    campaign_id = run(owner.tenant_id, draft)
    assert _recipients(owner.tenant_id, campaign_id) == []
    late = make_contact(owner, "+5511988880005", "Eva Silva")
    run(
        owner.tenant_id,
        lambda s: profile.update_profile(
            s, actor=owner, contact_id=silvas["Bruno"], changes={"name": "Bruno Lima"}
        ),
    )
    started = run(
        owner.tenant_id, lambda s: campaigns.start_campaign(s, campaign_id=campaign_id, actor=owner)
    )
    assert started.status == "running" and started.total == 2
    assert _recipients(owner.tenant_id, campaign_id) == sorted([silvas["Ana"], late])


def test_a_segment_campaign_refuses_a_segment_the_viewer_may_not_use(
    world: World, silvas: dict[str, int]
) -> None:
    personal = _segment(world)
    for viewer, number_id in ((world.a.agent, world.a.number_id), (world.b.owner, 0)):
        with pytest.raises(NotFound):
            run(
                viewer.tenant_id,
                lambda s, v=viewer, n=number_id or world.b.number_id: campaigns.create_campaign(
                    s, name="X", number_id=n, text="Oi", segment_id=personal, actor=v
                ),
            )
    assert run(world.b.tenant_id, lambda s: list(campaigns.list_campaigns(s))) == []


def test_a_segment_campaign_with_nobody_in_it_does_not_start(world: World) -> None:
    owner = world.a.owner
    empty = run(
        owner.tenant_id,
        lambda s: int(
            segments.create_segment(
                s, actor=owner, name="Nobody", filters=ContactFilter(search="zzz")
            ).id
            or 0
        ),
    )

    def draft(scope: TenantScope) -> int:
        made = campaigns.create_campaign(
            scope, name="E", number_id=world.a.number_id, text="Oi", segment_id=empty, actor=owner
        )
        return int(made.campaign.id or 0)

    campaign_id = run(owner.tenant_id, draft)
    with pytest.raises(UserError):
        run(
            owner.tenant_id,
            lambda s: campaigns.start_campaign(s, campaign_id=campaign_id, actor=owner),
        )
    status = run(owner.tenant_id, lambda s: s.get(Campaign, campaign_id).status)
    assert status == "draft"
