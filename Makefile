# ecs-tasks: `make build` sets up .venv on first use and builds generated/ from spec/;
# `make test` runs the whole suite. See README.md for every target.

SPEC    ?= spec/openapi.yaml
OUT     ?= generated
PACKAGE ?= ecs_tasks
PYTHON  ?= python3

VENV  := .venv
PY    := $(VENV)/bin/python
READY := $(VENV)/.ready
ON_PATH := $(VENV)/.generated-on-path
TARGET_ARGS := --spec "$(SPEC)" --out "$(OUT)" --package "$(PACKAGE)"

.PHONY: build validate check conformance import test lint lint-spec mock bench venv clean

build: $(READY) $(ON_PATH)
	@$(PY) -m scripts build $(TARGET_ARGS)

validate: $(READY)
	@$(PY) -m scripts validate "$(SPEC)"

DOCS ?= ../shared/source-docs
conformance: $(READY)
	@$(PY) -m scripts conformance --docs "$(DOCS)" --spec "$(SPEC)"

# Draft an OpenAPI document for one operation page of an RST API reference (see README).
OUT_DRAFTS = $(if $(filter command line,$(origin OUT)),$(OUT),drafts)
import: $(READY)
	@test -n "$(PAGE)" || { echo "usage: make import PAGE=path/to/page.rst [OUT=drafts]" >&2; exit 2; }
	@$(PY) -m scripts import "$(PAGE)" --out "$(OUT_DRAFTS)"

check: $(READY)
	@$(PY) -m scripts check $(TARGET_ARGS)

test: $(READY) $(ON_PATH) lint
	@$(PY) -m pytest -q

lint: $(READY)
	@$(PY) -m ruff check scripts tests bench generated
	@$(PY) -m ruff format --check --quiet scripts tests bench generated
	@$(PY) -m mypy scripts generated/$(PACKAGE)

# The linters other teams run on the published files of OUT (needs Node.js; versions pinned in
# package.json).
PUBLISHED = "$(OUT)/openapi.yaml" "$(OUT)/openapi.json" "$(OUT)/openapi-3.0.yaml"
lint-spec: export REDOCLY_TELEMETRY = off
lint-spec: export REDOCLY_SUPPRESS_UPDATE_NOTICE = true
lint-spec: node_modules/.ready
	@npx --no-install redocly lint --config redocly.yaml $(PUBLISHED)
	@npx --no-install spectral lint --fail-severity warn --ruleset .spectral.yaml $(PUBLISHED)

# No install step may send anything anywhere: the only install script in the tree is Scarf's
# analytics hook (pulled in by Spectral), so scripts are not run, and Scarf is told no twice
# more (package.json's scarfSettings, SCARF_ANALYTICS) in case a future lock adds another.
node_modules/.ready: package.json package-lock.json
	@SCARF_ANALYTICS=false npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

PORT ?= 4010
MOCK_ARGS ?=
mock: $(READY)
	@$(PY) -m scripts.mock --port $(PORT) --spec "$(SPEC)" $(MOCK_ARGS)

bench: $(READY)
	@PYTHONPATH=generated:. $(PY) -m bench $(BENCH)

venv: $(READY) $(ON_PATH)

# The environment is made once and remade when the pinned requirements change. Each step says
# what it does first: on a fresh machine the install is the longest part of the first build.
$(READY): requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "error: the build tools need Python 3.11 or newer; set PYTHON=python3.11" >&2; exit 2; }
	@test -x $(PY) || { echo "setup: creating the virtual environment $(VENV) (a few seconds)"; \
		$(PYTHON) -m venv $(VENV); }
	@echo "setup: installing the pinned tools of requirements-dev.txt into $(VENV)" \
		"(about 2 minutes on a fresh machine, seconds when they are cached)"
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@echo "setup: $(VENV) is ready"
	@touch $@

# README's examples import the generated package from .venv as written: a .pth file puts the
# project's generated/ on the environment's import path.
$(ON_PATH): $(READY)
	@$(PY) -c 'import pathlib, sysconfig; pathlib.Path(sysconfig.get_path("purelib"), \
		"ecs_tasks_generated.pth").write_text(str(pathlib.Path("generated").resolve()) + "\n")'
	@touch $@

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache .jinja_cache .generated.cache
