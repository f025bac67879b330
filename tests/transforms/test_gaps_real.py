"""The gap analysis on the real 2026-04-19 Epoch snapshot, checked against the CSVs themselves."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from cli.main import main
from pipeline.run import refresh
from pipeline.settings import Settings
from tests.conftest import PROJECT, epoch_dir
from transforms.runner import run_marts

AS_OF = date(2026, 4, 19)
CLOSED_LABELS = ("API access", "Hosted access (no API)")


@pytest.fixture(scope="module")
def warehouse(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    data_dir = tmp_path_factory.mktemp("real")
    settings = Settings(data_dir=data_dir, sources=("epoch",)).with_location(
        "epoch", str(epoch_dir(shared_data, "2026-04-19"))
    )
    result = refresh(settings, AS_OF)
    assert result.ok, result.problems()
    yield settings.database


def expected_groups(shared_data: Path) -> dict[str, tuple[str, float, date]]:
    """version -> (group, score, release date), read straight from the CSVs and overrides."""
    folder = epoch_dir(shared_data, "2026-04-19")
    with open(folder / "epoch_capabilities_index.csv", encoding="utf-8-sig") as f:
        registry = {r["Model version"].strip(): r for r in csv.DictReader(f)}
    with open(PROJECT / "transforms" / "seeds" / "accessibility_overrides.csv") as f:
        overrides = {r["model_version"]: r["accessibility"] for r in csv.DictReader(f)}
    versions = {}
    with open(folder / "gpqa_diamond.csv", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            version = row["Model version"].strip()
            label = overrides.get(version) or registry.get(version, {}).get(
                "Model accessibility", ""
            )
            if label.startswith("Open weights"):
                group = "open"
            elif label in CLOSED_LABELS:
                group = "closed"
            else:
                continue
            released = row["Release date"] or registry[version]["Release date"]
            versions[version] = (
                group,
                float(row["Best score (across scorers)"]),
                date.fromisoformat(released),
            )
    return versions


@pytest.mark.parametrize("step", range(7, 18), ids=lambda s: f"t{s * 5:02d}")
def test_gpqa_timeline_first_crossers_match_the_csv(
    warehouse: Path, shared_data: Path, step: int
) -> None:
    threshold = round(step * 0.05, 2)
    versions = expected_groups(shared_data)

    def first(group: str) -> tuple[str, date] | None:
        crossed = [
            (d, -s, v) for v, (g, s, d) in versions.items() if g == group and s >= threshold - 1e-9
        ]
        return (min(crossed)[2], min(crossed)[0]) if crossed else None

    closed, opened = first("closed"), first("open")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute(
            "select first_closed_model, first_closed_date, first_open_model, first_open_date, "
            "gap_days, status, reason from marts.crossings "
            "where benchmark_id = 'gpqa_diamond' and open_scope = 'all' "
            "and abs(threshold - ?) < 1e-9",
            [threshold],
        ).fetchall()
    assert len(row) == 1
    got = row[0]
    assert (got[0], got[1]) == closed
    if opened is None:
        assert got[2] is None and got[5] == "pending"
    else:
        assert (got[2], got[3]) == opened
        assert got[4] == (opened[1] - closed[1]).days
        assert got[5] == "both_crossed"
    assert got[6]  # a reason, always


def test_every_crossing_has_a_reason_and_points_are_accepted_pairs(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute(
            "select count(*) from marts.crossings where reason is null or reason = ''"
        ).fetchall() == [(0,)]
        bad = con.execute(
            "select count(*) from marts.gap_points "
            "join marts.crossings on gap_point_id = crossing_id "
            "where not accepted or status <> 'both_crossed'"
        ).fetchall()
        assert bad == [(0,)]
        series = {r[0] for r in con.execute("select series from marts.gap_summary").fetchall()}
    assert {"all", "public", "private", "chinese", "eci"} <= series
    assert any(s.startswith("category:") for s in series)


def test_two_runs_give_identical_marts(warehouse: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(warehouse.read_bytes())
    tables = (
        "crossings",
        "gap_points",
        "gap_trend",
        "gap_summary",
        "frontier_lag",
        "frontier_lag_trend",
    )
    with duckdb.connect(str(copy)) as con:
        before = {t: con.execute(f"select * from marts.{t}").df() for t in tables}
        run_marts(con, {"as_of": AS_OF})
        after = {t: con.execute(f"select * from marts.{t}").df() for t in tables}
        # the views' temporary copies the build read do not outlive it
        temporary = "select count(*) from duckdb_tables() where temporary"
        assert con.execute(temporary).fetchall() == [(0,)]
    for table in tables:
        pd.testing.assert_frame_equal(before[table], after[table], check_exact=True, obj=table)


def test_gaps_and_crossings_commands(warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # --wide: every column (the default view fits 100 columns and names what it leaves out)
    assert main(["gaps", "--wide", "--db", str(warehouse)]) == 0
    out = capsys.readouterr().out
    print(out)
    assert "as of 2026-04-19" in out
    lines = out.splitlines()
    top = next(
        i for i, line in enumerate(lines) if line.startswith("series ")
    )  # after the headline
    assert lines[top + 2].split()[0] == "all"
    header = lines[top].split()
    assert header[:9] == [
        "series",
        "at",
        "gap_months",
        "band_90",
        "leave_one_out",
        "points",
        "releases",
        "pending",
        "median_months_pending",
    ]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        (moved,) = con.execute(
            "select most_influential from marts.gap_summary "
            "where source = 'epoch' and series = 'all'"
        ).fetchone() or (None,)
    assert moved and moved in lines[top + 2]
    assert main(["crossings", "GPQA Diamond", "--db", str(warehouse)]) == 0
    timeline = capsys.readouterr().out
    assert "accepted:" in timeline and "pending:" in timeline
    assert main(["crossings", "nonesuch", "--db", str(warehouse)]) == 2
    assert "no benchmark 'nonesuch'" in capsys.readouterr().err
