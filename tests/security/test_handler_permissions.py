"""Issue 9 item 6: every browser-callable name on a state is a declared handler.

Any public callable on a Reflex state is callable from the browser, ``@rx.event`` or not. So
each one must be listed in ``whatsapp_saas.ui.handler_permissions`` with the least permission
it requires; helpers must be ``_``-prefixed. A new handler without an entry fails here.
"""

from __future__ import annotations

from tests.security.handlers import Handler, app_handlers
from whatsapp_saas.ui.handler_permissions import (
    FRAMEWORK_HANDLERS,
    HANDLER_PERMISSIONS,
    PERMISSIONS,
    permission_of,
)

# Public helpers that are not handlers. Empty: every helper on a state is `_`-prefixed (issue 9
# item 6); an entry here would be a hole the browser can call.
KNOWN_HELPERS: set[str] = set()


def _undeclared(handlers: list[Handler]) -> list[str]:
    return sorted(h.key for h in handlers if permission_of(h.state_path, h.name) is None)


def test_the_app_has_handlers_to_check() -> None:
    names = {h.key for h in app_handlers()}
    assert "whatsapp_saas.ui.auth.state.AuthFormState.sign_in" in names
    assert "whatsapp_saas.ui.inbox.state.InboxState.select" in names


def test_every_handler_outside_the_known_helpers_is_declared() -> None:
    """Passes today; fails the day someone adds a public method without a declaration."""
    undeclared = [k for k in _undeclared(app_handlers()) if k not in KNOWN_HELPERS]
    assert not undeclared, (
        "callable from the browser but not declared in whatsapp_saas/ui/handler_permissions.py "
        f"(declare it with its permission, or `_`-prefix it if it is a helper): {undeclared}"
    )


def test_no_public_helpers_on_states() -> None:
    """After the rename, no state has a public callable missing from the declared list."""
    assert not _undeclared(app_handlers())


def test_declarations_name_real_handlers_with_known_permissions() -> None:
    """A stale entry (a renamed or removed handler) would hide a new one with the same name."""
    real = {h.key for h in app_handlers()}
    stale = sorted(set(HANDLER_PERMISSIONS) - real)
    assert not stale, f"declared but not a handler any more: {stale}"
    assert set(HANDLER_PERMISSIONS.values()) <= set(PERMISSIONS)
    assert set(FRAMEWORK_HANDLERS.values()) <= set(PERMISSIONS)
    assert not set(HANDLER_PERMISSIONS) & KNOWN_HELPERS, "a helper must not be declared"
