"""Implausible data and odd paths: a 1900 release date quarantines its file, a symlinked
warehouse is one warehouse."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

from pipeline.run import refresh
from pipeline.settings import Settings
from tests.conftest import PROJECT, SAMPLE_BUNDLE
from tests.faults.conftest import SAMPLE_NIGHT, marts_checksum
from tests.warehouse.bundles import copy_bundle, query, read_csv, write_csv
from warehouse.lock import RefreshLock


def bundle_with_release(tmp_path: Path, release: str) -> Path:
    """The sample bundle with the first gpqa_diamond row's release date replaced."""
    bundle = copy_bundle(SAMPLE_BUNDLE, tmp_path / "bundle")
    columns, rows = read_csv(bundle / "gpqa_diamond.csv")
    rows[0]["Release date"] = release
    rows[0]["Best score (across scorers)"] = "0.99"  # changed, so the file is new data
    write_csv(bundle / "gpqa_diamond.csv", columns, rows)
    return bundle


def gpqa_scores(settings: Settings) -> list[tuple[object, ...]]:
    return query(
        settings,
        "select model_version, score, release_date from marts.benchmark_scores "
        "where benchmark_id = 'gpqa_diamond' order by model_version",
    )


def test_a_release_date_before_2015_quarantines_its_file(
    warehouse: Settings, tmp_path: Path
) -> None:
    before = gpqa_scores(warehouse)
    bundle = bundle_with_release(tmp_path, "1900-01-01")

    result = refresh(warehouse.with_location("epoch", str(bundle)), date(2026, 4, 21))

    [line] = [p for p in result.problems() if "gpqa_diamond.csv" in p]
    assert line.startswith("epoch: quarantined gpqa_diamond.csv")
    assert "before the earliest plausible" in line
    assert gpqa_scores(warehouse) == before  # its last good batch feeds the marts
    months = query(warehouse, "select min(gap_months) from marts.crossings")[0][0]
    assert months is None or months > -150  # no -1,500-month gaps


def test_a_release_date_after_the_as_of_date_quarantines_its_file(
    warehouse: Settings, tmp_path: Path
) -> None:
    bundle = bundle_with_release(tmp_path, "2030-01-01")
    result = refresh(warehouse.with_location("epoch", str(bundle)), date(2026, 4, 21))
    assert any("gpqa_diamond.csv" in p and "after the as-of" in p for p in result.problems())


def test_a_symlinked_warehouse_is_locked_and_swapped_as_the_file_it_points_to(
    warehouse: Settings, tmp_path: Path
) -> None:
    link = tmp_path / "link.duckdb"
    link.symlink_to(warehouse.database)
    take_through_link = (
        "import sys; from pathlib import Path; from warehouse.lock import RefreshLock, "
        "RefreshRunning\ntry:\n    RefreshLock(Path(sys.argv[1])).__enter__()\n"
        "except RefreshRunning as e:\n    print(e); sys.exit(3)"
    )
    with RefreshLock(warehouse.database):
        other = subprocess.run(
            [sys.executable, "-c", take_through_link, str(link)],
            capture_output=True,
            text=True,
            cwd=PROJECT,
            check=False,
        )
    assert other.returncode == 3, other.stderr
    assert "a refresh is already running" in other.stdout
    through_link = Settings(
        sources=("epoch",), data_dir=warehouse.data_dir, db_path=link
    ).with_location("epoch", str(SAMPLE_BUNDLE))

    result = refresh(through_link, SAMPLE_NIGHT)

    assert result.ok
    assert link.is_symlink() and link.resolve() == warehouse.database.resolve()
    assert marts_checksum(link) == marts_checksum(warehouse.database)
    assert query(warehouse, "select count(*) from history.refresh_runs")[0][0] == 2
