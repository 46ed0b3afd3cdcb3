"""Errors a user can be shown.

``code`` is a key in the i18n catalogue and ``params`` fill its placeholders, so the UI shows
the message in the user's language while logs and tests see a stable code.
"""

from __future__ import annotations


class UserError(Exception):
    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code if not params else f"{code} {params}")
        self.code = code
        self.params = params


class PermissionDenied(UserError):
    def __init__(self, code: str = "error.permission_denied", **params: object) -> None:
        super().__init__(code, **params)
