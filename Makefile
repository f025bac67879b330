# One command per job. `make check` before every push: lint, types, import contract, tests.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test chromium check lint types contracts bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)  ## the whole pipeline, offline, on the bundled made-up sample
	$(BIN)/gapwatch demo

test: $(STAMP) chromium  ## the test suite alone (network-free; `-m live` canaries are off)
	$(BIN)/python -m pytest -q

# the report test opens the page in real headless Chromium (Debian's package); installed
# here when missing, and the test fails, not skips, if it still is
chromium:
	@test -x /usr/bin/chromium || (apt-get update && \
		apt-get install -y --no-install-recommends chromium) || \
		echo "could not install chromium: the report's browser test will fail" >&2

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

check: lint types contracts test  ## what CI runs: lint, formatting, types, import contract, tests

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) data/demo .pytest_cache .mypy_cache .ruff_cache
