# kubeguard.netsec developer entry points (GNU make). See docs/development.md.
# Longer shell logic lives in scripts/*.sh.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
# the unit tests are independent (each serves its emulators on ephemeral ports): two workers suit a 2-core machine
UNIT_WORKERS ?= 2
# integration test files run on this many processes, each with a sandbox of its own (tests/integration/conftest.py);
# a file stays on one worker (its module-scoped estate); much of the time is spent waiting on ansible-playbook and
# the simulated controllers, so two workers gain on two cores
INTEGRATION_WORKERS ?= 2
VENV := .venv
VENV_BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.kubeguard-stamp
NAMESPACE := kubeguard
NAME := netsec
LINK := build/collections/ansible_collections/$(NAMESPACE)/$(NAME)

export PYTHON
export PATH := $(VENV_BIN):$(PATH)

.PHONY: help venv lock collection-link ansible-test-bootstrap browser-deps unit sanity lint integration \
	molecule test demo bench build ee-context clean distclean \
	sandbox-up sandbox-down sandbox-status sandbox-calls

help: ## Show the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-24s %s\n", $$1, $$2}'

# --- environment -------------------------------------------------------------------

venv: $(STAMP) ## Create .venv (Python 3.11) from requirements-dev.txt + constraints.txt

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	scripts/venv.sh

lock: ## Re-resolve requirements-dev.txt and rewrite constraints.txt
	scripts/lock.sh

collection-link: ## Link build/collections/ansible_collections/kubeguard/netsec to this checkout
	@scripts/collection-link.sh

ansible-test-bootstrap: venv ## Install the offline pip bootstrap that ansible-test needs
	scripts/ansible-test-bootstrap.sh

browser-deps: ## Install chromium and tesseract-ocr (apt-get) for the HTML report's browser test, if missing
	scripts/browser-deps.sh

# --- test stages -------------------------------------------------------------------

unit: venv collection-link ## pytest tests/unit, on UNIT_WORKERS processes (pytest-xdist)
	scripts/pytest-stage.sh unit tests/unit -n $(UNIT_WORKERS)

sanity: venv ansible-test-bootstrap ## ansible-test sanity (all tests) on the built, installed collection
	scripts/sanity.sh

lint: venv collection-link ## ansible-lint, production profile, offline
	scripts/lint.sh

integration: venv collection-link browser-deps ## pytest tests/integration on INTEGRATION_WORKERS processes (each starts a sandbox)
	scripts/pytest-stage.sh integration tests/integration -n $(INTEGRATION_WORKERS) --dist loadfile

molecule: venv collection-link ## molecule test for every scenario under extensions/molecule/
	scripts/molecule.sh

test: ## All stages in order: unit, sanity, lint, integration, molecule
	scripts/test.sh

# --- everything else ---------------------------------------------------------------

demo: venv collection-link ## Run the demo against the sandbox (scripts/demo.sh)
	bash scripts/demo.sh

bench: venv collection-link ## Benchmarks: sg_engine (vs amazon.aws), ack_fixed_pod_ip (vs kubernetes.core), slb_acl (vs plain SDK tasks), netpol and annotations (vs kubernetes.core), baseline_noop (harden.yml's no-op re-run vs amazon.aws + kubernetes.core), fleet (1-50 clusters x forks 1-10)
	$(VENV_BIN)/python benchmarks/sg_engine.py; sg=$$?; \
	$(VENV_BIN)/python benchmarks/ack_fixed_pod_ip.py; ack=$$?; \
	$(VENV_BIN)/python benchmarks/slb_acl.py --repetitions 1; acl=$$?; \
	$(VENV_BIN)/python benchmarks/netpol.py; np=$$?; \
	$(VENV_BIN)/python benchmarks/annotations.py --repetitions 1; ann=$$?; \
	$(VENV_BIN)/python benchmarks/baseline_noop.py; base=$$?; \
	$(VENV_BIN)/python benchmarks/fleet.py --repetitions 1; fleet=$$?; \
	test $$sg -eq 0 && test $$ack -eq 0 && test $$acl -eq 0 && test $$np -eq 0 && test $$ann -eq 0 && \
	test $$base -eq 0 && test $$fleet -eq 0

build: venv ## Build the collection tarball into build/
	$(VENV_BIN)/ansible-galaxy collection build --force --output-path build/ .

ee-context: venv ## Build the collection tarball and the execution environment's build context (build/ee/context)
	$(VENV_BIN)/ansible-galaxy collection build --force --output-path build/ee/collections .
	$(VENV_BIN)/ansible-builder create --file execution-environment/execution-environment.yml --context build/ee/context

clean: ## Remove build outputs and caches (keeps .venv)
	rm -rf build tests/output .pytest_cache .hypothesis changelogs/.plugin-cache.yaml
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +

distclean: clean ## clean, and remove .venv
	rm -rf $(VENV)

sandbox-up: venv ## Start the local emulated clouds
	$(VENV_BIN)/python -m sandbox up

sandbox-down: venv ## Stop the sandbox
	$(VENV_BIN)/python -m sandbox down

sandbox-status: venv ## Show sandbox status
	$(VENV_BIN)/python -m sandbox status

sandbox-calls: venv ## Show the API calls the sandbox counted
	$(VENV_BIN)/python -m sandbox calls
