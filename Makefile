# resdep — the two set-up commands are `make demo` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= out/demo

.PHONY: demo test quick lint bench venv clean browser-deps

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) on PATH (or run make PYTHON=python3)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e ".[test]"
	@touch $@

venv: $(VENV)/.installed

demo: venv
	$(BIN)/resdep demo --out $(OUT) --force

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
