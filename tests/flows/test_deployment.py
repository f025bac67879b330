"""The Prefect deployment in prefect.yaml, for real: server, work pool, deploy, schedule, worker.

A `prefect server start` on a free loopback port (its own PREFECT_HOME, started from the cached
migrated template), the `gapwatch-process` pool, `prefect --no-prompt deploy --all` from the
project root, then a manual run picked up by `prefect worker start --run-once`, which refreshes
a temporary warehouse from a shared Epoch snapshot. Everything started here is stopped here.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import duckdb
import httpx
import pytest

from tests.conftest import EPOCH_SNAPSHOTS, PROJECT, epoch_dir

pytestmark = pytest.mark.long

FLOW, DEPLOYMENT = "nightly-refresh", "nightly"
POOL = "gapwatch-process"
CLI_TIMEOUT = 90  # one prefect CLI call against a running server: 2.5-3.5 s measured
SERVER_START_TIMEOUT = 60  # 5.5-8.5 s measured with a migrated database
SCHEDULER_TIMEOUT = 60  # the recent-deployments scheduler loops every 5 s
RUN_TIMEOUT = 300  # worker start, flow-run spawn, one refresh: over 120 s seen at load 9 on 2 cores


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Stack:
    """Processes started by this test, and where they write; stop() ends them all."""

    tmp: Path
    env: dict[str, str]
    api: str
    marker: str
    processes: list[tuple[str, subprocess.Popen[bytes], IO[bytes]]] = field(default_factory=list)

    def start(self, name: str, args: list[str], env: dict[str, str] | None = None) -> Any:
        log = open(self.tmp / f"{name}.log", "wb")  # noqa: SIM115 (closed in stop())
        process = subprocess.Popen(
            args,
            cwd=PROJECT,
            env=env or self.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as a whole
        )
        self.processes.append((name, process, log))
        return process

    def log(self, name: str) -> str:
        path = self.tmp / f"{name}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def prefect(self, *args: str, env: dict[str, str] | None = None) -> str:
        """Run one prefect CLI command to completion; fail the test with its output if it fails."""
        done = subprocess.run(
            [sys.executable, "-m", "prefect", *args],
            cwd=PROJECT,
            env=env or self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT,
        )
        output = done.stdout + done.stderr
        assert done.returncode == 0, f"prefect {' '.join(args)} -> rc {done.returncode}\n{output}"
        return output

    def stop(self) -> None:
        # the worker ignores SIGTERM (../shared/STACK.md §2.6): SIGINT first, then SIGKILL
        for _name, process, _ in reversed(self.processes):
            if process.poll() is None:
                _signal_group(process.pid, signal.SIGINT)
        for _name, process, _ in reversed(self.processes):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                _signal_group(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        for _name, process, _ in self.processes:
            _signal_group(process.pid, signal.SIGKILL)  # stragglers left in the group
        for _, _, log in self.processes:
            log.close()
        for pid in self.leftovers():  # anything else carrying this test's marker
            os.kill(pid, signal.SIGKILL)

    def leftovers(self) -> list[int]:
        """Live processes (not zombies) whose environment carries this test's marker."""
        needle = f"GAPWATCH_TEST_MARKER={self.marker}".encode()
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                if needle not in (entry / "environ").read_bytes().split(b"\0"):
                    continue
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:  # gone meanwhile, or not ours to read
                continue
            if state != "Z":
                found.append(int(entry.name))
        return found


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)  # pid == pgid: started with start_new_session


def wait_for(what: str, check: Any, timeout: float, stack: Stack, log: str) -> Any:
    """Poll check() until it returns something truthy; fail naming `what` at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}\n{stack.log(log)}")
        time.sleep(0.5)


@pytest.fixture
def stack(tmp_path: Path, prefect_template: Path) -> Iterator[Stack]:
    home = tmp_path / "prefect-home"
    home.mkdir()
    shutil.copyfile(prefect_template, home / "prefect.db")  # no migrations: starts in seconds
    scratch = tmp_path / "tmp"  # the runner's leftover runner_storage dirs land here
    scratch.mkdir()
    api = f"http://127.0.0.1:{free_port()}/api"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "GAPWATCH_"))}
    marker = uuid.uuid4().hex
    env.update(
        PREFECT_HOME=str(home),
        PREFECT_API_URL=api,
        DO_NOT_TRACK="1",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_LOGGING_LEVEL="WARNING",
        TMPDIR=str(scratch),
        GAPWATCH_TEST_MARKER=marker,
    )
    started = Stack(tmp_path, env, api, marker)
    try:
        yield started
    finally:
        started.stop()
    # nothing this test started is still running
    deadline = time.monotonic() + 10
    while started.leftovers() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert started.leftovers() == []


def next_three_am_utc(after: datetime) -> datetime:
    candidate = after.astimezone(UTC).replace(hour=3, minute=0, second=0, microsecond=0)
    return candidate if candidate > after else candidate + timedelta(days=1)


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_nightly_deployment_schedules_at_three_utc_and_a_worker_runs_it(
    stack: Stack, shared_data: Path, tmp_path: Path
) -> None:
    # 1. the server, on loopback
    port = stack.api.rsplit(":", 1)[1].split("/")[0]
    stack.start(
        "server",
        [
            sys.executable,
            "-m",
            "prefect",
            "server",
            "start",
            "--host",
            "127.0.0.1",
            "--port",
            port,
            "--no-ui",
        ],
    )
    api = httpx.Client(base_url=stack.api, timeout=30)

    def healthy() -> bool:
        try:
            return api.get("/health").status_code == 200
        except httpx.TransportError:
            return False

    wait_for("the server's /api/health", healthy, SERVER_START_TIMEOUT, stack, "server")

    # 2. the work pool, then the deployment, exactly as the README says
    stack.prefect("work-pool", "create", POOL, "--type", "process", "--overwrite")
    deployed_at = datetime.now(UTC)
    deploy_env = {
        **stack.env,
        "GAPWATCH_PROJECT_DIR": str(PROJECT),
        "GAPWATCH_SCHEDULE": "0 3 * * *",
    }
    stack.prefect("--no-prompt", "deploy", "--all", env=deploy_env)

    found = api.get(f"/deployments/name/{FLOW}/{DEPLOYMENT}")
    assert found.status_code == 200, found.text
    deployment = found.json()
    assert deployment["entrypoint"] == "flows/nightly.py:nightly_refresh"
    assert deployment["work_pool_name"] == POOL
    assert deployment["pull_steps"] == [
        {
            "prefect.deployments.steps.set_working_directory": {
                "directory": str(PROJECT)  # resolved from $GAPWATCH_PROJECT_DIR at deploy time
            }
        }
    ]
    schedules = [
        (s["schedule"]["cron"], s["schedule"]["timezone"]) for s in deployment["schedules"]
    ]
    assert schedules == [("0 3 * * *", "UTC")]
    assert all(s["active"] for s in deployment["schedules"])
    assert deployment["paused"] is False
    # one writer at a time (DuckDB): prefect.yaml's concurrency_limit becomes a global limit
    assert deployment["global_concurrency_limit"]["limit"] == 1

    def runs(**flow_runs: Any) -> list[dict[str, Any]]:
        body = {
            "flow_runs": {"deployment_id": {"any_": [deployment["id"]]}, **flow_runs},
            "sort": "EXPECTED_START_TIME_ASC",
            "limit": 200,
        }
        answer = api.post("/flow_runs/filter", json=body)
        assert answer.status_code == 200, answer.text
        found: list[dict[str, Any]] = answer.json()
        return found

    # 3. the server's scheduler fills in the nightly runs: the next one is at 03:00 UTC
    scheduled = wait_for(
        "the scheduler to create the nightly runs",
        lambda: [r for r in runs(state={"type": {"any_": ["SCHEDULED"]}}) if r["auto_scheduled"]],
        SCHEDULER_TIMEOUT,
        stack,
        "server",
    )
    starts = [parse_time(r["expected_start_time"]) for r in scheduled]
    assert starts[0] == next_three_am_utc(deployed_at)
    assert all((s.hour, s.minute, s.second) == (3, 0, 0) for s in starts)
    assert all(s.utcoffset() == timedelta(0) for s in starts)
    assert {b - a for a, b in itertools.pairwise(starts)} <= {timedelta(days=1)}

    # 4. a manual run, executed by a worker that refreshes a temporary warehouse
    triggered_on = datetime.now(UTC).date()
    stack.prefect("deployment", "run", f"{FLOW}/{DEPLOYMENT}")
    (manual,) = [r for r in runs() if not r["auto_scheduled"]]
    data_dir = tmp_path / "data"
    snapshot = EPOCH_SNAPSHOTS[-1]
    worker_env = {
        **stack.env,
        "GAPWATCH_DATA_DIR": str(data_dir),
        "GAPWATCH_EPOCH_LOCATION": str(epoch_dir(shared_data, snapshot)),
        # other registered sources read the live web by default: this test stays offline
        "GAPWATCH_SOURCES": "epoch",
    }
    worker = stack.start(
        "worker",
        [sys.executable, "-m", "prefect", "worker", "start", "--pool", POOL, "--run-once"],
        env=worker_env,
    )

    def finished() -> dict[str, Any] | None:
        run: dict[str, Any] = api.get(f"/flow_runs/{manual['id']}").json()
        state = run.get("state") or {}
        if state.get("type") in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
            return run
        if worker.poll() is not None and state.get("type") in ("SCHEDULED", "PENDING"):
            pytest.fail(f"the worker exited without running the flow\n{stack.log('worker')}")
        return None

    done = wait_for("the manual flow run to finish", finished, RUN_TIMEOUT, stack, "worker")
    assert done["state"]["type"] == "COMPLETED", f"{done['state']}\n{stack.log('worker')}"
    worker.wait(timeout=30)  # --run-once: it exits once its run is over
    assert worker.returncode == 0, stack.log("worker")

    # 5. the flow run refreshed the warehouse the worker's environment pointed at
    database = data_dir / "gapwatch.duckdb"
    assert database.is_file()
    with duckdb.connect(str(database), read_only=True) as con:
        refreshes = con.execute(
            "select as_of, status, source, source_status from history.refresh_runs"
        ).fetchall()
        scores = con.execute("select count(*) from marts.benchmark_scores").fetchall()[0][0]
        location = con.execute("select distinct location from raw.fetches").fetchall()
    assert len(refreshes) == 1
    as_of, status, source, source_status = refreshes[0]
    assert (status, source, source_status) == ("succeeded", "epoch", "loaded")
    # no as_of parameter: the run stands for the night it ran (UTC)
    assert as_of in {triggered_on, datetime.now(UTC).date()}
    assert isinstance(as_of, date)
    assert location == [(str(epoch_dir(shared_data, snapshot)),)]
    assert scores > 0
