"""An unchanged night costs little: no validator import, no GX work, no marts rebuild.

The real 2026-04-19 snapshot is refreshed once (shared fixture); each test refreshes a copy of
that warehouse again. Nothing here times anything: what is checked is what ran and what was
imported (in a fresh interpreter), and that the marts hold the same data either way.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import duckdb

from pipeline.run import refresh
from tests.conftest import epoch_dir
from tests.faults.conftest import marts_checksum
from tests.warehouse.bundles import Built, copy_warehouse, query
from transforms import inputs

PROJECT = Path(__file__).resolve().parents[2]
SNAPSHOT = "2026-04-19"
PROBE = """
import contextlib, io, json, sys
from cli.main import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def test_an_unchanged_night_leaves_the_marts_as_they_are(
    snapshot_warehouse: Callable[[str], Built], shared_data: Path, tmp_path: Path
) -> None:
    built = snapshot_warehouse(SNAPSHOT)
    settings = copy_warehouse(built, tmp_path / "data").with_location(
        "epoch", str(epoch_dir(shared_data, SNAPSHOT))
    )
    before = marts_checksum(settings.database)
    again = refresh(settings, date.fromisoformat(SNAPSHOT))
    assert again.ok, again.problems()
    assert [o.status for o in again.sources] == ["unchanged"]
    assert not again.rebuilt and again.marts == []
    assert marts_checksum(settings.database) == before
    assert query(settings, "select count(*) from raw.marts_builds") == [(1,)]
    # the night is still recorded, with its gap summary
    assert query(settings, "select count(distinct run_id) from history.refresh_runs") == [(2,)]
    assert query(settings, "select count(distinct run_id) from history.gap_history") == [(2,)]


def test_a_new_night_rebuilds_even_with_the_same_payloads(
    snapshot_warehouse: Callable[[str], Built], shared_data: Path, tmp_path: Path
) -> None:
    """The as-of date is an input (the current month, staleness): a new night rebuilds."""
    built = snapshot_warehouse(SNAPSHOT)
    settings = copy_warehouse(built, tmp_path / "data").with_location(
        "epoch", str(epoch_dir(shared_data, SNAPSHOT))
    )
    later = refresh(settings, date.fromisoformat(SNAPSHOT) + timedelta(days=1))
    assert later.ok and later.rebuilt and later.marts
    assert query(settings, "select count(*) from raw.marts_builds") == [(2,)]


def test_the_fingerprint_follows_batches_and_parameters(
    snapshot_warehouse: Callable[[str], Built], tmp_path: Path
) -> None:
    settings = copy_warehouse(snapshot_warehouse(SNAPSHOT), tmp_path / "data")
    with duckdb.connect(str(settings.database)) as con:
        params = {"as_of": date(2026, 4, 19)}
        first = inputs.fingerprint(con, params)
        assert inputs.fingerprint(con, params) == first
        assert inputs.fingerprint(con, {"as_of": date(2026, 4, 20)}) != first
        con.execute("update raw.batches set status = 'quarantined' where file = 'gpqa_diamond.csv'")
        assert inputs.fingerprint(con, params) != first


def test_an_unchanged_night_imports_no_validator_and_runs_no_transform(
    snapshot_warehouse: Callable[[str], Built], shared_data: Path, tmp_path: Path
) -> None:
    """`gapwatch refresh` in a fresh interpreter: great_expectations, the Python marts and the
    report's plotting never load (an import-graph check, not a timing)."""
    settings = copy_warehouse(snapshot_warehouse(SNAPSHOT), tmp_path / "data")
    # the night's report as an earlier refresh left it (a stand-in page: it is not re-rendered)
    dated = settings.data_dir / "reports" / SNAPSHOT / "report.html"
    dated.parent.mkdir(parents=True)
    dated.write_text("<p>stand-in for the report an earlier refresh wrote</p>", encoding="utf-8")
    location = epoch_dir(shared_data, SNAPSHOT)
    argv = ["refresh", "--no-prefect", "--quiet", "--data-dir", str(settings.data_dir)]
    argv += ["--source", f"epoch={location}", "--as-of", SNAPSHOT]
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], cwd=PROJECT, capture_output=True, text=True
    )
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["code"] == 0, done.stderr
    modules = set(answer["modules"])
    assert "pipeline.night" in modules  # the probe did refresh
    assert not {m for m in modules if m.split(".")[0] == "great_expectations"}
    assert "validation.validate" not in modules
    assert "transforms.python.gap_trend" not in modules
    # nor the transforms' runner, the seed checks or the alerts: nothing is rebuilt or raised
    assert not {"transforms.runner", "validation.seed_checks", "alerts.events"} & modules
    assert "matplotlib" not in modules
    # DuckDB binds the night's values without importing pandas (warehouse/pandas_probe.py)
    assert not {"pandas", "numpy"} & modules
    assert "stand-in" in dated.read_text(encoding="utf-8")
