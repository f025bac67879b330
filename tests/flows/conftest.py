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
