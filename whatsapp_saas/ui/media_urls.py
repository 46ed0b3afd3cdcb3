"""Links from pages to the extra HTTP routes (``/media/{id}``, voice uploads).

``reflex run`` in dev serves pages from one port (vite) and the backend, with our routes, from
another; a relative ``/media/1`` would ask vite and get a 404. Reflex's own runtime knows the
backend's address (``getBackendURL``), so the URL is completed in the browser. In prod both
share one origin and this yields the same origin.
"""

from __future__ import annotations

from reflex.constants import Dirs
from reflex.utils.imports import ImportVar
from reflex.vars.base import Var, VarData

BACKEND_ORIGIN: Var[str] = Var(
    _js_expr="getBackendURL(env.PING).origin",
    _var_data=VarData(
        imports={
            f"$/{Dirs.STATE_PATH}": "getBackendURL",
            "$/env.json": ImportVar(tag="env", is_default=True),
        }
    ),
).to(str)


def backend_url(path: Var[str] | str) -> Var[str]:
    """``path`` (e.g. ``"/media/12"``) on the backend's origin, for src and href attributes."""
    return BACKEND_ORIGIN + path  # type: ignore[operator,return-value]


def media_src(message_id: Var[str] | str, *, download: bool = False) -> Var[str]:
    suffix = "?download=1" if download else ""
    return BACKEND_ORIGIN + "/media/" + message_id + suffix  # type: ignore[operator,return-value]
