"""The pipeline on a local DuckLake (a DuckDB-file catalog), with the made-up sample (fast):
the lake's marts equal the DuckDB file's after the same two nights, a night that dies half-way
is never what readers see, and the CLI reads any night. (The lake on a real PostgreSQL:
test_lake.py; a file of its own, so the test workers can share the two out.)
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from cli.main import main
from pipeline.run import refresh
from tests.conftest import SAMPLE_BUNDLE
from tests.warehouse.bundles import make_settings
from tests.warehouse.test_lake import NIGHTS, RUNS, assert_same_marts, marts, one_row
from transforms import runner
from warehouse.store import list_nights

pytestmark = pytest.mark.long


def test_a_local_ducklake_keeps_every_night(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The made-up sample (fast) for two nights on a DuckDB-file catalog, through the CLI."""
    catalog = tmp_path / "lake" / "catalog.ducklake"
    base = replace(
        make_settings(tmp_path / "data").with_location("epoch", str(SAMPLE_BUNDLE)),
        warehouse_setting=f"ducklake:{catalog}",
        lake_data_path=str(tmp_path / "lake" / "files"),
    )
    lake = base.warehouse
    first = refresh(base, date.fromisoformat(NIGHTS[0]))
    assert first.ok, first.problems()
    assert catalog.is_file() and list((tmp_path / "lake" / "files").rglob("*.parquet"))

    second = refresh(base, date.fromisoformat(NIGHTS[1]))
    assert second.ok, second.problems()

    # the same nights on the DuckDB file give the same marts
    on_file = make_settings(tmp_path / "file").with_location("epoch", str(SAMPLE_BUNDLE))
    refresh(on_file, date.fromisoformat(NIGHTS[0]))
    assert_same_marts(marts(lake, night=NIGHTS[0]), marts(on_file.database))
    refresh(on_file, date.fromisoformat(NIGHTS[1]))
    assert_same_marts(marts(lake), marts(on_file.database))

    # a night that dies half-way (after its loads committed) is never what readers see
    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("marts build broke")

    monkeypatch.setattr("transforms.runner.run_marts", broken)  # read when a night builds
    with pytest.raises(RuntimeError, match="marts build broke"):
        refresh(base, date(2026, 4, 20))
    monkeypatch.setattr("transforms.runner.run_marts", runner.run_marts)
    assert one_row(lake, RUNS)[:2] == (date.fromisoformat(NIGHTS[1]), 2)
    assert [n.as_of.isoformat() for n in list_nights(lake)] == list(NIGHTS)

    # the CLI: the nights, and any command as of one of them
    monkeypatch.setenv("GAPWATCH_WAREHOUSE", lake.catalog or "")
    monkeypatch.setenv("GAPWATCH_WAREHOUSE_DATA", lake.data_path or "")
    data_dir = str(tmp_path / "data")
    assert main(["nights", "--data-dir", data_dir, "--csv"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split(",")[0] for line in listed[1:]] == list(NIGHTS)
    query = "select max(as_of) as as_of from history.refresh_runs"
    assert main(["--night", NIGHTS[0], "sql", "--data-dir", data_dir, "--csv", query]) == 0
    assert capsys.readouterr().out.splitlines() == ["as_of", NIGHTS[0]]
    assert main(["sql", "--data-dir", data_dir, "--csv", query]) == 0
    assert capsys.readouterr().out.splitlines() == ["as_of", NIGHTS[1]]
    assert main(["--night", "1999-01-01", "gaps", "--data-dir", data_dir]) != 0
    assert "no night 1999-01-01" in capsys.readouterr().err
    # readers are as locked down as on the file
    assert main(["sql", "--data-dir", data_dir, "select * from read_csv('/etc/hostname')"]) != 0
    assert "disabled" in capsys.readouterr().err
