"""Search, filters and segments on PostgreSQL (the contact list, campaigns, automations)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.crm.conftest import World
from tests.crm.crm_helpers import make_contact, run
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.crm import fields, listing, profile, segments, tags
from whatsapp_saas.crm.filters import ContactFilter
from whatsapp_saas.crm.models import Visibility
from whatsapp_saas.crm.visibility import set_agent_visibility
from whatsapp_saas.inbox.models import Conversation, ConversationStatus
from whatsapp_saas.tenancy.scope import NotFound


def _names(viewer, flt: ContactFilter, **kw) -> list[str]:  # type: ignore[no-untyped-def]
    page = run(viewer.tenant_id, lambda s: listing.contact_page(s, actor=viewer, flt=flt, **kw))
    return [r.contact.display_name for r in page.rows]


@pytest.fixture
def people(world: World) -> dict[str, int]:
    owner = world.a.owner
    run(
        owner.tenant_id,
        lambda s: fields.create_definition(
            s, entity="contact", key="city", label="City", type="text"
        ),
    )
    found = {
        "José": make_contact(
            owner,
            "(11) 98888-7777",
            "José da Silva",
            email="jose@acme.io",
            fields={"city": "Ribeirão Preto"},
        ),
        "Ana": make_contact(owner, "+55 21 99999-0000", "Ana Souza", company="Padaria Pão Quente"),
        "Bia": make_contact(owner, "5531988880000", "Bia Lima"),
    }
    make_contact(world.b.owner, "+5511988887777", "José of Beta")
    return found


def test_search_by_each_part_folding_accents(world: World, people: dict[str, int]) -> None:
    owner = world.a.owner
    for text, who in [
        ("jose", "José da Silva"),
        ("JOSÉ", "José da Silva"),
        ("acme.io", "José da Silva"),
        ("ribeirao", "José da Silva"),
        ("pao quente", "Ana Souza"),
        ("988887777", "José da Silva"),
        ("(11) 98888-7777", "José da Silva"),
        ("011 98888 7777", "José da Silva"),
        ("+55 31 98888 0000", "Bia Lima"),
    ]:
        assert _names(owner, ContactFilter(search=text)) == [who], text


def test_filters_combine_and_sort(world: World, people: dict[str, int]) -> None:
    owner = world.a.owner

    def setup(scope):  # type: ignore[no-untyped-def]
        vip = tags.create_tag(scope, name="VIP", color="amber")
        tags.tag_contacts(scope, tag_id=vip.id, contact_ids=[people["José"], people["Ana"]])
        scope.add(
            Conversation(
                tenant_id=scope.tenant_id,
                number_id=world.a.number_id,
                contact_id=people["Ana"],
                status=ConversationStatus.OPEN.value,
                last_message_at=datetime(2026, 11, 20, 15, tzinfo=UTC),
            )
        )
        profile.opt_out(scope, actor=owner, contact_id=people["Bia"])
        return vip.id

    vip = run(owner.tenant_id, setup)
    assert _names(owner, ContactFilter(tag_ids=[vip])) == ["Ana Souza", "José da Silva"]
    assert _names(owner, ContactFilter(tag_ids=[vip]), descending=True) == [
        "José da Silva",
        "Ana Souza",
    ]
    assert _names(owner, ContactFilter(tag_ids=[vip], open_conversation="yes")) == ["Ana Souza"]
    assert _names(owner, ContactFilter(open_conversation="no")) == ["Bia Lima", "José da Silva"]
    assert _names(owner, ContactFilter(number_id=world.a.number_id)) == ["Ana Souza"]
    assert _names(owner, ContactFilter(opted_out="yes")) == ["Bia Lima"]
    assert _names(
        owner, ContactFilter(last_contact_from="2026-11-20", last_contact_to="2026-11-20")
    ) == ["Ana Souza"]
    assert _names(owner, ContactFilter(last_contact_from="2026-11-21")) == []
    assert _names(owner, ContactFilter(fields={"city": "Ribeirão Preto"})) == ["José da Silva"]
    assert _names(owner, ContactFilter(owner="me")) == ["Ana Souza", "Bia Lima", "José da Silva"]
    today = datetime.now(UTC).date().isoformat()
    assert len(_names(owner, ContactFilter(created_from=today, created_to=today))) == 3


def test_segments_personal_shared_and_their_members(world: World, people: dict[str, int]) -> None:
    owner, agent = world.a.owner, world.a.agent
    run(owner.tenant_id, lambda s: set_agent_visibility(s, actor=owner, value=Visibility.ALL.value))
    mine = run(
        owner.tenant_id,
        lambda s: (
            segments.create_segment(
                s, actor=owner, name="Cariocas", filters=ContactFilter(search="+5521")
            ).id
        ),
    )
    shared = run(
        owner.tenant_id,
        lambda s: (
            segments.create_segment(
                s, actor=owner, name="Josés", filters=ContactFilter(search="jose"), shared=True
            ).id
        ),
    )
    assert run(
        owner.tenant_id, lambda s: segments.contact_ids(s, actor=owner, segment_id=mine)
    ) == [people["Ana"]]
    assert run(
        owner.tenant_id,
        lambda s: segments.is_member(s, actor=owner, segment_id=shared, contact_id=people["José"]),
    )
    names = [s.name for s in run(owner.tenant_id, lambda s: segments.list_segments(s, actor=agent))]
    assert names == ["Josés"]
    with pytest.raises(NotFound):
        run(owner.tenant_id, lambda s: segments.contact_ids(s, actor=agent, segment_id=mine))
    # A segment plus more filters: AND.
    assert _names(owner, ContactFilter(segment_id=shared, search="ana")) == []
    with pytest.raises(NotFound):  # another tenant's segment id is no segment
        run(
            world.b.tenant_id,
            lambda s: segments.contact_ids(s, actor=world.b.owner, segment_id=shared),
        )


def test_agents_see_what_the_tenant_allows(world: World, people: dict[str, int]) -> None:
    owner, agent, other = world.a.owner, world.a.agent, world.a.other_agent

    def setup(scope):  # type: ignore[no-untyped-def]
        # Ana talks to the other agent; Bia (owned by the agent) to the owner; José to nobody.
        scope.add(
            Conversation(
                tenant_id=scope.tenant_id,
                number_id=world.a.number_id,
                contact_id=people["Ana"],
                assignee_id=other.user_id,
            )
        )
        scope.add(
            Conversation(
                tenant_id=scope.tenant_id,
                number_id=world.a.number_id,
                contact_id=people["Bia"],
                assignee_id=owner.user_id,
            )
        )
        contact = scope.get(Contact, people["Bia"])
        contact.owner_user_id = agent.user_id
        scope.session.add(contact)

    run(owner.tenant_id, setup)
    assert _names(agent, ContactFilter()) == ["Bia Lima", "José da Silva"]
    assert _names(other, ContactFilter()) == ["Ana Souza", "José da Silva"]
    with pytest.raises(NotFound):
        run(
            owner.tenant_id,
            lambda s: profile.update_profile(
                s, actor=agent, contact_id=people["Ana"], changes={"name": "x"}
            ),
        )
    run(owner.tenant_id, lambda s: set_agent_visibility(s, actor=owner, value=Visibility.ALL.value))
    assert len(_names(agent, ContactFilter())) == 3


def test_another_tenants_contact_is_not_found(world: World, people: dict[str, int]) -> None:
    beta = world.b.owner
    with pytest.raises(NotFound):
        run(
            beta.tenant_id,
            lambda s: profile.update_profile(
                s, actor=beta, contact_id=people["Ana"], changes={"name": "x"}
            ),
        )
    with pytest.raises(NotFound):
        run(
            world.a.tenant_id,
            lambda s: profile.update_profile(
                s, actor=beta, contact_id=people["Ana"], changes={"name": "x"}
            ),
        )
    assert _names(beta, ContactFilter(search="jose")) == ["José of Beta"]
