"""Bulk actions on contacts: on a selection at once, or over a whole filter as a job.

The whole-filter job walks the matching contacts by id (``cursor`` = the last id done), one
committed chunk at a time, so a resumed job starts after the last committed chunk. It runs
with the permissions its creator has *now* (a demoted manager's job stops deleting).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from whatsapp_saas.accounts.models import User
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.contacts.events import ContactUpdated
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.crm import tags as tag_svc
from whatsapp_saas.crm.fields import validate_values
from whatsapp_saas.crm.filters import ContactFilter
from whatsapp_saas.crm.models import AuditEntry, FieldEntity, Job, JobKind
from whatsapp_saas.crm.profile import touch
from whatsapp_saas.crm.query import count_matching, matching_ids
from whatsapp_saas.crm.timeline import record_change
from whatsapp_saas.crm.visibility import visible_ids
from whatsapp_saas.db import announce_after_commit
from whatsapp_saas.errors import PermissionDenied, UserError
from whatsapp_saas.inbox.access import check_viewer
from whatsapp_saas.scheduling import campaigns
from whatsapp_saas.tenancy.scope import TenantScope

ACTIONS = ("tag", "untag", "owner", "field", "campaign", "delete")
MANAGER_ACTIONS = {"delete", "campaign"}  # campaigns are managers' work, as on their page
SELECTION_MAX = 500
CAMPAIGN_CLOSED = "crm.error_campaign_closed_midway"  # a job's error: shown translated
CONTACTS: sa.Table = Contact.__table__  # type: ignore[attr-defined]


def check_action(
    scope: TenantScope, *, actor: CurrentUser, action: str, args: Mapping[str, Any]
) -> dict[str, Any]:
    """The action's arguments, checked once before any contact is touched."""
    check_viewer(scope, actor=actor)
    if action not in ACTIONS:
        raise UserError("crm.error_bulk_action")
    if action in MANAGER_ACTIONS and not actor.is_manager:
        raise PermissionDenied()
    if action in ("tag", "untag"):
        tag_id = str(args.get("tag_id", ""))
        if not tag_id.isdigit():
            raise UserError("crm.error_choose_tag")
        from whatsapp_saas.crm.models import Tag

        scope.get(Tag, int(tag_id))
        return {"tag_id": int(tag_id)}
    if action == "owner":
        owner = str(args.get("owner_user_id") or "")
        if owner and (not owner.isdigit() or scope.first(User, col(User.id) == int(owner)) is None):
            raise UserError("crm.error_owner_unknown")
        return {"owner_user_id": int(owner) if owner else None}
    if action == "field":
        key = str(args.get("key", ""))
        cleaned = validate_values(
            scope, entity=FieldEntity.CONTACT.value, values={key: args.get("value")}
        )
        return {"key": key, "value": cleaned[key]}
    if action == "campaign":
        campaign_id = str(args.get("campaign_id", ""))
        if not campaign_id.isdigit():
            raise UserError("crm.error_choose_campaign")
        campaigns.open_campaign(scope, campaign_id=int(campaign_id))  # NotFound if foreign
        return {"campaign_id": int(campaign_id)}
    return {}


def apply(
    scope: TenantScope,
    *,
    actor: CurrentUser,
    action: str,
    args: Mapping[str, Any],
    contact_ids: Sequence[int],
    counts: dict[str, int] | None = None,
) -> int:
    """Do ``action`` (already checked) to those of ``contact_ids`` the viewer may see;
    ``counts`` adds up what an action reports beyond that (the campaign's added/skipped)."""
    ids = visible_ids(scope, actor=actor, contact_ids=list(contact_ids))
    if not ids:
        return 0
    if action == "campaign":
        result = campaigns.add_open_contacts(
            scope, campaign_id=args["campaign_id"], contact_ids=ids
        )
        if counts is not None:
            for key, value in (
                ("added", result.added),
                ("opted_out", result.opted_out),
                ("already", result.already),
            ):
                counts[key] = counts.get(key, 0) + value
        return len(ids)
    if action == "tag":
        tag_svc.tag_contacts(scope, tag_id=args["tag_id"], contact_ids=ids)
    elif action == "untag":
        tag_svc.untag_contacts(scope, tag_id=args["tag_id"], contact_ids=ids)
    elif action == "delete":
        scope.session.execute(
            sa.delete(CONTACTS).where(
                CONTACTS.c.tenant_id == scope.tenant_id, CONTACTS.c.id.in_(ids)
            )
        )
        return len(ids)
    else:
        _set_each(scope, actor, action, args, ids)
    announce_after_commit(scope.session, *(ContactUpdated(scope.tenant_id, i) for i in ids))
    return len(ids)


def _set_each(
    scope: TenantScope, actor: CurrentUser, action: str, args: Mapping[str, Any], ids: list[int]
) -> None:
    for contact in scope.all(Contact, col(Contact.id).in_(ids)):
        assert contact.id is not None
        if action == "owner":
            if contact.owner_user_id != args["owner_user_id"]:
                record_change(
                    scope,
                    contact_id=contact.id,
                    user_id=actor.user_id,
                    field="owner_user_id",
                    old=contact.owner_user_id,
                    new=args["owner_user_id"],
                )
                contact.owner_user_id = args["owner_user_id"]
        else:
            key, value = args["key"], args["value"]
            fields = dict(contact.custom_fields or {})
            if fields.get(key) == value:
                continue
            record_change(
                scope,
                contact_id=contact.id,
                user_id=actor.user_id,
                field=f"field:{key}",
                old=fields.get(key),
                new=value,
            )
            if value is None:
                fields.pop(key, None)
            else:
                fields[key] = value
            contact.custom_fields = fields
        touch(contact)
        scope.session.add(contact)


def on_selection(
    scope: TenantScope,
    *,
    actor: CurrentUser,
    action: str,
    args: Mapping[str, Any],
    contact_ids: Sequence[int],
    counts: dict[str, int] | None = None,
) -> int:
    """The action on these contacts at once; how many the viewer may see were done (an
    action's own tallies, like a campaign's added and skipped, go into ``counts``)."""
    if len(contact_ids) > SELECTION_MAX:
        raise UserError("crm.error_selection_too_big", limit=SELECTION_MAX)
    checked = check_action(scope, actor=actor, action=action, args=args)
    tally: dict[str, int] = {}
    done = apply(
        scope, actor=actor, action=action, args=checked, contact_ids=contact_ids, counts=tally
    )
    if counts is not None:
        counts.update(tally)
    extra = checked if action == "campaign" else {}
    _audit(scope, actor, action, {"contacts": done, "selection": True, **extra, **tally})
    return done


def start_on_filter(
    scope: TenantScope,
    *,
    actor: CurrentUser,
    action: str,
    args: Mapping[str, Any],
    flt: ContactFilter,
) -> Job:
    """Queue ``action`` over every contact matching ``flt`` (counted now for the bar)."""
    checked = check_action(scope, actor=actor, action=action, args=args)
    total = count_matching(scope, actor=actor, flt=flt)
    job = Job(
        tenant_id=scope.tenant_id,
        kind=JobKind.BULK.value,
        total=total,
        created_by_user_id=actor.user_id,
        params={
            "action": action,
            "args": checked,
            "filter": flt.as_dict(),
            "user_id": actor.user_id,
        },
    )
    scope.add(job)
    scope.session.flush()
    extra = checked if action == "campaign" else {}
    _audit(
        scope,
        actor,
        action,
        {"job_id": job.id, "contacts": total, "filter": flt.as_dict(), **extra},
    )
    return job


def run_chunk(scope: TenantScope, job: Job, limit: int) -> bool:
    viewer = _creator(scope, job.params.get("user_id"))
    if viewer is None:
        return True  # its creator is gone: nothing more is done on their behalf
    flt = ContactFilter.from_dict(job.params.get("filter"))
    ids = matching_ids(scope, actor=viewer, flt=flt, after_id=job.cursor, limit=limit)
    action, args = job.params["action"], job.params.get("args", {})
    if action in MANAGER_ACTIONS and not viewer.is_manager:
        return True
    if action == "campaign":
        try:  # started, finished or cancelled since: the job stops, saying so
            campaigns.open_campaign(scope, campaign_id=args["campaign_id"])
        except UserError:
            job.error = CAMPAIGN_CLOSED
            return True
    if ids:
        tally = dict(job.counts or {})
        apply(scope, actor=viewer, action=action, args=args, contact_ids=ids, counts=tally)
        job.counts = tally  # a new dict: the JSON column is saved with the chunk
        job.cursor = ids[-1]
        job.processed += len(ids)
    job.total = max(job.total, job.processed)
    return len(ids) < limit


def _creator(scope: TenantScope, user_id: Any) -> CurrentUser | None:
    user = scope.first(User, col(User.id) == user_id, col(User.is_active))
    if user is None or user.id is None:
        return None
    return CurrentUser(
        user.id, scope.tenant_id, "", user.name, user.email, user.role, user.language, user.timezone
    )


def _audit(scope: TenantScope, actor: CurrentUser, action: str, detail: dict[str, Any]) -> None:
    scope.add(
        AuditEntry(
            tenant_id=scope.tenant_id,
            user_id=actor.user_id,
            action=f"bulk_{action}",
            detail=detail,
        )
    )
