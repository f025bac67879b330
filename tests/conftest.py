"""Shared fixtures: real snapshots in ../shared/data, a loopback HTTP server, a network guard."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import socket
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

# Prefect settings must be in place before anything imports prefect (see ../shared/STACK.md):
# a private PREFECT_HOME, no telemetry, a generous server start-up timeout on 2 cores.
os.environ.pop("PREFECT_API_URL", None)
os.environ.pop("PREFECT_API_KEY", None)
# always a fresh one: never a developer's own PREFECT_HOME (removed at the end of the session)
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="gapwatch-prefect-")
os.environ.update(
    {
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
        "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_ENABLED": "false",
        # the flow's coarse fetch retries: one, at once (production waits 30 s, 2 and 10 min)
        "GAPWATCH_FETCH_RETRY_DELAYS": "0",
    }
)

import pytest

from pipeline.settings import Settings

PROJECT = Path(__file__).resolve().parent.parent
SHARED_DATA = PROJECT.parent / "shared" / "data"
EPOCH_SNAPSHOTS = ("2025-11-02", "2026-03-09", "2026-04-11", "2026-04-19")
SAMPLE_BUNDLE = PROJECT / "cli" / "sample" / "benchmark_data"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files marked `long` first, the rest in their usual order.

    The test workers take files from a queue (`--dist loadfile --no-loadscope-reorder`): a file
    of several minutes taken last would leave one worker running it alone at the end.
    """
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


@pytest.fixture(scope="session", autouse=True)
def _remove_prefect_home() -> Iterator[None]:
    yield
    shutil.rmtree(os.environ["PREFECT_HOME"], ignore_errors=True)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data: the real snapshots. Tests read them in place, never copy them in."""
    if not SHARED_DATA.is_dir():
        pytest.fail(f"real data snapshots not found at {SHARED_DATA}; clone with ../shared beside")
    return SHARED_DATA


def epoch_dir(shared: Path, snapshot: str) -> Path:
    return shared / "epoch" / snapshot / "benchmark_data"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings for a throwaway warehouse under tmp_path, fast HTTP backoff."""
    return Settings(
        sources=("epoch",),
        data_dir=tmp_path / "data",
        http_retries=2,
        http_backoff_seconds=0.01,
        http_timeout_seconds=10,
    )


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only loopback connections: tests must never reach the internet."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else str(address)
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(str(host)):
            raise ConnectionRefusedError(f"tests may only connect to loopback, not {host}")
        return real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)


def _loopback(host: str) -> bool:
    return host.startswith("127.") or host in ("::1", "localhost")


Handler = Callable[[http.server.BaseHTTPRequestHandler], None]


@pytest.fixture
def loopback_server() -> Iterator[Callable[[type[http.server.BaseHTTPRequestHandler]], str]]:
    """Start HTTP servers on 127.0.0.1 for a handler class; the starter returns the base URL."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(handler: type[http.server.BaseHTTPRequestHandler]) -> str:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def quiet_handler(base: type[http.server.BaseHTTPRequestHandler]) -> type:
    """A handler class that does not print access logs."""

    class Quiet(base):  # type: ignore[misc,valid-type]
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return None

    return Quiet


def directory_handler(directory: Path) -> type:
    return functools.partial(
        quiet_handler(http.server.SimpleHTTPRequestHandler), directory=str(directory)
    )  # type: ignore[return-value]


@pytest.fixture
def no_report(monkeypatch: pytest.MonkeyPatch) -> None:
    """For a test of the data and the messages, not the page: `gapwatch refresh` publishes
    no report (it then says "report: not written").

    Publishing (the page, its PNGs, every mart exported, the Data Docs) costs more than a
    refresh of a real snapshot; the report's own tests (tests/report/, the nightly flow's
    history, the service, deployment and every-source tests) publish it for real.
    """

    def not_published(*args: object, **kwargs: object) -> None:
        return None

    monkeypatch.setattr("report.publish.publish", not_published)
