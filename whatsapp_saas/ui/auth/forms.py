"""Hidden forms that hand the browser to the session routes (a real top-level POST).

A websocket handler cannot set or clear an HttpOnly cookie, so after checking a password it
asks the page to submit one of these forms; the route answers with ``Set-Cookie`` and a 303.
``form.submit()`` skips the React submit handler, so the browser really navigates.
"""

from __future__ import annotations

import json

import reflex as rx

from whatsapp_saas.ui.media_urls import backend_url

SESSION_FORM_ID = "wa-session"
SIGN_OUT_FORM_ID = "wa-sign-out"


def hidden_post_form(form_id: str, path: str, *fields: str) -> rx.Component:
    return rx.el.form(
        *[rx.el.input(type="hidden", name=name, value="") for name in fields],
        id=form_id,
        action=backend_url(path),
        method="post",
        style={"display": "none"},
    )


def session_form() -> rx.Component:
    return hidden_post_form(SESSION_FORM_ID, "/auth/session", "code")


def sign_out_form() -> rx.Component:
    return hidden_post_form(SIGN_OUT_FORM_ID, "/auth/sign-out")


def submit_form_script(form_id: str, **values: str) -> str:
    """JavaScript that fills and submits a hidden form; falls back to the sign-in page."""
    fill = "".join(
        f"f.elements[{json.dumps(name)}].value={json.dumps(value)};"
        for name, value in values.items()
    )
    return (
        f"(()=>{{const f=document.getElementById({json.dumps(form_id)});"
        f"if(!f){{window.location.assign('/login');return;}}{fill}"
        f"{_BACKEND_HOST_FIX}f.submit();}})()"
    )


# The action was rendered ahead of time with the backend's configured host ("localhost"); point
# it where this page really talks to the backend, as Reflex's getBackendURL does for the socket.
# Otherwise the cookie would be set for another host than the page's.
_BACKEND_HOST_FIX = (
    "const u=new URL(f.getAttribute('action'),window.location.href);"
    "if(['localhost','0.0.0.0'].includes(u.hostname)){u.hostname=window.location.hostname;"
    "if(window.location.protocol==='https:'){u.protocol='https:';u.port='';}}"
    "f.action=u.href;"
)
