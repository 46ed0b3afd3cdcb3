"""How much disk a tenant's media takes, and the per-tenant quota that stops a new file.

Usage is measured on disk (every file under the tenant's folder), not summed from rows: an
attachment picked but never scheduled takes space too until the sweep removes it, and that is
exactly the space an attacker would fill.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from whatsapp_saas.config import get_settings
from whatsapp_saas.errors import UserError
from whatsapp_saas.inbox.media import MB, LocalMediaStore, MediaStore, media_store


@dataclass(frozen=True, slots=True)
class MediaUsage:
    used: int  # bytes
    quota: int  # bytes

    @property
    def free(self) -> int:
        return max(self.quota - self.used, 0)


def quota_bytes() -> int:
    return max(get_settings().media_quota_mb, 0) * MB


def used_bytes(tenant_id: int, store: MediaStore | None = None) -> int:
    """Bytes stored for ``tenant_id`` (0 for a store that cannot tell)."""
    store = store or media_store()
    if not isinstance(store, LocalMediaStore):
        return 0
    return _tree_size(store.root / str(tenant_id))


def usage(tenant_id: int, store: MediaStore | None = None) -> MediaUsage:
    return MediaUsage(used_bytes(tenant_id, store), quota_bytes())


def check_room(tenant_id: int, incoming: int, store: MediaStore | None = None) -> None:
    """Refuse (a translated UserError) a file of ``incoming`` bytes that would pass the quota."""
    current = usage(tenant_id, store)
    if current.used + incoming > current.quota:
        raise UserError(
            "media.quota_full",
            size=human_size(incoming),
            used=human_size(current.used),
            quota=human_size(current.quota),
        )


def human_size(size: int) -> str:
    """``"512 kB"``, ``"12.5 MB"``, ``"2 GB"``: the same in both languages."""
    if size < MB:
        return f"{max(size, 0) // 1024} kB"
    if size < 1024 * MB:
        return f"{size / MB:.1f}".removesuffix(".0") + " MB"
    return f"{size / (1024 * MB):.1f}".removesuffix(".0") + " GB"


def _tree_size(folder: Path) -> int:
    total = 0
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return 0
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=False):
                total += _tree_size(Path(entry.path))
            elif entry.is_file(follow_symlinks=False):
                total += entry.stat(follow_symlinks=False).st_size
        except FileNotFoundError:  # removed while we walked
            continue
    return total
