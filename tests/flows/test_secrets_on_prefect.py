"""Secrets on the Prefect path: a failing night never shows the webhook secret or the API key.

`gapwatch refresh` runs in a child process as the nightly flow on this session's Prefect
server. The webhook (its secret in the URL path, read from a Prefect Secret block) drops the
first alert's connection and answers 500 to the rest; the Artificial Analysis API (the key in
a header) answers 429, drops the connection, then answers 500, so urllib3 retries with its
warnings and the flow's fetch task retries. urllib3's and gapwatch's own loggers are shipped to
Prefect as well. Neither secret may appear in the child's stdout or stderr, in any log the
server holds for the flow run and its task runs, in the runs' states and parameters, in the
artifacts, or in any file the night left behind. Both servers are loopback servers this test
starts; nothing is mocked.
"""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path

import duckdb
import pytest

from pipeline.run import refresh
from tests.conftest import PROJECT, SAMPLE_BUNDLE, quiet_handler
from tests.faults.conftest import Start
from tests.faults.test_night_alerts import alerting_bundle, every_byte
from tests.warehouse.bundles import make_settings

pytestmark = pytest.mark.long

WEBHOOK_SECRET = "T1LEAK/B1LEAK/" + "hooksecret" * 3
API_KEY = "aa-" + "k3ysecret" * 4
# what must never show: the distinctive parts of each secret
NEVER = ("hooksecret", "B1LEAK", "k3ysecret")
BASELINE, NIGHT = date(2026, 4, 20), date(2026, 4, 21)
RETRIES = 2  # urllib3's retries per attempt of the fetch task (the flow retries the task once)
CHILD_TIMEOUT = 600  # a safety bound on a hang, not a speed check


class Webhook:
    """Drops the first post's connection, answers 500 to every later one; keeps the paths."""

    def __init__(self, start: Start) -> None:
        self.paths: list[str] = []
        hook = self

        class Handler(quiet_handler(http.server.BaseHTTPRequestHandler)):  # type: ignore[misc]
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"]))
                hook.paths.append(self.path)
                if len(hook.paths) == 1:
                    self.close_connection = True  # no answer at all
                    return
                self.send_response(500)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.url = f"{start(Handler)}/services/{WEBHOOK_SECRET}"


class FailingApi:
    """The AA API in turns: 429 (Retry-After: 0), a dropped connection, 500; keeps the keys."""

    def __init__(self, start: Start) -> None:
        self.keys: list[str | None] = []
        api = self

        class Handler(quiet_handler(http.server.BaseHTTPRequestHandler)):  # type: ignore[misc]
            def do_GET(self) -> None:
                api.keys.append(self.headers.get("x-api-key"))
                turn = (len(api.keys) - 1) % 3
                if turn == 1:
                    self.close_connection = True
                    return
                self.send_response(429 if turn == 0 else 500)
                if turn == 0:
                    self.send_header("Retry-After", "0")
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.url = f"{start(Handler)}/api/v2/data/llms/models"


def child_env(tmp_path: Path, api: str, webhook_block: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "GAPWATCH_"))}
    env.update(
        PREFECT_HOME=str(tmp_path / "prefect-home"),
        PREFECT_API_URL=api,
        DO_NOT_TRACK="1",
        PREFECT_LOGGING_LEVEL="INFO",
        # every record of these loggers goes to the server's log too: nothing hides from the grep
        PREFECT_LOGGING_EXTRA_LOGGERS="urllib3,requests,pipeline,alerts,extractors,warehouse",
        GAPWATCH_AA_API_KEY=API_KEY,
        GAPWATCH_WEBHOOK_SECRET_BLOCK=webhook_block,
        GAPWATCH_HTTP_RETRIES=str(RETRIES),
        GAPWATCH_HTTP_BACKOFF="0",
        GAPWATCH_HTTP_TIMEOUT="20",
        GAPWATCH_FETCH_RETRY_DELAYS="0",
    )
    return env


def run_records(flow_run_id: uuid.UUID) -> tuple[str, list[str], int]:
    """Everything the server holds about the flow run, as JSON text; its log messages; the
    number of task runs (recorded from events: waited for, a bound on a hang only)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        FlowRunFilter,
        FlowRunFilterId,
        LogFilter,
        LogFilterFlowRunId,
    )

    with get_client(sync_client=True) as client:
        flow_run = client.read_flow_run(flow_run_id)
        states = client.read_flow_run_states(flow_run_id)
        by_run = FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
        limit = time.monotonic() + 60
        task_runs = client.read_task_runs(flow_run_filter=by_run)
        while not task_runs and time.monotonic() < limit:
            time.sleep(0.5)
            task_runs = client.read_task_runs(flow_run_filter=by_run)
        task_states = [s for t in task_runs for s in client.read_task_run_states(t.id)]
        logs = client.read_logs(
            log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])), limit=200
        )
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
    everything = [flow_run, *states, *task_runs, *task_states, *logs, *artifacts]
    text = "\n".join(item.model_dump_json() for item in everything)
    return text, [log.message for log in logs], len(task_runs)


def test_a_failing_night_on_prefect_never_shows_a_secret(
    tmp_path: Path, loopback_server: Start, on_prefect_server: str
) -> None:
    from prefect.blocks.system import Secret

    settings = make_settings(tmp_path / "data").with_location("epoch", str(SAMPLE_BUNDLE))
    baseline = refresh(settings, BASELINE)  # the first night raises no alerts: a baseline
    assert baseline.ok, baseline.problems()
    webhook, api = Webhook(loopback_server), FailingApi(loopback_server)
    block = f"gw-leak-test-{uuid.uuid4().hex[:8]}"
    Secret(value=webhook.url).save(block, overwrite=True)
    argv = [
        "refresh",
        "--data-dir",
        str(settings.data_dir),
        "--source",
        f"epoch={alerting_bundle(tmp_path)}",
        "--source",
        f"artificial_analysis={api.url}",
        "--as-of",
        NIGHT.isoformat(),
    ]

    done = subprocess.run(
        [sys.executable, "-m", "cli.main", *argv],
        cwd=PROJECT,
        env=child_env(tmp_path, on_prefect_server, block),
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
    )

    output = done.stdout + done.stderr
    assert done.returncode == 1, output  # a source failed (and alerts were not delivered)
    # the night really used both secrets, and retried at both levels
    assert webhook.paths and all(p == f"/services/{WEBHOOK_SECRET}" for p in webhook.paths)
    assert len(api.keys) == 2 * (RETRIES + 1) and set(api.keys) == {API_KEY}
    assert "alert(s) not delivered" in output
    with duckdb.connect(str(settings.database), read_only=True) as con:
        runs = con.execute(
            "select distinct prefect_flow_run_id from history.refresh_runs where as_of = ?", [NIGHT]
        ).fetchall()
        fetched = con.execute(
            "select source, status, http_status from raw.fetches where as_of = ? order by 1",
            [NIGHT],
        ).fetchall()
    assert ("artificial_analysis", "failed", 500) in fetched
    [(flow_run_id,)] = runs
    server_text, messages, task_runs = run_records(uuid.UUID(str(flow_run_id)))
    # the server saw the retries: urllib3's warning and the retried fetch task
    assert any("Retrying" in m and "/api/v2/data/llms/models" in m for m in messages), messages
    assert task_runs > 0 and '"AwaitingRetry"' in server_text
    assert "gapwatch-night" in server_text  # the artifact is in what was searched

    for secret in NEVER:
        assert secret not in output, f"{secret!r} printed by the command"
        assert secret not in server_text, f"{secret!r} stored by Prefect"
    everything = every_byte(settings.data_dir)
    assert not any(secret.encode() in everything for secret in NEVER)
