"""The "Add to campaign" bulk action: a selection at once, a whole filter as a job; no
contact twice, the opted-out skipped and counted; managers only, open campaigns only, and
never another tenant's campaign."""

from __future__ import annotations

import pytest
from sqlmodel import col

from tests.crm.conftest import TenantWorld, World
from tests.crm.crm_helpers import make_contact, run
from whatsapp_saas.accounts.models import Role, User
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.crm import bulk, jobs
from whatsapp_saas.crm.filters import ContactFilter
from whatsapp_saas.crm.models import AuditEntry, Job, JobStatus
from whatsapp_saas.errors import PermissionDenied, UserError
from whatsapp_saas.scheduling.campaign_models import Campaign, CampaignRecipient, CampaignStatus
from whatsapp_saas.scheduling.campaigns import cancel_campaign
from whatsapp_saas.scheduling.optout import record_opt_out
from whatsapp_saas.tenancy.scope import NotFound, TenantScope


def _people(world: World, count: int, start: int = 0) -> list[int]:
    return [
        make_contact(world.a.owner, f"+55119{i:08d}", f"Pessoa {i}")
        for i in range(start, start + count)
    ]


def _campaign(side: TenantWorld, status: CampaignStatus = CampaignStatus.DRAFT) -> int:
    def work(scope: TenantScope) -> int:
        campaign = Campaign(
            tenant_id=scope.tenant_id,
            name="Promo",
            number_id=side.number_id,
            text="Oi {name}",
            status=status.value,
        )
        scope.add(campaign)
        scope.session.flush()
        assert campaign.id is not None
        return campaign.id

    return run(side.tenant_id, work)


def _recipients(tenant_id: int, campaign_id: int) -> list[int]:
    rows = run(
        tenant_id,
        lambda s: s.all(CampaignRecipient, col(CampaignRecipient.campaign_id) == campaign_id),
    )
    return sorted(r.contact_id for r in rows if r.contact_id is not None)


def _total(tenant_id: int, campaign_id: int) -> int:
    return run(tenant_id, lambda s: s.get(Campaign, campaign_id).total)


def _add(
    side: TenantWorld, campaign_id: int, ids: list[int], actor: CurrentUser | None = None
) -> dict[str, int]:
    who = actor or side.owner
    counts: dict[str, int] = {}
    run(
        side.tenant_id,
        lambda s: bulk.on_selection(
            s,
            actor=who,
            action="campaign",
            args={"campaign_id": str(campaign_id)},
            contact_ids=ids,
            counts=counts,
        ),
    )
    return counts


def test_a_selection_becomes_the_campaigns_recipients(world: World) -> None:
    ids = _people(world, 3)
    campaign_id = _campaign(world.a)
    counts = _add(world.a, campaign_id, ids)
    assert counts == {"added": 3, "opted_out": 0, "already": 0}
    assert _recipients(world.a.tenant_id, campaign_id) == sorted(ids)
    assert _total(world.a.tenant_id, campaign_id) == 3
    audit = run(
        world.a.tenant_id,
        lambda s: s.first(AuditEntry, col(AuditEntry.action) == "bulk_campaign"),
    )
    assert audit is not None and audit.detail["campaign_id"] == campaign_id
    assert audit.detail["added"] == 3


def test_duplicates_and_opted_out_contacts_are_skipped_and_counted(world: World) -> None:
    ids = _people(world, 4)
    campaign_id = _campaign(world.a, CampaignStatus.PAUSED)  # a paused one takes them too
    assert _add(world.a, campaign_id, ids[:2])["added"] == 2
    run(world.a.tenant_id, lambda s: record_opt_out(s, contact_id=ids[3], source="manual"))
    counts = _add(world.a, campaign_id, [*ids, ids[2]])  # one picked twice, two already in
    assert counts == {"added": 1, "opted_out": 1, "already": 2}
    assert _recipients(world.a.tenant_id, campaign_id) == sorted(ids[:3])
    assert _total(world.a.tenant_id, campaign_id) == 3


def test_a_whole_filter_is_added_by_a_job(world: World) -> None:
    owner = world.a.owner
    ids = _people(world, 25)
    other = make_contact(owner, "+5511977776666", "Zé Fora")  # outside the filter
    campaign_id = _campaign(world.a)
    _add(world.a, campaign_id, ids[:5])  # already in
    run(world.a.tenant_id, lambda s: record_opt_out(s, contact_id=ids[7], source="manual"))
    job_id = run(
        owner.tenant_id,
        lambda s: (
            bulk.start_on_filter(
                s,
                actor=owner,
                action="campaign",
                args={"campaign_id": campaign_id},
                flt=ContactFilter(search="pessoa"),
            ).id
        ),
    )
    jobs.run_pending("test", limit=6)  # several chunks
    job = run(owner.tenant_id, lambda s: s.get(Job, job_id))
    assert (job.status, job.processed) == (JobStatus.DONE.value, 25)
    assert job.counts == {"added": 19, "opted_out": 1, "already": 5}
    assert _recipients(world.a.tenant_id, campaign_id) == sorted(i for i in ids if i != ids[7])
    assert other not in _recipients(world.a.tenant_id, campaign_id)
    assert _total(world.a.tenant_id, campaign_id) == 24


def test_a_job_stops_when_the_campaign_closes_midway(world: World) -> None:
    owner = world.a.owner
    _people(world, 10)
    campaign_id = _campaign(world.a)
    job_id = run(
        owner.tenant_id,
        lambda s: (
            bulk.start_on_filter(
                s,
                actor=owner,
                action="campaign",
                args={"campaign_id": campaign_id},
                flt=ContactFilter(),
            ).id
        ),
    )
    run(owner.tenant_id, lambda s: cancel_campaign(s, campaign_id=campaign_id))
    jobs.run_pending("test", limit=4)
    job = run(owner.tenant_id, lambda s: s.get(Job, job_id))
    assert (job.status, job.error) == (JobStatus.FAILED.value, bulk.CAMPAIGN_CLOSED)
    assert _recipients(world.a.tenant_id, campaign_id) == []


@pytest.mark.parametrize(
    "status", [CampaignStatus.RUNNING, CampaignStatus.DONE, CampaignStatus.CANCELLED]
)
def test_a_running_finished_or_cancelled_campaign_is_refused(
    world: World, status: CampaignStatus
) -> None:
    ids = _people(world, 2)
    campaign_id = _campaign(world.a, status)
    with pytest.raises(UserError) as refused:
        _add(world.a, campaign_id, ids)
    assert refused.value.code == "error.sched_campaign_closed"
    with pytest.raises(UserError):
        run(
            world.a.tenant_id,
            lambda s: bulk.start_on_filter(
                s,
                actor=world.a.owner,
                action="campaign",
                args={"campaign_id": campaign_id},
                flt=ContactFilter(),
            ),
        )
    assert _recipients(world.a.tenant_id, campaign_id) == []
    assert run(world.a.tenant_id, lambda s: s.count(Job)) == 0


def test_an_agent_is_refused_and_nothing_changes(world: World) -> None:
    ids = _people(world, 2)
    campaign_id = _campaign(world.a)
    with pytest.raises(PermissionDenied):
        _add(world.a, campaign_id, ids, actor=world.a.agent)
    with pytest.raises(PermissionDenied):
        run(
            world.a.tenant_id,
            lambda s: bulk.start_on_filter(
                s,
                actor=world.a.agent,
                action="campaign",
                args={"campaign_id": campaign_id},
                flt=ContactFilter(),
            ),
        )
    assert _recipients(world.a.tenant_id, campaign_id) == []
    assert _total(world.a.tenant_id, campaign_id) == 0
    assert run(world.a.tenant_id, lambda s: s.count(Job)) == 0


def test_an_agent_demoted_job_adds_nothing(world: World) -> None:
    """A job runs with its creator's role of now: a manager's job made by someone who is an
    agent by the time it runs does nothing."""
    owner = world.a.owner
    _people(world, 3)
    campaign_id = _campaign(world.a)
    job_id = run(
        owner.tenant_id,
        lambda s: (
            bulk.start_on_filter(
                s,
                actor=owner,
                action="campaign",
                args={"campaign_id": campaign_id},
                flt=ContactFilter(),
            ).id
        ),
    )

    def demote(scope: TenantScope) -> None:
        user = scope.get(User, owner.user_id)
        user.role = Role.AGENT.value
        scope.add(user)

    run(owner.tenant_id, demote)
    jobs.run_pending("test")
    assert run(owner.tenant_id, lambda s: s.get(Job, job_id).processed) == 0
    assert _recipients(world.a.tenant_id, campaign_id) == []


def test_another_tenants_campaign_is_refused_and_nothing_changes(world: World) -> None:
    ids = _people(world, 2)
    foreign = _campaign(world.b)
    with pytest.raises(NotFound):
        _add(world.a, foreign, ids)
    with pytest.raises(NotFound):
        run(
            world.a.tenant_id,
            lambda s: bulk.start_on_filter(
                s,
                actor=world.a.owner,
                action="campaign",
                args={"campaign_id": foreign},
                flt=ContactFilter(),
            ),
        )
    assert _recipients(world.b.tenant_id, foreign) == []
    assert _total(world.b.tenant_id, foreign) == 0
    assert run(world.a.tenant_id, lambda s: s.count(Job)) == 0
    # Beta's manager on Acme's contact ids: those are not Beta's, so nothing joins.
    own = _campaign(world.b)
    assert _add(world.b, own, ids) == {}
    assert _recipients(world.b.tenant_id, own) == []
