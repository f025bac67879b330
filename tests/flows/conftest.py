"""A Prefect backend for flow tests: one temporary server per session on a pre-migrated database.

Migrating a fresh Prefect SQLite database costs 14-17 s on two cores (../shared/STACK.md §2.1),
so it is done once per Prefect version into a template under the user's cache directory, and
every session (and every server a test starts) begins from a copy of that template.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

TEMPLATE_BUILD_TIMEOUT = 300


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gapwatch-tests"


def template_database() -> Path:
    """The migrated Prefect database for the installed Prefect version, built on first use."""
    import prefect

    template = cache_dir() / f"prefect-{prefect.__version__}.db"
    if template.is_file() and template.stat().st_size > 0:
        return template
    template.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gapwatch-prefect-template-") as build_home:
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("PREFECT_API_URL", "PREFECT_API_KEY")
        }
        env.update(
            PREFECT_HOME=build_home,
            DO_NOT_TRACK="1",
            PREFECT_SERVER_ANALYTICS_ENABLED="false",
        )
        done = subprocess.run(
            [sys.executable, "-m", "prefect", "server", "database", "upgrade", "-y"],
            env=env,
            capture_output=True,
            text=True,
            timeout=TEMPLATE_BUILD_TIMEOUT,
        )
        built = Path(build_home) / "prefect.db"
        if done.returncode != 0 or not built.is_file():
            pytest.fail(
                f"could not build the Prefect template database (rc {done.returncode}):\n"
                f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
            )
        # another session may be building the same template: copy aside, then rename atomically
        partial = template.with_name(f".{template.name}.{os.getpid()}.part")
        shutil.copyfile(built, partial)
        os.replace(partial, template)
    return template


@pytest.fixture(scope="session")
def prefect_template() -> Path:
    """Path of the cached, migrated Prefect SQLite database (read it, copy it, never write it)."""
    return template_database()


@pytest.fixture(scope="session")
def prefect_backend(prefect_template: Path) -> Iterator[None]:
    """This session's Prefect: the temporary local server, on a copy of the template database.

    tests/conftest.py points PREFECT_HOME at a private temporary directory before Prefect is
    imported; the first flow run starts a server on <PREFECT_HOME>/prefect.db. Flow heartbeats
    (a 1 s join per flow run) are switched off for the session.
    """
    home = Path(os.environ["PREFECT_HOME"])
    database = home / "prefect.db"
    if database.exists():
        # a PREFECT_HOME set from outside (a developer's own) must never be overwritten
        pytest.fail(
            f"PREFECT_HOME={home} already holds a prefect.db; flow tests need a private, "
            "empty PREFECT_HOME: unset PREFECT_HOME and run again"
        )
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(prefect_template, database)
    # registered before Prefect registers the temporary server's stop, so it runs after it
    atexit.register(shutil.rmtree, home, ignore_errors=True)

    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


@pytest.fixture(scope="session")
def prefect_server(
    prefect_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A Prefect server of this session (`prefect server start` on loopback): its API URL.

    `gapwatch refresh` runs the Prefect flow only where a server is configured; tests of that
    path point PREFECT_API_URL here (see `on_prefect_server`). Started on a copy of the
    migrated template database, so it is up in seconds; stopped (SIGINT, then SIGKILL) after.
    """
    import signal
    import socket
    import time
    import urllib.request

    home = tmp_path_factory.mktemp("prefect-server")
    shutil.copyfile(prefect_template, home / "prefect.db")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "GAPWATCH_"))}
    env.update(
        PREFECT_HOME=str(home),
        DO_NOT_TRACK="1",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_LOGGING_LEVEL="WARNING",
    )
    log = home / "server.log"
    command = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1"]
    with open(log, "wb") as output:
        server = subprocess.Popen(
            [*command, "--port", str(port), "--no-ui"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    api = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + TEMPLATE_BUILD_TIMEOUT
        while True:
            try:
                with urllib.request.urlopen(f"{api}/health", timeout=5) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the test's Prefect server did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield api
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture
def on_prefect_server(prefect_server: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """PREFECT_API_URL set to the session's server, for the CLI's choice and Prefect's client."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    monkeypatch.setenv("PREFECT_API_URL", prefect_server)
    with temporary_settings(updates={PREFECT_API_URL: prefect_server}):
        yield prefect_server


@pytest.fixture
def no_flow_report(monkeypatch: pytest.MonkeyPatch) -> None:
    """The flow's `report` task runs, but writes no report (like tests/conftest.py `no_report`,
    for the nightly flow, which publishes in a child process): for tests of a night's data
    and messages. The flow then links no page from its artifact."""

    def not_written(*args: object, **kwargs: object) -> None:
        return None

    monkeypatch.setattr("flows.nightly.write_report", not_written)
