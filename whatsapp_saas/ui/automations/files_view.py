"""The "Files to send" uploader and the "Attachment" select of actions and menu options."""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.ui import upload_guard
from whatsapp_saas.ui.automations.files_state import AutomationFilesState as F
from whatsapp_saas.ui.components import upload_button

T = F.t


def files_uploader(upload_id: str) -> rx.Component:
    """One upload button per form (an upload zone's id cannot repeat per row)."""
    return rx.vstack(
        rx.hstack(
            upload_button(
                upload_id, T["auto.upload_file"], upload_guard.AUTOMATION_MEDIA, F.upload_file
            ),
            rx.text(T["auto.files_hint"], size="1", color_scheme="gray"),
            align="center",
            wrap="wrap",
        ),
        rx.cond(F.files_error != "", rx.callout(F.files_error, color_scheme="red", size="1")),
        rx.cond(
            F.uploaded_label != "",
            rx.text(
                T["auto.file_uploaded"].replace("{name}", F.uploaded_label),
                size="1",
                color_scheme="green",
                role="status",
                overflow_wrap="anywhere",
            ),
        ),
        _files_list(),
        on_mount=F.load_files,
        spacing="1",
        width="100%",
    )


def _files_list() -> rx.Component:
    """The newest files (all of them are in the "Attachment" select), or why it is empty."""
    return rx.cond(
        F.files.length() > 0,
        rx.flex(
            rx.foreach(F.files_shown, _file_chip),
            rx.cond(
                F.files_hidden > 0,
                rx.text(
                    T["auto.files_more"].replace("{count}", F.files_hidden.to_string()),
                    size="1",
                    color_scheme="gray",
                ),
            ),
            role="list",
            aria_label=T["auto.files_list"],
            align="center",
            spacing="1",
            wrap="wrap",
            width="100%",
        ),
        rx.text(T["auto.files_empty"], size="1", color_scheme="gray", data_testid="files-empty"),
    )


def _file_chip(file: rx.Var) -> rx.Component:
    return rx.el.span(
        file["label"],
        role="listitem",
        title=file["label"],
        class_name="file-chip",
        data_testid="file-item",
    )


def attachment_select(field_id: str, name: str, value: rx.Var) -> rx.Component:
    """The tenant's files to send with the message (none by default); read with the form."""
    return _labelled_select(field_id, name=name, default_value=value)


def attachment_picker(
    field_id: str, value: rx.Var, on_change: object, label: rx.Var
) -> rx.Component:
    """The same choice as a controlled select (the menu editor keeps its rows in state)."""
    return _labelled_select(field_id, value=value, on_change=on_change, aria_label=label)


def _labelled_select(field_id: str, **props: object) -> rx.Component:
    return rx.vstack(
        rx.el.label(T["auto.attachment"], html_for=field_id, class_name="field-label"),
        rx.el.select(
            rx.el.option(T["auto.no_attachment"], value=""),
            rx.foreach(F.files, lambda f: rx.el.option(f["label"], value=f["id"])),
            id=field_id,
            class_name="native-select",
            **props,
        ),
        spacing="1",
        width="100%",
    )
