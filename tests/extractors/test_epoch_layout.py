"""extractors.epoch_layout: the layout is read off the bundle's files; drift becomes news.

The small CSVs below are hand-written for these tests (invented model names and labels).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from extractors.epoch import parse_members
from extractors.epoch_layout import (
    ECI_SCORES,
    LABEL_CLASSES,
    NEW_REGISTRY,
    detect_layout,
    label_class,
    read_registry,
)
from tests.conftest import EPOCH_SNAPSHOTS, PROJECT, epoch_dir

NEW_LAYOUT = "2026-09-new-layout"

REGISTRY = (
    b"model_version,model_group,date,display_name,organization,country,accessibility,"
    b"training_compute_flop\n"
    b"alpha-1_high,Alpha 1,2026-01-01,Alpha 1 (high),Alpha Labs,United States of America,"
    b"API access,\n"
    b"alpha-1_low,Alpha 1,2026-01-01,Alpha 1 (low),Alpha Labs,United States of America,"
    b"API access,\n"
    b"beta-2,Beta 2,2026-02-01,,Beta AI,China,,\n"
    b",Gamma,2026-03-01,,,,,\n"
)
ECI = (
    b"Model,Display name,eci,eci_ci_low,eci_ci_high,date,Organization,"
    b"Country (of organization),Model accessibility,Accessibility group,model_versions\n"
    b"Alpha 1,Alpha 1,150.0,148,152,2026-01-01,Alpha Labs,United States of America,"
    b"API access,Closed weights,\n"
    b"Beta 2,Beta 2,140.0,138,142,2026-02-01,Beta AI,China,Unknown,Other,\n"
    b"Delta,Delta,120.0,118,122,2025-01-01,Delta,France,Open weights (unrestricted),"
    b"Open weights,\n"
)


def test_layout_is_read_off_the_files_of_every_shared_snapshot(shared_data: Path) -> None:
    for snapshot in EPOCH_SNAPSHOTS:
        files = {p.name: b"" for p in epoch_dir(shared_data, snapshot).iterdir()}
        assert detect_layout(files) == "capabilities_index", snapshot
    new = epoch_dir(shared_data, NEW_LAYOUT)
    assert detect_layout({p.name: b"" for p in new.iterdir()}) == "model_metadata"
    assert detect_layout({"gpqa_diamond.csv": b""}) == "unknown"


def test_new_registry_rows_and_eci_expanded_to_versions() -> None:
    registry = read_registry({NEW_REGISTRY: REGISTRY, ECI_SCORES: ECI})

    assert registry.layout == "model_metadata" and registry.changes == []
    assert registry.files == {NEW_REGISTRY: "registry", ECI_SCORES: "index"}
    rows = [r for r in registry.records if r["file"] == NEW_REGISTRY]
    assert [r["model_version"] for r in rows] == ["alpha-1_high", "alpha-1_low", "beta-2", ""]
    assert json.loads(str(rows[0]["extra"]))["accessibility"] == "API access"
    assert rows[0]["release_date"] == "2026-01-01" and rows[2]["country"] == "China"
    eci = [
        (r["model_version"], r["score_text"]) for r in registry.records if r["file"] == ECI_SCORES
    ]
    # Alpha 1 covers both its versions; Delta has none in the registry: kept, version blank
    assert eci == [
        ("alpha-1_high", "150.0"),
        ("alpha-1_low", "150.0"),
        ("beta-2", "140.0"),
        (None, "120.0"),
    ]


def test_eci_model_versions_column_wins_when_filled() -> None:
    filled = ECI.replace(b"Closed weights,\n", b'Closed weights,"alpha-1_high"\n', 1)
    registry = read_registry({NEW_REGISTRY: REGISTRY, ECI_SCORES: filled})
    alpha = [r["model_version"] for r in registry.records if r["file"] == ECI_SCORES][:2]
    assert alpha == ["alpha-1_high", "beta-2"]


def test_unseen_label_and_column_are_reported_not_fatal() -> None:
    drifted = REGISTRY.replace(b"training_compute_flop\n", b"training_compute_flop,license\n")
    drifted = drifted.replace(b"China,,\n", b"China,Weights on request,,MIT\n")
    registry = read_registry({NEW_REGISTRY: drifted})

    assert NEW_REGISTRY in registry.files and registry.file_errors == {}
    assert len([r for r in registry.records if r["file"] == NEW_REGISTRY]) == 4
    changes = {c.change: c for c in registry.changes}
    assert set(changes) == {"new_columns", "unknown_labels"}
    assert (
        "license" in changes["new_columns"].detail and "license" in changes["new_columns"].columns
    )
    assert "'Weights on request'" in changes["unknown_labels"].detail


def test_registry_without_its_label_column_is_quarantined_and_reported() -> None:
    renamed = REGISTRY.replace(b",accessibility,", b",access_level,")
    registry = read_registry({NEW_REGISTRY: renamed})

    assert NEW_REGISTRY in registry.file_errors and NEW_REGISTRY not in registry.files
    missing = [c for c in registry.changes if c.change == "missing_columns"]
    assert len(missing) == 1 and "accessibility" in missing[0].detail
    assert "access_level" in missing[0].columns


def test_bundle_without_a_registry_is_an_unknown_layout_that_still_loads_scores() -> None:
    gpqa = b"Model version,Best score (across scorers),Release date\nm1,0.5,2026-01-01\n"
    bundle = parse_members({"gpqa_diamond.csv": gpqa})

    assert bundle.layout == "unknown"
    assert bundle.files == {"gpqa_diamond.csv": "fraction"}
    assert [c.change for c in bundle.format_changes] == ["unknown_layout"]


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Open weights (unrestricted)", "open"),
        ("API access", "closed"),
        ("Hosted access (no API)", "closed"),
        ("Limited access", "excluded"),
        ("Unreleased", "excluded"),
        ("Unknown", "unknown"),
        ("Weights on request", "unknown"),
        ("  ", None),
    ],
)
def test_label_classes(label: str, expected: str | None) -> None:
    assert label_class(label) == expected


def test_label_classes_match_the_seed_the_marts_read() -> None:
    path = PROJECT / "transforms" / "seeds" / "accessibility_labels.csv"
    with path.open(encoding="utf-8", newline="") as stream:
        seeded = {row["label"]: row["class"] for row in csv.DictReader(stream)}
    assert seeded == LABEL_CLASSES
