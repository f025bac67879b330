"""Helpers of the nightly-flow tests: a clean GAPWATCH_* environment, a loopback-only guard for
module-scoped fixtures, and read-only queries of a warehouse."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

import duckdb
import pytest

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


def rows(database: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def scores_count(database: Path) -> int:
    count: int = rows(database, "select count(*) from marts.benchmark_scores")[0][0]
    return count
