"""The fast nearest-candidates search gives exactly what difflib's full scan gave, on real data.

model_aliases used to compare every unresolved name with every Epoch model id through
difflib.get_close_matches (quadratic as both grow); transforms.python.model_aliases.Nearest
prunes with difflib's own bound instead. These tests rebuild the mart with the old full scan
and compare, and cross every real Epoch snapshot's names with every other snapshot's ids.
"""

from __future__ import annotations

import csv
import difflib
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipeline.settings import Settings
from transforms.python import model_aliases
from transforms.python.model_aliases import Matcher, Nearest, normalize, split_effort


def full_scan(self: Matcher, key: str) -> list[str]:
    """The matcher's candidates as they were computed before: every id, through difflib."""
    return difflib.get_close_matches(key, sorted(self.ids), n=3, cutoff=0.6)


def test_the_alias_mart_is_identical_to_the_full_scan(
    all_sources_warehouse: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    with duckdb.connect(str(all_sources_warehouse.database), read_only=True) as con:
        fast = model_aliases.build(con, {})
        monkeypatch.setattr(Matcher, "nearest", full_scan)
        slow = model_aliases.build(con, {})
    assert fast["candidates"].notna().sum() > 100, "real unresolved names with candidates"
    # the observed names come from a `select distinct` without an order: compare as sets of rows
    key = ["source", "source_name"]
    pd.testing.assert_frame_equal(
        fast.sort_values(key).reset_index(drop=True), slow.sort_values(key).reset_index(drop=True)
    )


def epoch_names(snapshot: Path) -> set[str]:
    """Every model version and model name in one Epoch snapshot's CSVs."""
    names: set[str] = set()
    for path in sorted(snapshot.rglob("*.csv")):
        with open(path, encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                for column in ("Model version", "Model name", "model", "Model"):
                    value = (row.get(column) or "").strip()
                    if value:
                        names.add(value)
    return names


def test_other_epoch_snapshots_against_2026_04_19(shared_data: Path) -> None:
    """Names of every other Epoch snapshot looked up among 2026-04-19's ids: real unmatched names.

    The model registry snapshots hold thousands of names; every fifth (in sorted order) keeps
    this test quick, since the reference is the slow full scan itself.
    """
    epoch = shared_data / "epoch"
    ids = sorted({normalize(split_effort(n)[0]) for n in epoch_names(epoch / "2026-04-19")})
    keys: set[str] = set()
    for snapshot in sorted(p for p in epoch.iterdir() if p.is_dir() and p.name != "2026-04-19"):
        found = sorted({normalize(split_effort(n)[0]) for n in epoch_names(snapshot)} - set(ids))
        keys.update(found if len(found) < 300 else found[::5])
    assert len(keys) > 500
    nearest = Nearest(ids)
    for key in sorted(keys):
        assert nearest.get(key) == difflib.get_close_matches(key, ids, n=3, cutoff=0.6), key


@pytest.mark.parametrize(
    ("ids", "key"),
    [
        (["", "a"], ""),  # the empty name: difflib calls two empty strings identical
        (["ab-1", "ab-2", "ab-3", "ab-4"], "ab-"),  # four ties for three places
        (["x"], "longer-than-every-id"),
        ([], "anything"),
    ],
)
def test_edge_cases_match_difflib(ids: list[str], key: str) -> None:
    """Hand-written edge cases: empty strings, ties, no candidate at all."""
    assert Nearest(sorted(ids)).get(key) == difflib.get_close_matches(key, sorted(ids), 3, 0.6)
