"""The nightly Prefect flow, run for real on the session's temporary Prefect server.

Four real Epoch snapshots are refreshed night after night into one warehouse; the gap_closed
alerts of each night must be exactly the pending -> both_crossed transitions this test finds itself
between the crossings of consecutive nights.
"""

from __future__ import annotations

import http.server
import itertools
import json
import logging
import os
import re
import socket
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.conftest import EPOCH_SNAPSHOTS, SAMPLE_BUNDLE, epoch_dir, quiet_handler

pytestmark = pytest.mark.usefixtures("prefect_backend")

Key = tuple[str, float, str]  # (benchmark_id, threshold, open_scope)
Starter = Callable[[type[http.server.BaseHTTPRequestHandler]], str]

# set by tests/conftest.py for the whole session: the flow's fetch retry, one, at once
KEEP_ENV = ("GAPWATCH_FETCH_RETRY_DELAYS",)


def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No GAPWATCH_* setting leaks in from outside; the flow refreshes Epoch only.

    Other sources (WeirdML, ...) read from the live web by default: these tests are about the
    flow's behaviour, on Epoch's real snapshots, never on the network.
    """
    for name in [n for n in os.environ if n.startswith("GAPWATCH_") and n not in KEEP_ENV]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("GAPWATCH_SOURCES", "epoch")
    # fast client-side HTTP: no urllib3 retries, so each request is one attempt of the task
    monkeypatch.setenv("GAPWATCH_HTTP_RETRIES", "0")
    monkeypatch.setenv("GAPWATCH_HTTP_BACKOFF", "0")
    monkeypatch.setenv("GAPWATCH_HTTP_TIMEOUT", "20")


def guard_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loopback only, like tests/conftest.py's no_network, for module-scoped fixtures too."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        host = str(address[0] if isinstance(address, tuple) else address)
        loopback = host.startswith("127.") or host in ("::1", "localhost")
        if self.family in (socket.AF_INET, socket.AF_INET6) and not loopback:
            raise ConnectionRefusedError(f"tests may only connect to loopback, not {host}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture
def restore_environ() -> Iterator[None]:
    """`gapwatch refresh` writes its settings into os.environ for the flow: put it all back."""
    saved = dict(os.environ)
    yield
    for name in set(os.environ) - set(saved):
        del os.environ[name]
    os.environ.update(saved)


def rows(database: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


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


# ---------------------------------------------------------------------------- failures


@dataclass
class Failing:
    url: str
    requests: list[str]


@pytest.fixture
def failing_url(loopback_server: Starter) -> Failing:
    """A loopback HTTP server that answers every GET with 500."""
    seen: list[str] = []

    class Always500(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            body = b"internal error"
            self.send_response(500)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    base = loopback_server(quiet_handler(Always500))
    return Failing(f"{base}/data/benchmark_data.zip", seen)


@pytest.fixture
def cli_logging() -> Iterator[None]:
    """The CLI adds a root logging handler; take it away again."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)  # setLevel, not `root.level =`: it clears the loggers' level caches


def scores_count(database: Path) -> int:
    count: int = rows(database, "select count(*) from marts.benchmark_scores")[0][0]
    return count


def test_cli_refresh_runs_the_flow_and_reports_a_failing_source(
    shared_data: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    failing_url: Failing,
    cli_logging: None,
    restore_environ: None,
    on_prefect_server: str,
) -> None:
    """With PREFECT_API_URL set (this session's server), `gapwatch refresh` runs the flow there."""
    from cli.main import main

    clean_env(monkeypatch)
    data_dir = tmp_path / "data"
    database = data_dir / "gapwatch.duckdb"
    snapshot = EPOCH_SNAPSHOTS[-1]
    common = ["--as-of", snapshot, "--data-dir", str(data_dir), "--quiet"]

    code = main(["refresh", "--source", f"epoch={epoch_dir(shared_data, snapshot)}", *common])
    out, err = capsys.readouterr()
    assert code == 0, err
    (source_line,) = [line for line in out.splitlines() if line.startswith("epoch:")]
    loaded = re.fullmatch(
        r"epoch: loaded \(\d+\.\d MB, (\d+) rows, validation passed\)", source_line
    )
    assert loaded, source_line
    runs = rows(database, "select run_id, status, rows from history.refresh_runs")
    assert len(runs) == 1 and runs[0][1] == "succeeded"
    assert int(loaded.group(1)) == runs[0][2]
    before = scores_count(database)
    assert before > 0

    code = main(["refresh", "--source", f"epoch={failing_url.url}", *common])
    out, err = capsys.readouterr()
    assert code == 1
    # the CLI names the failed source and why, one "gapwatch: <source>: ..." line per problem
    problems = [line for line in err.splitlines() if line.startswith("gapwatch: epoch")]
    assert problems and "HTTP 500" in problems[0], err
    assert failing_url.url in err
    assert "epoch: failed (no download" in out
    assert failing_url.requests, "the failing server was never asked"
    assert scores_count(database) == before
    statuses = rows(
        database, "select status, source_status from history.refresh_runs order by finished_at"
    )
    assert statuses == [("succeeded", "loaded"), ("failed", "failed")]
    # both nights ran as flows on the configured server, which knows their flow runs
    flow_runs = rows(database, "select distinct prefect_flow_run_id from history.refresh_runs")
    assert len(flow_runs) == 2 and all(run for (run,) in flow_runs)
    for (run,) in flow_runs:
        with urllib.request.urlopen(f"{on_prefect_server}/flow_runs/{run}", timeout=10) as got:
            assert json.loads(got.read())["id"] == run


def test_failed_fetch_fails_the_flow_and_keeps_the_last_good_data(
    shared_data: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    failing_url: Failing,
) -> None:
    from flows.nightly import nightly_refresh

    clean_env(monkeypatch)
    data_dir = tmp_path / "data"
    database = data_dir / "gapwatch.duckdb"
    monkeypatch.setenv("GAPWATCH_DATA_DIR", str(data_dir))
    good, bad = date(2026, 4, 11), date(2026, 4, 12)
    monkeypatch.setenv("GAPWATCH_EPOCH_LOCATION", str(epoch_dir(shared_data, good.isoformat())))
    assert nightly_refresh(as_of=good)["ok"] is True
    before = scores_count(database)

    monkeypatch.setenv("GAPWATCH_EPOCH_LOCATION", failing_url.url)
    state = nightly_refresh(as_of=bad, return_state=True)

    assert state.is_failed()
    error = state.result(raise_on_failure=False)
    assert isinstance(error, RuntimeError)
    assert "epoch" in str(error) and "HTTP 500" in str(error)
    # client-side retries are off here (GAPWATCH_HTTP_RETRIES=0), so every request is one
    # attempt of the extract task: the first and the flow's single retry
    assert len(failing_url.requests) == 2
    fetches = rows(
        database,
        "select status, location, message, http_status from raw.fetches where as_of = ?",
        [bad],
    )
    assert len(fetches) == 1
    status, location, message, http_status = fetches[0]
    # the status survives the task's retries and its trip through Prefect's task state
    assert (status, location, http_status) == ("failed", failing_url.url, 500)
    assert "HTTP 500" in message
    runs = rows(
        database,
        "select status, source, source_status, validation from history.refresh_runs "
        "where as_of = ?",
        [bad],
    )
    assert runs == [("failed", "epoch", "failed", "not run")]
    assert scores_count(database) == before


# ---------------------------------------------------------------------------- on a DuckLake


def test_nights_on_a_sqlite_catalog_ducklake_have_their_artifacts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GAPWATCH_WAREHOUSE=ducklake:sqlite:...: the flow refreshes the lake (its SQLite catalog
    attached through the sqlite_scanner wheel, offline), each night gets its markdown artifact
    with the headline read from the lake, and every night stays readable by its date."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    from flows.nightly import ARTIFACT_KEY, nightly_refresh
    from pipeline.summary import headline_sentence
    from tests.faults.child import changed_bundle
    from warehouse.store import list_nights, reading
    from warehouse.where import Warehouse

    clean_env(monkeypatch)
    catalog = tmp_path / "lake" / "catalog.sqlite"
    files = tmp_path / "lake" / "files"
    monkeypatch.setenv("GAPWATCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GAPWATCH_WAREHOUSE", f"ducklake:sqlite:{catalog}")
    monkeypatch.setenv("GAPWATCH_WAREHOUSE_DATA", str(files))
    lake = Warehouse(
        file=tmp_path / "unused.duckdb", catalog=f"ducklake:sqlite:{catalog}", data_path=str(files)
    )
    nights = [(date(2026, 4, 20), SAMPLE_BUNDLE), (date(2026, 4, 21), changed_bundle(tmp_path))]
    for night, bundle in nights:
        monkeypatch.setenv("GAPWATCH_EPOCH_LOCATION", str(bundle))
        assert nightly_refresh(as_of=night)["ok"] is True

    # the lake, not a DuckDB file: the catalog is SQLite, the marts are Parquet files
    assert catalog.read_bytes().startswith(b"SQLite format 3")
    assert list(files.rglob("*.parquet"))
    assert not (tmp_path / "data" / "gapwatch.duckdb").exists()
    assert [n.as_of for n in list_nights(lake)] == [night for night, _ in nights]
    gpqa = "select max(score) from marts.benchmark_scores where benchmark_id = 'gpqa_diamond'"
    with reading(lake, night="2026-04-20") as con:
        first = con.execute(gpqa).fetchall()[0][0]
    with reading(lake) as con:
        last = con.execute(gpqa).fetchall()[0][0]
        flow_runs = con.execute(
            "select prefect_flow_run_id from history.refresh_runs order by started_at"
        ).fetchall()
    assert first < last == pytest.approx(0.97)  # the second night's raised score, as of each

    ids = [uuid.UUID(str(run)) for (run,) in flow_runs]
    assert len(ids) == len(nights)
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=ids))
        )
    by_run = {a.flow_run_id: str(a.data) for a in artifacts if a.key == ARTIFACT_KEY}
    assert sorted(by_run, key=ids.index) == ids  # one per night, none "not created"
    for (night, _), run in zip(nights, ids, strict=True):
        assert by_run[run].startswith(f"# gapwatch, the night of {night.isoformat()}")
        assert "| epoch | loaded |" in by_run[run]
    assert headline_sentence(lake) in by_run[ids[-1]]
