"""The nightly service as one supervised process tree: Prefect server, pool, deployment, worker.

`gapwatch service run` does, in order and each only after the previous one is ready: start
`prefect server start` on loopback, wait for its /api/health (a fresh database migrates first:
up to half a minute on two cores), create the process work pool, deploy everything in
prefect.yaml, and start a worker. It then waits. On SIGTERM (what systemd and `kill` send) or
Ctrl-C it stops the worker first, with SIGINT, which Prefect's worker handles as a clean
shutdown (it ignores SIGTERM), and then the server; each gets a grace period before SIGKILL.
If the server or the worker dies, the service stops the other and exits non-zero, so systemd's
Restart= brings the whole tree back.

Prefect is driven through its own command line in child processes; nothing here imports it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

log = logging.getLogger(__name__)

POOL = "gapwatch-process"
DEFAULT_SCHEDULE = "0 3 * * *"
HEALTH_TIMEOUT_SECONDS = 180.0  # a first start migrates the database: 14-25 s measured
CLI_TIMEOUT_SECONDS = 300.0
STOP_GRACE_SECONDS = 30.0
# the service's own Prefect settings: no telemetry (the server's needs its own switch)
QUIET = {"DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}


class ServiceError(RuntimeError):
    """A step of bringing the service up failed; the message says which and shows its output."""


@dataclass
class Service:
    """Where the service keeps its state and listens; everything else comes from the env."""

    home: Path  # PREFECT_HOME: the server's database, the worker's profile
    project_dir: Path  # the checkout holding prefect.yaml and flows/
    host: str = "127.0.0.1"
    port: int = 4200
    pool: str = POOL
    schedule: str = DEFAULT_SCHEDULE
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    logs: Path | None = None  # the children's output goes here (default: the service's own)

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.port}/api"

    def env(self) -> dict[str, str]:
        """The children's environment: the caller's GAPWATCH_* settings plus Prefect's."""
        env = dict(self.environ)
        env.update(QUIET)
        env.update(
            PREFECT_HOME=str(self.home),
            PREFECT_API_URL=self.api_url,
            GAPWATCH_PROJECT_DIR=str(self.project_dir),
            GAPWATCH_SCHEDULE=self.schedule,
        )
        return env


class Supervisor:
    """Starts the children in order, and stops them in reverse order, cleanly."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.children: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.stopping = threading.Event()
        self._outputs: list[IO[bytes]] = []

    def run(self) -> int:
        """Bring everything up, wait for a stop signal or a dead child; exit status."""
        previous = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            self.up()
            log.info("service: up; the API is %s; SIGTERM stops it", self.service.api_url)
            died = self.wait()
        except ServiceError as error:
            log.error("service: %s", error)
            died = "start-up"
        finally:
            self.down()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if died:
            log.error("service: %s stopped unexpectedly; everything is stopped", died)
            return 1
        log.info("service: stopped cleanly")
        return 0

    def up(self) -> None:
        service = self.service
        service.home.mkdir(parents=True, exist_ok=True)
        self.start(
            "server",
            "server",
            "start",
            "--host",
            service.host,
            "--port",
            str(service.port),
            "--no-ui",
        )
        self.wait_healthy()
        self.prefect("work-pool", "create", service.pool, "--type", "process", "--overwrite")
        self.prefect("--no-prompt", "deploy", "--all")
        block = service.environ.get("GAPWATCH_NOTIFICATION_BLOCK")
        if block:
            try:
                automation = ensure_automation(service.api_url, block)
                log.info("service: automation %r notifies %s", automation, block)
            except ServiceError as error:
                log.warning("service: no automation for failed or late nights: %s", error)
        self.start("worker", "worker", "start", "--pool", service.pool)

    def start(self, name: str, *args: str) -> None:
        if self.stopping.is_set():
            raise ServiceError(f"stop requested before the {name} started")
        output = self._output(name)
        process = subprocess.Popen(
            [sys.executable, "-m", "prefect", *args],
            cwd=self.service.project_dir,
            env=self.service.env(),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a terminal's Ctrl-C reaches the supervisor only
        )
        self.children.append((name, process))
        log.info("service: %s started (pid %d)", name, process.pid)

    def _output(self, name: str) -> IO[bytes] | None:
        if self.service.logs is None:
            return None
        self.service.logs.mkdir(parents=True, exist_ok=True)
        handle = open(self.service.logs / f"{name}.log", "ab")  # noqa: SIM115 (closed in down())
        self._outputs.append(handle)
        return handle

    def wait_healthy(self) -> None:
        """Until the server's /api/health answers 200 (or the server dies, or time runs out)."""
        deadline = time.monotonic() + HEALTH_TIMEOUT_SECONDS
        url = f"{self.service.api_url}/health"
        server = self.children[0][1]
        while not self.stopping.is_set():
            if server.poll() is not None:
                raise ServiceError(f"the Prefect server exited with {server.returncode}")
            if healthy(url):
                log.info("service: the server answers %s", url)
                return
            if time.monotonic() > deadline:
                raise ServiceError(f"no answer from {url} after {HEALTH_TIMEOUT_SECONDS:.0f} s")
            self.stopping.wait(0.5)
        raise ServiceError("stop requested while waiting for the server")

    def prefect(self, *args: str) -> str:
        """One prefect CLI call against the running server, to completion."""
        if self.stopping.is_set():
            raise ServiceError("stop requested")
        done = subprocess.run(
            [sys.executable, "-m", "prefect", *args],
            cwd=self.service.project_dir,
            env=self.service.env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT_SECONDS,
            check=False,
        )
        output = (done.stdout + done.stderr).strip()
        if done.returncode != 0:
            raise ServiceError(f"prefect {' '.join(args)} failed ({done.returncode}):\n{output}")
        log.info("service: prefect %s: done", " ".join(args))
        return output

    def wait(self) -> str | None:
        """Until a stop signal (None) or a child's death (its name)."""
        while not self.stopping.wait(1.0):
            for name, process in self.children:
                if process.poll() is not None:
                    return name
        return None

    def down(self) -> None:
        """Stop the children in reverse order: the worker with SIGINT, the server with SIGTERM."""
        for name, process in reversed(self.children):
            if process.poll() is None:
                sig = signal.SIGINT if name == "worker" else signal.SIGTERM
                process.send_signal(sig)  # the worker itself winds down its flow runs
                try:
                    process.wait(timeout=STOP_GRACE_SECONDS)
                except subprocess.TimeoutExpired:
                    log.warning("service: %s ignored %s; killing it", name, sig.name)
                    _signal_group(process, signal.SIGKILL)
                    process.wait()
            log.info("service: %s stopped (exit %s)", name, process.returncode)
        for handle in self._outputs:
            handle.close()

    def _on_signal(self, signum: int, frame: object) -> None:
        log.info("service: %s received, stopping", signal.Signals(signum).name)
        self.stopping.set()


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)  # its own process group: its flow-run children too


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status == 200 and json.loads(answer.read() or b"null") is True
    except (urllib.error.URLError, OSError, ValueError):
        return False


FLOW, DEPLOYMENT = "nightly-refresh", "nightly"
FINAL_STATES = ("COMPLETED", "FAILED", "CRASHED", "CANCELLED")


# answers that say "not now" (a busy server: Prefect's SQLite database locked answers 503), which
# Prefect's own client retries too; the request was not carried out, so a POST is safe to repeat
RETRIED_CODES = frozenset({429, 502, 503})
RETRY_DELAYS = (1.0, 2.0, 4.0, 8.0)  # seconds before each retry


def api(url: str, path: str, body: object | None = None) -> object:
    """One call to the Prefect REST API (GET, or POST with a JSON body); None on 404.

    A busy server's 429/502/503 is retried after each of RETRY_DELAYS, then raised."""
    data = None if body is None else json.dumps(body).encode()
    for delay in (*RETRY_DELAYS, None):
        request = urllib.request.Request(
            url + path, data=data, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            if error.code not in RETRIED_CODES or delay is None:
                raise
            log.info("Prefect API %s answered %d; again in %.0f s", path, error.code, delay)
            time.sleep(delay)
    raise AssertionError("unreachable: the last attempt returns or raises")


def ready(url: str, pool: str = POOL) -> str | None:
    """What the service still lacks (None when the deployment exists and a worker polls)."""
    if not healthy(f"{url}/health"):
        return "the server does not answer yet"
    if api(url, f"/deployments/name/{FLOW}/{DEPLOYMENT}") is None:
        return f"the deployment {FLOW}/{DEPLOYMENT} is not there yet"
    workers = api(url, f"/work_pools/{pool}/workers/filter", {}) or []
    assert isinstance(workers, list)
    if not any(worker.get("status") == "ONLINE" for worker in workers):
        return f"no worker polls the pool {pool} yet"
    return None


def wait_ready(url: str, timeout: float, pool: str = POOL) -> None:
    """Until the service is up; ServiceError naming what is missing at the deadline."""
    deadline = time.monotonic() + timeout
    while (missing := ready(url, pool)) is not None:
        if time.monotonic() > deadline:
            raise ServiceError(f"not ready after {timeout:.0f} s: {missing}")
        time.sleep(1.0)


def trigger(url: str, watch_seconds: float | None) -> dict[str, object]:
    """Start a nightly run now; with watch_seconds, wait for its final state and return it."""
    deployment = api(url, f"/deployments/name/{FLOW}/{DEPLOYMENT}")
    if not isinstance(deployment, dict):
        raise ServiceError(f"no deployment {FLOW}/{DEPLOYMENT} at {url}: is the service up?")
    run = api(url, f"/deployments/{deployment['id']}/create_flow_run", {})
    assert isinstance(run, dict)
    if watch_seconds is None:
        return run
    deadline = time.monotonic() + watch_seconds
    while True:
        current = api(url, f"/flow_runs/{run['id']}")
        assert isinstance(current, dict)
        if (current.get("state") or {}).get("type") in FINAL_STATES:
            return current
        if time.monotonic() > deadline:
            raise ServiceError(f"flow run {run['id']} not finished after {watch_seconds:.0f} s")
        time.sleep(2.0)


AUTOMATION = "gapwatch: nightly run failed, crashed or late"
ALARM_EVENTS = ("prefect.flow-run.Failed", "prefect.flow-run.Crashed", "prefect.flow-run.Late")
ALARM_SUBJECT = "gapwatch: the nightly run {{ flow_run.name }} is {{ flow_run.state.name }}"
ALARM_BODY = (
    "The nightly gapwatch run {{ flow_run.name }} (deployment {{ deployment.name }}) entered "
    "{{ flow_run.state.name }} at {{ flow_run.state.timestamp }}.\n"
    "{{ flow_run.state.message }}\n"
    "Flow run id: {{ flow_run.id }}. The marts keep the last good data; see gapwatch status."
)


def block_document_id(url: str, name: str) -> str:
    """The id of a notification block given by bare name or `type/name`."""
    slug, _, bare = name.rpartition("/")
    body: dict[str, object] = {"block_documents": {"name": {"any_": [bare]}}}
    if slug:
        body["block_types"] = {"slug": {"any_": [slug]}}
    found = api(url, "/block_documents/filter", body) or []
    assert isinstance(found, list)
    named = [d for d in found if not d.get("is_anonymous")]
    if len(named) != 1:
        kinds = ", ".join(sorted(str(d.get("block_type", {}).get("slug")) for d in named))
        raise ServiceError(
            f"notification block {name!r}: {len(named)} saved blocks match"
            + (f" ({kinds}); name it as type/name" if named else "; save it first")
        )
    return str(named[0]["id"])


def ensure_automation(url: str, block: str) -> str:
    """(Re)create the automation that notifies `block` of a failed, crashed or late night."""
    deployment = api(url, f"/deployments/name/{FLOW}/{DEPLOYMENT}")
    if not isinstance(deployment, dict):
        raise ServiceError(f"no deployment {FLOW}/{DEPLOYMENT} to watch")
    block_id = block_document_id(url, block)
    existing = api(url, "/automations/filter", {"automations": {"name": {"any_": [AUTOMATION]}}})
    for automation in existing if isinstance(existing, list) else []:
        request = urllib.request.Request(f"{url}/automations/{automation['id']}", method="DELETE")
        with urllib.request.urlopen(request, timeout=30):
            pass
    created = api(
        url,
        "/automations/",
        {
            "name": AUTOMATION,
            "description": "Created by gapwatch service run; recreated on every start.",
            "enabled": True,
            "trigger": {
                "type": "event",
                "match": {"prefect.resource.id": "prefect.flow-run.*"},
                "match_related": {"prefect.resource.id": f"prefect.deployment.{deployment['id']}"},
                "expect": list(ALARM_EVENTS),
                "for_each": ["prefect.resource.id"],
                "posture": "Reactive",
                "threshold": 1,
                "within": 0,
            },
            "actions": [
                {
                    "type": "send-notification",
                    "block_document_id": block_id,
                    "subject": ALARM_SUBJECT,
                    "body": ALARM_BODY,
                }
            ],
        },
    )
    assert isinstance(created, dict)
    return str(created["id"])
