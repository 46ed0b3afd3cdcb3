#!/usr/bin/env bash
# Debian packages the app and its tests need: Chromium for browser tests (never
# `playwright install`), libmagic for neonize's python-magic, ffmpeg for voice notes and video.
# With --runtime (what `make run` needs), everything but Chromium.
set -euo pipefail
missing=()
[ "${1:-}" = "--runtime" ] || [ -x /usr/bin/chromium ] || missing+=(chromium)
dpkg -s libmagic1 >/dev/null 2>&1 || missing+=(libmagic1)
command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
