"""The nightly Prefect flow when a source fails: the CLI on a configured Prefect server, and
the flow itself, both against a loopback server that answers 500. The marts keep the last
good data, the failure is recorded, and the CLI names the source and why.

These tests are about the data and the messages: the report's publishing is replaced (see
the `no_report` fixtures); the nightly history in test_nightly_flow.py publishes it for real.
"""

from __future__ import annotations

import http.server
import json
import logging
import os
import re
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import EPOCH_SNAPSHOTS, epoch_dir, quiet_handler
from tests.flows.nightly_env import clean_env, rows, scores_count

pytestmark = pytest.mark.usefixtures("prefect_backend", "no_flow_report")

Starter = Callable[[type[http.server.BaseHTTPRequestHandler]], str]


@pytest.fixture
def restore_environ() -> Iterator[None]:
    """`gapwatch refresh` writes its settings into os.environ for the flow: put it all back."""
    saved = dict(os.environ)
    yield
    for name in set(os.environ) - set(saved):
        del os.environ[name]
    os.environ.update(saved)


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
