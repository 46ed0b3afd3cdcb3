"""The service functions' calling convention, checked over the source (docs/architecture.md):
everything after the scope is passed by keyword, and the acting user is always ``actor``."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "whatsapp_saas"
SCOPE_NAMES = ("scope", "session")
# Callbacks their callers invoke positionally, typed as a Callable by that caller: a spine
# subscriber's handler, a job kind's chunk runner, a rule action, a scheduler pass.
POSITIONAL_CALLBACKS = frozenset(
    {
        "crm/importer.py:run_chunk",
        "crm/bulk.py:run_chunk",
        "scheduling/merge_effects.py:handle",
        "scheduling/handlers.py:handle",
        "automations/effects.py:send_message",
        "automations/engine.py:run_job",
        "automations/engine.py:scheduler_pass",
    }
)

Function = ast.FunctionDef | ast.AsyncFunctionDef


def domain_functions() -> Iterator[tuple[str, Function]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith("ui/"):
            continue
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, Function) and not node.name.startswith("_"):
                yield f"{rel}:{node.name}", node


def positional_after_scope(node: Function) -> list[str]:
    args = [a.arg for a in node.args.posonlyargs + node.args.args]
    if not args or args[0] not in SCOPE_NAMES or node.args.vararg is not None:
        return []
    return args[1:]


def test_public_service_functions_take_keywords_after_the_scope() -> None:
    offenders = [
        f"{where}({', '.join(extra)})"
        for where, node in domain_functions()
        if (extra := positional_after_scope(node)) and where not in POSITIONAL_CALLBACKS
    ]
    assert offenders == [], "make these keyword-only after the scope: " + "; ".join(offenders)


def test_the_callback_exceptions_are_still_there() -> None:
    kept = {where for where, node in domain_functions() if positional_after_scope(node)}
    assert kept >= POSITIONAL_CALLBACKS, f"stale entries: {sorted(POSITIONAL_CALLBACKS - kept)}"


def test_the_acting_user_is_always_called_actor() -> None:
    misnamed = []
    for where, node in domain_functions():
        every = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
        for arg in every:
            annotation = ast.unparse(arg.annotation) if arg.annotation is not None else ""
            if "CurrentUser" in annotation and arg.arg != "actor":
                misnamed.append(f"{where}: {arg.arg}")
    assert misnamed == []
