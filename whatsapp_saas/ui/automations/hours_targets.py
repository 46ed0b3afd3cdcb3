"""Rows for the Business hours tab's "Hours for" selector: the company, each number, each
department, and the form of the one chosen (plain dicts of strings, read through services)."""

from __future__ import annotations

from whatsapp_saas.automations.hours import DEPARTMENT, NUMBER
from whatsapp_saas.automations.settings import HoursFor, override_for
from whatsapp_saas.inbox.departments import list_departments
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.automations import view
from whatsapp_saas.whatsapp.models import WhatsAppNumber


def target_options(scope: TenantScope) -> list[dict[str, str]]:
    """Each choice as {"id", "kind", "name"}; the page words the label in its language."""
    numbers = scope.all(WhatsAppNumber)
    departments = list_departments(scope)
    rows = [{"id": "company", "kind": "company", "name": ""}]
    rows += [
        {"id": f"{NUMBER}:{n.id}", "kind": NUMBER, "name": n.name}
        for n in sorted(numbers, key=lambda n: (n.name.lower(), n.id or 0))
    ]
    rows += [
        {"id": f"{DEPARTMENT}:{d.id}", "kind": DEPARTMENT, "name": d.name} for d in departments
    ]
    return rows


def target_form(scope: TenantScope, target: HoursFor) -> tuple[dict[str, str], bool]:
    """The form for ``target`` and whether it uses the company's hours (then the form shows
    the company's, so that editing starts from them). Another tenant's id: NotFound."""
    form = view.hours_form(scope)
    override = override_for(scope, target=target)
    if override is None:
        return form, target.owner_id is not None
    form["timezone"] = override.timezone
    form["holidays"] = "\n".join(override.holidays)
    for day in range(7):
        pair = override.weekly_hours.get(str(day)) or ["", ""]
        form[f"open_{day}"], form[f"close_{day}"] = pair[0], pair[1]
    return form, False
