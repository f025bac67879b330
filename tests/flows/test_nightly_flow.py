"""The nightly Prefect flow, run for real on the session's temporary Prefect server.

Four real Epoch snapshots are refreshed night after night into one warehouse; the gap_closed
alerts of each night must be exactly the pending -> both_crossed transitions this test finds itself
between the crossings of consecutive nights. (A failing night: test_nightly_failures.py; the flow
on a DuckLake: test_nightly_ducklake.py. Separate files, so the test workers share them out.)
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EPOCH_SNAPSHOTS, epoch_dir
from tests.flows.nightly_env import clean_env, guard_network, rows

pytestmark = [pytest.mark.usefixtures("prefect_backend"), pytest.mark.long]

Key = tuple[str, float, str]  # (benchmark_id, threshold, open_scope)


def crossings(database: Path) -> dict[Key, str]:
    found = rows(
        database, "select benchmark_id, threshold, open_scope, status from marts.crossings"
    )
    snapshot = {(b, t, s): status for b, t, s, status in found}
    assert len(snapshot) == len(found), "marts.crossings has duplicate keys"
    return snapshot


def pending_to_closed(before: dict[Key, str], after: dict[Key, str]) -> set[Key]:
    return {
        key
        for key, status in after.items()
        if status == "both_crossed" and before.get(key) == "pending"
    }


@dataclass
class Night:
    as_of: date
    summary: dict[str, Any]
    crossings: dict[Key, str]
    alerts_total: int


@dataclass
class History:
    database: Path
    nights: list[Night]  # the four snapshots in date order, then the last one again


@pytest.fixture(scope="module")
def history(
    prefect_backend: None, shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> History:
    """The flow run over every shared snapshot in date order into one warehouse, then the
    last night again; after each run, what the marts hold."""
    from flows.nightly import nightly_refresh

    data_dir = tmp_path_factory.mktemp("nightly") / "data"
    database = data_dir / "gapwatch.duckdb"
    nights = []
    with pytest.MonkeyPatch.context() as monkeypatch:
        guard_network(monkeypatch)
        clean_env(monkeypatch)
        monkeypatch.setenv("GAPWATCH_DATA_DIR", str(data_dir))
        for snapshot in (*EPOCH_SNAPSHOTS, EPOCH_SNAPSHOTS[-1]):
            monkeypatch.setenv("GAPWATCH_EPOCH_LOCATION", str(epoch_dir(shared_data, snapshot)))
            night = date.fromisoformat(snapshot)
            summary = nightly_refresh(as_of=night)
            total = rows(database, "select count(*) from history.alerts")[0][0]
            nights.append(Night(night, summary, crossings(database), total))
    return History(database, nights)


def test_every_night_refreshes_cleanly_in_date_order(history: History) -> None:
    assert [n.as_of for n in history.nights] == [
        date.fromisoformat(s) for s in (*EPOCH_SNAPSHOTS, EPOCH_SNAPSHOTS[-1])
    ]
    for night, expected in zip(
        history.nights, ["loaded"] * len(EPOCH_SNAPSHOTS) + ["unchanged"], strict=True
    ):
        assert night.summary["ok"] is True, night.summary
        assert night.summary["as_of"] == night.as_of.isoformat()
        assert night.summary["sources"] == {"epoch": expected}
        assert night.summary["undelivered"] == 0
        assert night.crossings, f"no crossings after {night.as_of}"
    run_ids = [n.summary["run_id"] for n in history.nights]
    assert len(set(run_ids)) == len(run_ids)
    # they ran as Prefect flow runs, recorded by the session's server
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=["nightly-refresh"]))
        )
    completed = sorted(
        str(r.parameters["as_of"]) for r in runs if r.state is not None and r.state.is_completed()
    )
    assert set(completed) >= {n.as_of.isoformat() for n in history.nights}
    recorded = rows(
        history.database,
        "select run_id, as_of, status, source, source_status from history.refresh_runs",
    )
    assert sorted(recorded) == sorted(
        (n.summary["run_id"], n.as_of, "succeeded", "epoch", n.summary["sources"]["epoch"])
        for n in history.nights
    )


def test_each_night_has_a_markdown_artifact_with_the_headline_and_links(
    history: History,
) -> None:
    """The Prefect UI tells the night: one markdown artifact per flow run with the report's
    headline sentence and links to the report and its Data Docs. (Task-run names are checked
    by the service test: this temporary server does not record task runs.)"""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
    )

    from flows.nightly import ARTIFACT_KEY
    from pipeline.summary import headline_sentence

    recorded = rows(
        history.database,
        "select prefect_flow_run_id, min(started_at) from history.refresh_runs "
        "group by prefect_flow_run_id order by 2",
    )
    flow_run_ids = [uuid.UUID(str(r[0])) for r in recorded]
    assert len(flow_run_ids) == len(history.nights)
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=flow_run_ids))
        )
    by_run = {a.flow_run_id: a for a in artifacts if a.key == ARTIFACT_KEY}
    assert sorted(by_run, key=flow_run_ids.index) == flow_run_ids  # one per night
    for night, flow_run_id in zip(history.nights, flow_run_ids, strict=True):
        markdown = str(by_run[flow_run_id].data)
        assert markdown.startswith(f"# gapwatch, the night of {night.as_of.isoformat()}")
        page = history.database.parent / "reports" / night.as_of.isoformat() / "report.html"
        assert f"[The report]({page.resolve().as_uri()})" in markdown
        docs = page.parent / "data-docs" / "index.html"
        assert f"[Data Docs]({docs.resolve().as_uri()})" in markdown and docs.is_file()
        assert f"run id `{night.summary['run_id']}`" in markdown
        status = night.summary["sources"]["epoch"]
        assert f"| epoch | {status} |" in markdown
    # the last night's headline is the one the warehouse gives now (it re-ran the same data)
    last = str(by_run[flow_run_ids[-1]].data)
    assert headline_sentence(history.database) in last


def test_first_night_is_a_baseline_without_alerts(history: History) -> None:
    first = history.nights[0]
    assert first.summary["alerts"] == []
    assert first.alerts_total == 0
    # the baseline still saw gaps worth alerting about later: pending thresholds exist
    assert "pending" in first.crossings.values()


def test_gap_closed_alerts_are_exactly_the_pending_to_closed_transitions(
    history: History,
) -> None:
    nights = history.nights[: len(EPOCH_SNAPSHOTS)]
    closed_total = 0
    for before, after in itertools.pairwise(nights):
        expected = pending_to_closed(before.crossings, after.crossings)
        raised = rows(
            history.database,
            "select benchmark_id, threshold, open_scope from history.alerts "
            "where kind = 'gap_closed' and as_of = ?",
            [after.as_of],
        )
        assert len(raised) == len(set(raised)), f"duplicate gap_closed alerts on {after.as_of}"
        assert set(raised) == expected, f"gap_closed alerts of {after.as_of}"
        # every alert of that night belongs to its run
        run_ids = rows(
            history.database,
            "select distinct run_id from history.alerts where as_of = ?",
            [after.as_of],
        )
        assert run_ids in ([], [(after.summary["run_id"],)])
        # what the flow returned is what it stored
        stored = rows(
            history.database,
            "select count(*) from history.alerts where run_id = ?",
            [after.summary["run_id"]],
        )[0][0]
        assert len(after.summary["alerts"]) == stored
        closed_total += len(expected)
    # over five months of Epoch data open models closed gaps: the comparison is not vacuous
    assert closed_total > 0


def test_rerunning_the_last_night_raises_nothing_and_records_unchanged(
    history: History,
) -> None:
    last, again = history.nights[-2], history.nights[-1]
    assert again.as_of == last.as_of
    assert again.alerts_total == last.alerts_total
    assert again.summary["alerts"] == []
    assert again.crossings == last.crossings
    runs = rows(
        history.database,
        "select status, source_status, changed from history.refresh_runs where run_id = ?",
        [again.summary["run_id"]],
    )
    assert runs == [("succeeded", "unchanged", False)]


def test_gap_history_has_one_set_of_rows_per_run(history: History) -> None:
    per_run = dict(
        rows(history.database, "select run_id, count(*) from history.gap_history group by run_id")
    )
    assert set(per_run) == {n.summary["run_id"] for n in history.nights}
    # one set: every run recorded the same series, once each (primary key run_id, series)
    series = rows(
        history.database,
        "select run_id, list(series order by series) from history.gap_history group by run_id",
    )
    assert len({tuple(s) for _, s in series}) == 1
    assert "all" in series[0][1]


def test_cli_gap_history_prints_one_line_per_run(
    history: History, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli.main import main

    assert main(["gaps", "--history", "all", "--db", str(history.database)]) == 0
    lines = capsys.readouterr().out.splitlines()
    for night in history.nights:
        mine = [line for line in lines if night.summary["run_id"] in line]
        assert len(mine) == 1, (night.summary["run_id"], lines)
        assert mine[0].startswith(night.as_of.isoformat())
    assert f"({len(history.nights)} rows)" in lines
