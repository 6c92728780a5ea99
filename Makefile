# Two commands do all set-up on a fresh machine with Python >= 3.11:
#   make demo   creates .venv if missing, installs multitemp, runs the demo
#   make test   creates .venv if missing, installs with test extras, runs the tests
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test validate browser screenshots docs docs-serve lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

demo: $(VENV)/.installed
	$(BIN)/multitemp demo --out demo_output

# Two pytest workers (the CI machine has 2 cores), a test file per worker: with a cold cache
# most of the time is numba compiling the kernels, so the workers overlap it.  A fixed count,
# not "auto": a container may report the host's cores.  TEST_WORKERS=0 runs serially.
TEST_WORKERS ?= 2
test: $(VENV)/.installed
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile

# The long tier: statistical validations at full size, the user-potential compile, the gallery,
# and the explorer driven in headless Chromium (Debian's package, installed by `make browser`).
validate: $(VENV)/.installed browser
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile -m "validate or slow or browser"

browser:
	tools/install-chromium.sh

# The explorer's screenshots in docs/explorer (the browser test takes them)
screenshots: $(VENV)/.installed browser
	MULTITEMP_SCREENSHOTS=docs/explorer $(BIN)/python -m pytest -q -p no:xdist -m browser tests/test_explore_browser.py

# The documentation site (site/): tutorials executed from their plain-text sources, API reference
$(VENV)/.docs: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[test,docs]"
	touch $@

docs: $(VENV)/.docs
	$(BIN)/python -m mkdocs build --strict --site-dir site

docs-serve: $(VENV)/.docs
	$(BIN)/python -m mkdocs serve

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/pair.py

clean:
	rm -rf $(VENV) demo_output .pytest_cache site
