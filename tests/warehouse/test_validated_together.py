"""The one-payload sources (leaderboards) are validated together, one checkpoint run per suite,
yet each keeps its own verdict: a bad payload quarantines that source only, and trouble while
validating or recording one source ends that source only.

Real leaderboard snapshots; the night's as-of date (2026-04-20) is before WeirdML's 2026-08-17
snapshot was published, so its models' release dates lie after the as-of date: a bad payload.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import validation.validate as validate
from pipeline.run import refresh
from pipeline.settings import Settings
from tests.conftest import epoch_dir
from tests.warehouse.bundles import Built, copy_warehouse, make_settings, query, scores

AS_OF = date(2026, 4, 20)
BOARDS = {"aider": "aider_polyglot/2025-10-04", "metr": "metr_time_horizons/2026-03-03"}
LATE = "weirdml/2026-08-17"


def settings_for(shared_data: Path, tmp_path: Path) -> Settings:
    settings = make_settings(tmp_path / "data")
    for source, where in {**BOARDS, "weirdml": LATE}.items():
        settings = settings.with_location(source, str(shared_data / "leaderboards" / where))
    return settings.only("aider", "metr", "weirdml")


def statuses(settings: Settings) -> dict[str, tuple[str, str | None]]:
    rows = query(settings, "select source, status, reason from raw.batches")
    return {source: (status, reason) for source, status, reason in rows}


def scored(settings: Settings) -> set[str]:
    return {s for (s,) in query(settings, "select distinct source from marts.source_scores")}


def test_one_run_per_suite_and_a_verdict_per_source(shared_data: Path, tmp_path: Path) -> None:
    import great_expectations as gx

    settings = settings_for(shared_data, tmp_path)
    night = refresh(settings, AS_OF)

    outcomes = {o.source: o.status for o in night.sources}
    assert outcomes == {"aider": "loaded", "metr": "loaded", "weirdml": "partial"}
    verdicts = statuses(settings)
    assert verdicts["aider"] == ("passed", None) and verdicts["metr"] == ("passed", None)
    status, reason = verdicts["weirdml"]
    assert status == "quarantined"
    assert reason is not None and "release date is after the as-of date" in reason
    assert scored(settings) == {"aider", "metr"}
    # the three payloads went through one checkpoint run of each suite
    context = gx.get_context(mode="file", project_root_dir=str(settings.data_dir))
    runs = [
        key.expectation_suite_identifier.name
        for key in context.validation_results_store.list_keys()
    ]
    assert sorted(runs) == ["observations.collapsed_scores", "observations.score_rows"]


def test_a_failed_run_over_all_validates_each_alone(
    shared_data: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    together = validate.validate_together

    def only_one(con: Any, fetches: Sequence[tuple[str, int]], *args: Any, **kw: Any) -> Any:
        if len(fetches) > 1:
            raise RuntimeError("GX could not run the suite")
        return together(con, fetches, *args, **kw)

    monkeypatch.setattr(validate, "validate_together", only_one)
    settings = settings_for(shared_data, tmp_path)
    with caplog.at_level(logging.WARNING):
        night = refresh(settings, AS_OF)

    assert "validating 3 sources together failed (GX could not run the suite); each alone" in (
        caplog.text
    )
    outcomes = {o.source: o.status for o in night.sources}
    assert outcomes == {"aider": "loaded", "metr": "loaded", "weirdml": "partial"}
    assert scored(settings) == {"aider", "metr"}


def test_trouble_recording_one_source_ends_that_source_only(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = validate.record_verdicts

    def not_metr(con: Any, source: str, *args: Any) -> None:
        if source == "metr":
            raise OSError("disk full")
        record(con, source, *args)

    monkeypatch.setattr(validate, "record_verdicts", not_metr)
    settings = settings_for(shared_data, tmp_path)
    night = refresh(settings, AS_OF)

    outcomes = {o.source: (o.status, o.message) for o in night.sources}
    line = "metr: validate failed: OSError: disk full"
    assert outcomes["metr"] == ("failed", line)
    assert outcomes["aider"] == ("loaded", None)
    # metr's rows were committed as pending before the verdict: they stay out of the marts
    assert statuses(settings)["metr"] == ("quarantined", f"not validated: {line}")
    assert scored(settings) == {"aider"}
    assert query(settings, "select status from raw.fetches where source = 'metr'") == [("failed",)]


def test_trouble_validating_epoch_keeps_the_last_good_night(
    shared_data: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    snapshot_warehouse: Callable[[str], Built],
) -> None:
    # Epoch's rows, too, are committed as pending before validation (DuckDB then has their
    # statistics): validation raising leaves them quarantined, out of the marts
    before = snapshot_warehouse("2026-04-11")
    settings = copy_warehouse(before, tmp_path / "data")
    settings = settings.with_location("epoch", str(epoch_dir(shared_data, "2026-04-19")))

    def disk_full(*args: Any, **kw: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(validate, "validate_fetch", disk_full)
    night = refresh(settings, date(2026, 4, 19))

    line = "epoch: validate failed: OSError: disk full"
    assert [(o.source, o.status, o.message) for o in night.sources] == [("epoch", "failed", line)]
    newest = "select max(fetch_id) from raw.fetches where source = 'epoch'"
    reasons = query(
        settings, f"select distinct status, reason from raw.batches where fetch_id = ({newest})"
    )
    assert reasons == [("quarantined", f"not validated: {line}")]
    # the rows landed and stay, for a replay; the marts still hold the last good night
    landed = f"select count(*) > 0 from raw.epoch__benchmark_rows where _fetch_id = ({newest})"
    assert query(settings, landed) == [(True,)]
    assert scores(settings) == scores(before.settings)
