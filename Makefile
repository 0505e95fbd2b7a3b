# resdep — the two set-up commands are `make demo` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= out/demo

.PHONY: demo test quick lint bench venv clean browser-deps pip-demo

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) on PATH (or run make PYTHON=python3)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The demo needs resdep and its dependencies only; the tests add the test extras.
$(VENV)/.installed-demo: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e ".[test]"
	@touch $@ $(VENV)/.installed-demo

venv: $(VENV)/.installed

demo: $(VENV)/.installed-demo
	$(BIN)/resdep demo --out $(OUT) --force

# Install as a user without make would: plain pip, no extras, not editable, into a fresh
# venv outside the checkout, then run `resdep demo` from there (CI runs this after the tests).
pip-demo:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) on PATH (or run make PYTHON=python3)"; exit 2; }
	@set -e; tmp=$$(mktemp -d); \
	echo "pip-demo: fresh venv in $$tmp"; \
	$(PYTHON) -m venv "$$tmp/venv"; \
	"$$tmp/venv/bin/python" -m pip install --quiet --upgrade pip; \
	"$$tmp/venv/bin/python" -m pip install --quiet .; \
	if "$$tmp/venv/bin/python" -c "import pytest" 2>/dev/null; then echo "pip-demo: the test extras were installed"; exit 1; fi; \
	(cd "$$tmp" && "$$tmp/venv/bin/resdep" demo --out demo); \
	for f in case/report.html case/run.json case/methods/methods_zh.docx case/figures/stage_networks.png simulation/report.html simulation/ODD.zh.html; do \
	  test -s "$$tmp/demo/$$f" || { echo "pip-demo: $$f missing"; exit 1; }; done; \
	rm -rf "$$tmp"; echo "pip-demo: plain pip install and resdep demo passed"

# The browser tests drive Debian's headless Chromium (with CJK fonts so Chinese renders);
# as root with apt-get we install them.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium for the browser tests (apt-get)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) \
	      || echo "could not install chromium: browser tests will say so"; \
	  else echo "chromium not found: install it to run the browser tests"; fi; }

test: venv browser-deps
	$(BIN)/python -m pytest -p no:cacheprovider -n 2 --dist loadgroup
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/ruff format --check src tests benchmarks tools
	$(BIN)/mypy

quick: venv
	$(BIN)/python -m pytest -x -q -m "not slow and not browser and not cluster"

lint: venv
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/ruff format --check src tests benchmarks tools
	$(BIN)/mypy

bench: venv
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) out build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
