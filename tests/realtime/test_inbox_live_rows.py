"""The in-memory part of a live update: what one open inbox keeps, drops and reorders."""

from __future__ import annotations

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.ui.inbox.feed_rows import BatchRows, ConversationSnapshot, MessageSnapshot
from whatsapp_saas.ui.inbox.live import (
    FeedUpdate,
    Filters,
    ListView,
    Viewer,
    merge_chat,
    merge_list,
    typing_after,
)

AGENT = CurrentUser(7, 1, "Loja", "Ana", "ana@x.io", "agent", "en", "UTC")
OWNER = CurrentUser(1, 1, "Loja", "Olivia", "o@x.io", "owner", "en", "UTC")


def snap(
    cid: int, at: str, *, assignee: int | None = None, department: int | None = None
) -> ConversationSnapshot:
    row = {"id": str(cid), "at": at, "unread": "1", "preview": f"p{cid}"}
    return ConversationSnapshot(
        str(cid), 3, assignee, department, "open", 1, row, {"id": str(cid), "status": "open"}
    )


def rows_of(view: ListView) -> list[str]:
    return [row["id"] for row in view.rows]


def test_new_activity_goes_on_top_and_a_hidden_conversation_leaves_the_list() -> None:
    view = ListView([snap(1, "2026-12-01T10:00:00+00:00").row], "", 30)
    viewer = Viewer(AGENT, frozenset({5}))
    view = merge_list(view, [snap(2, "2026-12-01T11:00:00.5+00:00")], viewer, Filters())
    assert rows_of(view) == ["2", "1"]
    moved = snap(2, "2026-12-01T11:00:01+00:00", department=6)  # not one of hers
    assert rows_of(merge_list(view, [moved], viewer, Filters())) == ["1"]
    assert rows_of(merge_list(view, [moved], Viewer(OWNER), Filters())) == ["2", "1"]


def test_filters_and_older_pages_are_respected() -> None:
    view = ListView([snap(1, "2026-12-01T10:00:00+00:00").row], "cursor", 1)
    viewer = Viewer(AGENT)
    older = snap(9, "2026-11-01T10:00:00+00:00")
    assert rows_of(merge_list(view, [older], viewer, Filters())) == ["1"], "on a later page"
    newer = snap(8, "2026-12-02T10:00:00+00:00")
    mine = merge_list(ListView([], "", 30), [newer], viewer, Filters(which="mine"))
    assert rows_of(mine) == []
    full = merge_list(view, [newer], viewer, Filters())
    assert rows_of(full) == ["8"] and full.cursor.endswith("|8"), "the limit holds"


def test_the_open_chat_gets_new_messages_in_the_viewers_locale_once() -> None:
    viewer = Viewer(AGENT)
    message = MessageSnapshot("11", "2", True, {viewer.locale: {"id": "11", "body": "oi"}})
    rows = BatchRows({"2": snap(2, "2026-12-01T10:00:00+00:00")}, (message,))
    change = merge_chat("2", [{"id": "10"}], rows, viewer)
    assert [m["id"] for m in change.messages] == ["10", "11"] and change.added_inbound
    again = merge_chat("2", change.messages, rows, viewer)
    assert [m["id"] for m in again.messages] == ["10", "11"] and not again.added_inbound
    hidden = BatchRows({"2": snap(2, "2026-12-01T10:00:00+00:00", department=4)}, (message,))
    assert merge_chat("2", [{"id": "10"}], hidden, viewer).gone


def test_typing_shows_only_where_the_viewer_may_look_and_ends_with_a_message() -> None:
    viewer = Viewer(AGENT)
    rows = BatchRows(
        {"2": snap(2, "2026-12-01T10:00:00+00:00"), "3": snap(3, "x", department=4)}, ()
    )
    update = FeedUpdate("e", 1, rows, typing=(("2", True), ("3", True)))
    assert typing_after([], update, viewer) == ["2"]
    ended = FeedUpdate("e", 2, rows, added=frozenset({"2"}))
    assert typing_after(["2"], ended, viewer) == []
