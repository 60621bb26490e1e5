# The two commands: `make run` starts the mesh, `make test` runs every check.
# Both set everything up themselves on a machine with Python 3.11+ and make.

SHELL := /bin/bash
.DEFAULT_GOAL := help

export UV_PYTHON_DOWNLOADS := never
# uv verifies TLS against this bundle when the system has one.
ifneq ($(wildcard /etc/ssl/certs/ca-certificates.crt),)
export SSL_CERT_FILE ?= /etc/ssl/certs/ca-certificates.crt
endif

PYTHON ?= python3
TOOLS := .data/tools
UV := $(shell command -v uv 2>/dev/null || echo $(TOOLS)/bin/uv)
SERVICE_TESTS := $(wildcard services/*/tests libs/meshkit/tests libs/meshdev/tests/*/ tests)
PACKAGES := -p meshkit -p meshdev -p sales_agent -p review_agent -p leadgen_agent -p gateway

.PHONY: help run test check lint format typecheck pytest contracts setup clean

help:
	@echo "make run        start the mesh (embedded PostgreSQL, every agent)"
	@echo "make test       lint, type-check and run the whole test suite"
	@echo "make contracts  export OpenAPI contracts and regenerate the clients"
	@echo "make format     format the code"

$(TOOLS)/bin/uv:
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv

setup: $(if $(findstring $(TOOLS),$(UV)),$(TOOLS)/bin/uv)
	$(UV) sync --locked --all-packages

run: setup
	$(UV) run --no-sync mesh run

test: setup lint typecheck pytest

lint:
	$(UV) run --no-sync ruff check .
	$(UV) run --no-sync ruff format --check .

format: setup
	$(UV) run --no-sync ruff check --fix .
	$(UV) run --no-sync ruff format .

# Test directories are separate mypy runs: each is its own `tests` package.
typecheck:
	$(UV) run --no-sync mypy $(PACKAGES)
	@for dir in $(SERVICE_TESTS); do \
		echo "mypy $$dir"; $(UV) run --no-sync mypy $$dir || exit 1; \
	done

pytest:
	$(UV) run --no-sync pytest

contracts: setup
	$(UV) run --no-sync mesh contracts export

clean:
	rm -rf .data .venv .mypy_cache .ruff_cache .pytest_cache
