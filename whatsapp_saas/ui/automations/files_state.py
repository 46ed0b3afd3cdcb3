"""The files rules and menus send: upload one, then pick it in an action or a menu option.

Managers only, like the rest of the Automations page. The list is read when the builder or
the menu editor opens, and again after an upload.
"""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.automations import service
from whatsapp_saas.automations.files import AutomationFile
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui import upload_guard
from whatsapp_saas.ui.actions import act
from whatsapp_saas.ui.base_state import AppState
from whatsapp_saas.ui.scheduling.common import read_upload

# The newest files listed under the upload button; every file is in the "Attachment" select.
FILES_SHOWN = 5
KIND_ICONS = {"image": "🖼", "video": "🎬", "audio": "🎵", "voice": "🎤", "document": "📄"}


def file_choice(row: AutomationFile) -> dict[str, str]:
    name = row.filename or row.mimetype
    return {"id": str(row.id), "label": f"{KIND_ICONS.get(row.kind, '📎')} {name}"}


class AutomationFilesState(AppState):
    files: list[dict[str, str]] = []
    files_error: str = ""
    # The label of the file just uploaded; the view words the status in the current language.
    uploaded_label: str = ""

    @rx.var
    def files_shown(self) -> list[dict[str, str]]:
        return self.files[:FILES_SHOWN]

    @rx.var
    def files_hidden(self) -> int:
        return max(0, len(self.files) - FILES_SHOWN)

    @rx.event
    async def load_files(self) -> None:
        self.uploaded_label = ""  # a status from another form is not about this one
        outcome = await act(
            self, lambda s, u: [file_choice(f) for f in service.list_files(s, actor=u)],
            managers_only=True,
        )  # fmt: skip
        self.files_error = outcome.error
        if outcome.ok and outcome.value is not None:
            self.files = outcome.value

    @rx.event
    @upload_guard.accepts(upload_guard.AUTOMATION_MEDIA)
    async def upload_file(self, files: list[rx.UploadFile]) -> None:
        """Store the picked file; it is then offered in every "Attachment" select."""
        self.uploaded_label = ""
        self.files_error = await upload_guard.refusal(self, files, upload_guard.AUTOMATION_MEDIA)
        if self.files_error or not files:
            return
        file = files[0]
        data = await read_upload(file)
        mimetype = file.content_type or "application/octet-stream"
        name = file.filename

        def store(scope: TenantScope, user: CurrentUser) -> dict[str, str]:
            row = service.add_file(scope, actor=user, data=data, mimetype=mimetype, filename=name)
            return file_choice(row)

        outcome = await act(self, store, managers_only=True)
        self.files_error = outcome.error
        if outcome.ok and outcome.value is not None:
            self.files = [outcome.value, *self.files]
            self.uploaded_label = outcome.value["label"]
