"""Every real Epoch snapshot loads, validates and resolves open vs closed as the CSVs say."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from pipeline.run import refresh
from tests.conftest import EPOCH_SNAPSHOTS, PROJECT, epoch_dir
from tests.warehouse.bundles import (
    WHITESPACE,
    Built,
    csv_data_rows,
    is_number,
    make_settings,
    query,
    read_csv,
    scores,
)

pytestmark = pytest.mark.long

# headline score column of each tracked file, read off the data README's header lists
# (weirdml's `Average` became `Accuracy` after 2025-11-02)
TRACKED_SCORE_COLUMNS = {
    "gpqa_diamond.csv": ("Best score (across scorers)",),
    "math_level_5.csv": ("Best score (across scorers)",),
    "otis_mock_aime_2024_2025.csv": ("Best score (across scorers)",),
    "gsm8k_external.csv": ("EM",),
    "mmlu_external.csv": ("EM",),
    "aider_polyglot_external.csv": ("Percent correct",),
    "terminalbench_external.csv": ("Accuracy mean",),
    "hle_external.csv": ("Accuracy",),
    "frontiermath.csv": ("Best score (across scorers)",),
    "frontiermath_tier_4.csv": ("Best score (across scorers)",),
    "weirdml_external.csv": ("Accuracy", "Average"),
    "simplebench_external.csv": ("Score (AVG@5)",),
    "metr_time_horizons_external.csv": ("Time horizon",),
    "fictionlivebench_external.csv": ("120k token score",),
    "arc_agi_external.csv": ("Score",),
    "arc_agi_2_external.csv": ("Score",),
}
CLOSED_LABELS = ("API access", "Hosted access (no API)")
OVERRIDES = PROJECT / "transforms" / "seeds" / "accessibility_overrides.csv"

COVERAGE_SQL = """
select count(distinct model_version),
       count(distinct model_version) filter (where is_open),
       count(distinct model_version) filter (where not is_open)
from marts.benchmark_scores
inner join marts.benchmarks using (benchmark_id)
where benchmarks.tracked
"""


@dataclass(frozen=True)
class Coverage:
    versions: int
    open: int
    closed: int

    @property
    def share(self) -> float:
        return (self.open + self.closed) / self.versions


def tracked_files(built: Built) -> list[str]:
    rows = query(
        built.settings, "select file from marts.benchmarks where tracked and file is not null"
    )
    return sorted(file for (file,) in rows)


def coverage_from_csvs(directory: Path, files: list[str]) -> Coverage:
    """Distinct scored versions of the tracked files and their label, via the csv module only."""
    _, registry_rows = read_csv(directory / "epoch_capabilities_index.csv")
    labels = {
        row["Model version"].strip(WHITESPACE): (row["Model accessibility"] or "").strip()
        for row in registry_rows
    }
    names = {
        row["Model version"].strip(WHITESPACE): (row["Model name"] or "").strip()
        for row in registry_rows
    }
    for override in read_csv(OVERRIDES)[1]:
        for version in labels:
            if override["model_version"].strip() == version or (
                not override["model_version"].strip()
                and override["model_name"].strip() == names[version]
            ):
                labels[version] = override["accessibility"].strip()
    versions: set[str] = set()
    for file in files:
        if not (directory / file).exists():
            continue
        columns, rows = read_csv(directory / file)
        score_column = next(c for c in TRACKED_SCORE_COLUMNS[file] if c in columns)
        for row in rows:
            version = (row["Model version"] or "").strip(WHITESPACE)
            if version and is_number(row[score_column]):
                versions.add(version)
    found = [labels.get(version, "") for version in versions]
    return Coverage(
        len(versions),
        sum(label.startswith("Open weights") for label in found),
        sum(label in CLOSED_LABELS for label in found),
    )


@pytest.mark.parametrize("snapshot", EPOCH_SNAPSHOTS)
def test_snapshot_loads_and_validates(
    snapshot: str, shared_data: Path, snapshot_warehouse: Callable[[str], Built]
) -> None:
    built = snapshot_warehouse(snapshot)

    [outcome] = built.result.sources
    assert outcome.status == "loaded", outcome.message
    assert outcome.quarantined == {}
    assert built.result.ok
    assert outcome.rows == csv_data_rows(epoch_dir(shared_data, snapshot))
    batches = query(built.settings, "select file, status, reason from raw.batches")
    assert {status for _, status, _ in batches} <= {"passed", "warned"}, batches
    # warnings on real data are only the rows Epoch names in free text (no model version)
    reasons = {reason for _, status, reason in batches if status == "warned"}
    assert all("row has no model version (skipped)" in reason for reason in reasons)
    assert query(built.settings, "select status from raw.fetches") == [("loaded",)]


@pytest.mark.parametrize("snapshot", EPOCH_SNAPSHOTS)
def test_snapshot_resolves_open_and_closed(
    snapshot: str, shared_data: Path, snapshot_warehouse: Callable[[str], Built]
) -> None:
    built = snapshot_warehouse(snapshot)
    files = tracked_files(built)
    assert set(files) <= set(TRACKED_SCORE_COLUMNS), "a new tracked file: add its score column"

    [(versions, open_versions, closed_versions)] = query(built.settings, COVERAGE_SQL)
    found = Coverage(versions, open_versions, closed_versions)

    print(
        f"\n{snapshot}: {found.versions} model versions on tracked benchmarks, "
        f"{found.open} open + {found.closed} closed = {found.open + found.closed} resolved "
        f"({found.share:.1%}), {found.versions - found.open - found.closed} unresolved"
    )
    assert found == coverage_from_csvs(epoch_dir(shared_data, snapshot), files)
    # Epoch's index labels 85-90% of these versions; the committed overrides (with evidence)
    # cover the rest that matter, so fewer than 3% stay without a status on every snapshot
    assert found.share >= 0.97, (
        f"{snapshot}: {found.share:.2%} of versions resolve; the capabilities index of that date "
        "may not label recent versions yet (see `gapwatch models --unresolved`)"
    )


def test_snapshots_in_date_order_into_one_warehouse(shared_data: Path, tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    for snapshot in EPOCH_SNAPSHOTS:
        result = refresh(
            settings.with_location("epoch", str(epoch_dir(shared_data, snapshot))),
            date.fromisoformat(snapshot),
        )
        [outcome] = result.sources
        assert (snapshot, outcome.status, outcome.quarantined) == (snapshot, "loaded", {})

    fetches = query(
        settings, "select fetch_id, as_of, status, changed, sha256 from raw.fetches order by 1"
    )
    assert [(as_of.isoformat(), status, changed) for _, as_of, status, changed, _ in fetches] == [
        (snapshot, "loaded", True) for snapshot in EPOCH_SNAPSHOTS
    ]
    assert len({sha for *_, sha in fetches}) == len(EPOCH_SNAPSHOTS)
    newest = fetches[-1][0]
    payloads = sorted(p.parent.name for p in (settings.raw_dir / "epoch").rglob("payload-*"))
    assert payloads == list(EPOCH_SNAPSHOTS)

    # the marts reflect the newest snapshot only
    assert query(settings, "select distinct fetch_id from marts.benchmark_scores") == [(newest,)]
    newest_dir = epoch_dir(shared_data, EPOCH_SNAPSHOTS[-1])
    _, gpqa = read_csv(newest_dir / "gpqa_diamond.csv")
    expected = {row["Model version"].strip(WHITESPACE) for row in gpqa} - {""}
    loaded = query(
        settings,
        "select model_version from marts.benchmark_scores where benchmark_id = 'gpqa_diamond'",
    )
    assert {version for (version,) in loaded} == expected
    # files that left the bundle after 2025-11-02 leave the marts too
    oldest_only = {p.name for p in epoch_dir(shared_data, EPOCH_SNAPSHOTS[0]).glob("*.csv")} - {
        p.name for p in newest_dir.glob("*.csv")
    }
    assert oldest_only  # factorio_learning_environment_external.csv, os_universe_external.csv
    still_there = query(settings, "select distinct file from marts.benchmark_scores")
    assert oldest_only.isdisjoint(file for (file,) in still_there)


def test_original_zip_loads_like_its_folder(
    shared_data: Path, tmp_path: Path, snapshot_warehouse: Callable[[str], Built]
) -> None:
    # 2026-04-11 is the one snapshot whose unmodified benchmark_data.zip was kept
    original = shared_data / "epoch" / "2026-04-11" / "benchmark_data.zip"
    settings = make_settings(tmp_path / "data").with_location("epoch", str(original))

    result = refresh(settings, date(2026, 4, 11))

    [outcome] = result.sources
    assert (outcome.status, outcome.quarantined) == ("loaded", {})
    assert outcome.bytes == original.stat().st_size
    assert scores(settings) == scores(snapshot_warehouse("2026-04-11").settings)
