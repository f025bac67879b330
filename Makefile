# One command per job. `make check` before every push: lint, types, import contract, tests.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install lock run demo test chromium postgresql check lint types contracts bench clean

# uv installs the locked environment (uv.lock) in seconds; uv itself comes from the Python
# package registry into a small venv of its own, so a fresh machine needs only python3
UV_VERSION := 0.13.9
UV_HOME ?= .tools/uv
UV := $(UV_HOME)/bin/uv
export UV_PYTHON_DOWNLOADS := never

$(UV):
	$(PY) -m venv $(UV_HOME)
	$(UV_HOME)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# --locked: fail, not re-resolve, when pyproject.toml and uv.lock disagree (run `make lock`)
$(STAMP): pyproject.toml uv.lock | $(UV)
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --locked --extra dev --compile-bytecode --python $(PY)
	touch $(STAMP)

lock: | $(UV)  ## re-resolve uv.lock after changing a dependency in pyproject.toml
	$(UV) lock --python $(PY)

install: $(STAMP)

# the main job: a real refresh of every source that needs no key (Artificial Analysis is skipped
# with one line unless GAPWATCH_AA_API_KEY is set) into data/gapwatch.duckdb, then the report,
# published as the nightly flow publishes it (--report: reports/<as-of>/ and reports/latest/ with
# its data export, rendered once). The report is written even when a source failed: its last
# good data stays in the marts, and the exit status still names the failure.
run: $(STAMP)  ## refresh every source from its live location, then publish the report
	$(BIN)/gapwatch refresh --report

demo: $(STAMP)  ## the whole pipeline, offline, on the bundled made-up sample
	$(BIN)/gapwatch demo

# four workers on two cores: much of the suite's time is spent waiting (on Prefect servers,
# schedules, child processes), which the extra workers fill (measured on a fresh clone: 441 s
# with 4, 571 s with 3, 634-672 s with 2); each file runs on one worker (loadfile), the long
# ones first (tests/conftest.py)
TEST_WORKERS ?= 4

test: $(STAMP) chromium postgresql  ## the test suite alone (network-free; `-m live` canaries are off)
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

# the report test opens the page in real headless Chromium (Debian's package); installed
# here when missing, and the test fails, not skips, if it still is
chromium:
	@test -x /usr/bin/chromium || (apt-get update && \
		apt-get install -y --no-install-recommends chromium) || \
		echo "could not install chromium: the report's browser test will fail" >&2

# the DuckLake-on-PostgreSQL test starts its own PostgreSQL cluster on 127.0.0.1 with Debian's
# server binaries; installed here when missing, and the test fails, not skips, if they still are
postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || (apt-get update && \
		apt-get install -y --no-install-recommends postgresql) || \
		echo "could not install postgresql: the DuckLake-on-PostgreSQL test will fail" >&2

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
	rm -rf $(VENV) .tools data/demo .pytest_cache .mypy_cache .ruff_cache
