"""Running a change as the signed-in user, with refusals turned into translated messages.

Every page's handlers go through :func:`act`: it re-resolves the session (so a revoked one
stops working at once), scopes the work to the user's tenant, runs it in one unit of work off
the event loop, and maps the errors a person can be shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.errors import PermissionDenied, UserError
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.base_state import AppState
from whatsapp_saas.ui.db import in_session

T = TypeVar("T")


@dataclass
class Outcome(Generic[T]):
    ok: bool
    value: T | None = None
    error: str = ""
    code: str = ""  # the UserError's i18n key, so a form can show it next to its field


async def act(
    state: AppState,
    work: Callable[[TenantScope, CurrentUser], T],
    *,
    managers_only: bool = False,
) -> Outcome[T]:
    """Run ``work`` in one unit of work as the signed-in user; errors come back translated."""
    user = await state._current_user()
    if user is None:
        state._forget()
        return Outcome(False, error=state._tr("auth.session_ended"))
    try:
        if managers_only and not user.is_manager:
            raise PermissionDenied()
        value = await in_session(lambda s: work(TenantScope(s, user.tenant_id), user))
    except UserError as err:
        return Outcome(False, error=state._error_text(err), code=err.code)
    except LookupError:  # NotFound, MediaNotFound: another tenant's id looks like no id
        return Outcome(False, error=state._tr("error.not_found"))
    return Outcome(True, value)
