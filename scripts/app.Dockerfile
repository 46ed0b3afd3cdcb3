# The runtime every app service shares: Python plus the Debian packages the app calls
# (libmagic for neonize, ffmpeg/ffprobe for voice notes and media durations, unzip for bun).
FROM python:3.11-slim-bookworm
RUN apt-get update -qq \
    && apt-get install -y -qq --no-install-recommends libmagic1 ffmpeg unzip >/dev/null \
    && rm -rf /var/lib/apt/lists/*
