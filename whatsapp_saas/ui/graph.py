"""The one seam between Reflex and the process graph.

``whatsapp_saas.whatsapp_saas`` builds the graph with :func:`whatsapp_saas.bootstrap.bootstrap`
when Reflex imports the app, and keeps it on the ``rx.App`` object with :func:`attach_graph`.
Lifespan tasks receive it as an argument; event handlers and routes that need a part of it
(the media store, the driver's capabilities, …) call :func:`current_graph`. Nothing else in
``ui/`` holds wiring.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import reflex as rx

    from whatsapp_saas.bootstrap import App

GRAPH_ATTRIBUTE = "whatsapp_saas_graph"


def attach_graph(app: rx.App, graph: App) -> None:
    """Keep ``graph`` on the Reflex app (done once, where the app is built)."""
    object.__setattr__(app, GRAPH_ATTRIBUTE, graph)


def graph_of(app: rx.App) -> App:
    graph: App | None = getattr(app, GRAPH_ATTRIBUTE, None)
    if graph is None:
        raise RuntimeError("the Reflex app was built without a process graph (attach_graph)")
    return graph


def current_graph() -> App:
    """The graph of this web process: the one attached to the app Reflex serves."""
    from reflex.utils.prerequisites import get_app

    return graph_of(get_app().app)
