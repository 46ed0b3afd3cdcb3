"""Create ``.env`` for development and make sure it holds a SESSION_ENCRYPTION_KEY.

``make run`` calls this. It never touches an existing key, and it refuses to invent one for
production: there the app must be given its key.
"""

from __future__ import annotations

import base64
import os
import re
import secrets
import shutil
import sys
from pathlib import Path

KEY_LINE = re.compile(r"^SESSION_ENCRYPTION_KEY=(.*)$", re.M)


def ensure_env(env_path: Path, example_path: Path) -> str | None:
    """Return a message when something was created, else None."""
    if not env_path.exists():
        shutil.copyfile(example_path, env_path)
        os.chmod(env_path, 0o600)
    text = env_path.read_text()
    match = KEY_LINE.search(text)
    if match and match.group(1).strip():
        return None
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    line = f"SESSION_ENCRYPTION_KEY={key}"
    text = KEY_LINE.sub(line, text) if match else text.rstrip("\n") + f"\n{line}\n"
    env_path.write_text(text)
    os.chmod(env_path, 0o600)
    return (
        f"Generated a new SESSION_ENCRYPTION_KEY in {env_path}. Back it up: without it the "
        "stored WhatsApp sessions and secrets cannot be decrypted."
    )


def main() -> int:
    if os.environ.get("APP_ENV") == "production":
        print("APP_ENV=production: not generating secrets; set SESSION_ENCRYPTION_KEY yourself.")
        return 0
    message = ensure_env(Path(".env"), Path(".env.example"))
    if message:
        print(message)
    return 0


if __name__ == "__main__":
    sys.exit(main())
