# ecs-tasks: `make build` sets up .venv on first use and builds generated/ from spec/;
# `make test` runs the whole suite. See README.md for every target.

SPEC    ?= spec/openapi.yaml
OUT     ?= generated
PACKAGE ?= ecs_tasks
PYTHON  ?= python3

VENV  := .venv
PY    := $(VENV)/bin/python
READY := $(VENV)/.ready
TARGET_ARGS := --spec "$(SPEC)" --out "$(OUT)" --package "$(PACKAGE)"

.PHONY: build validate check conformance test lint lint-spec mock bench venv clean

build: $(READY)
	@$(PY) -m scripts build $(TARGET_ARGS)

validate: $(READY)
	@$(PY) -m scripts validate "$(SPEC)"

DOCS ?= ../shared/source-docs
conformance: $(READY)
	@$(PY) -m scripts conformance --docs "$(DOCS)" --spec "$(SPEC)"

check: $(READY)
	@$(PY) -m scripts check $(TARGET_ARGS)

test: $(READY) lint
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

node_modules/.ready: package.json package-lock.json
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@

PORT ?= 4010
MOCK_ARGS ?=
mock: $(READY)
	@$(PY) -m scripts.mock --port $(PORT) --spec "$(SPEC)" $(MOCK_ARGS)

bench: $(READY)
	@PYTHONPATH=generated:. $(PY) -m bench $(BENCH)

venv: $(READY)

# The environment is made once and remade when the pinned requirements change.
$(READY): requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "error: the build tools need Python 3.11 or newer; set PYTHON=python3.11" >&2; exit 2; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache
