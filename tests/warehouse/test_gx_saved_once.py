"""A night with the same suites writes only its results to gx/; a changed suite is saved again.

The frame is a small hand-written one (three rows, two files), not a snapshot: what is under
test is what the project keeps between nights, not the checks themselves.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from validation import expectations
from validation.project import open_context, project_dir, run_checkpoint, saved_checkpoints

NAME = "demo.collapsed_scores"


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "file": ["a.csv", "a.csv", "b.csv"],
            "benchmark_id": ["a", "a", "b"],
            "model_version": ["m1", "m1", "m2"],  # m1 twice in a.csv: not unique
        }
    )


def night(root: Path, checks: list[expectations.Check], run_name: str) -> dict[int, Any]:
    """One night's run of the suite, in a new context (as a new process opens it)."""
    (checkpoint,) = saved_checkpoints(open_context(root), {NAME: checks}).values()
    return run_checkpoint(checkpoint, frame(), run_name)


def saved_files(root: Path) -> dict[str, bytes]:
    """Every file of the project but the stored results, by path."""
    gx = project_dir(root)
    return {
        str(path.relative_to(gx)): path.read_bytes()
        for path in sorted(gx.rglob("*"))
        if path.is_file() and "validations" not in path.relative_to(gx).parts[:2]
    }


def test_same_suite_is_not_saved_again_and_results_accumulate(tmp_path: Path) -> None:
    checks = expectations.collapsed_score_checks()
    outcomes = night(tmp_path, checks, "night-1")
    # the duplicate (a.csv, m1) fails the uniqueness check, at both of its rows
    assert not outcomes[0].success and outcomes[1].success
    assert sorted(outcomes[0].result["unexpected_index_list"]) == [0, 1]
    before = saved_files(tmp_path)
    assert any(p.startswith("checkpoints") for p in before)

    # a later night with the same suite
    night(tmp_path, expectations.collapsed_score_checks(), "night-2")
    assert saved_files(tmp_path) == before
    context = open_context(tmp_path)
    runs = {k.run_id.run_name for k in context.validation_results_store.list_keys()}
    assert runs == {"night-1", "night-2"}
    assert context.checkpoints.get(NAME).validation_definitions[0].suite.name == NAME

    # a suite changed in code (one check fewer) is saved again and runs as changed
    fewer = expectations.collapsed_score_checks()[1:]
    outcomes = night(tmp_path, fewer, "night-3")
    assert list(outcomes) == [0] and outcomes[0].success
    suite = open_context(tmp_path).suites.get(NAME)
    assert [e.meta["notes"] for e in suite.expectations] == [fewer[0].describe]
    assert saved_files(tmp_path) != before
