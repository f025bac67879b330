"""A real PostgreSQL server for tests: its own cluster in a temporary directory, on 127.0.0.1.

Debian's postgresql package provides the server (`make postgresql` installs it when missing);
the cluster is made with initdb, started on a free loopback port and stopped after the test.
As root (CI, containers) the server runs as the `postgres` user, which refuses root itself.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class Server:
    port: int
    user: str = "gapwatch"
    host: str = "127.0.0.1"

    def dsn(self, database: str) -> str:
        return f"dbname={database} host={self.host} port={self.port} user={self.user}"


def binaries() -> Path:
    """The directory holding initdb and pg_ctl (Debian keeps them out of PATH)."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if candidates:
        return Path(candidates[0]).parent
    pytest.fail(
        "PostgreSQL server binaries not found: install Debian's postgresql package "
        "(`make postgresql`); the DuckLake-on-PostgreSQL tests need a real server"
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


@contextmanager
def running(databases: tuple[str, ...] = ("gapwatch",)) -> Iterator[Server]:
    """Start a fresh cluster in its own temporary directory, create `databases`; stop it and
    remove the directory on the way out."""
    bin_dir = binaries()
    # its own directory under the system's temp dir: the server user can reach it there
    directory = Path(tempfile.mkdtemp(prefix="gapwatch-postgres-"))
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(directory, owner.pw_uid, owner.pw_gid)
    data = directory / "cluster"
    server = Server(_free_port())

    def run(*command: str) -> None:
        subprocess.run(
            _as_server_user([str(bin_dir / command[0]), *command[1:]]),
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )

    run("initdb", "-D", str(data), "-A", "trust", "-U", server.user, "--no-sync")
    options = f"-p {server.port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off"
    run(
        "pg_ctl", "-D", str(data), "-o", options, "-l", str(directory / "server.log"), "-w", "start"
    )
    try:
        for name in databases:
            run("createdb", "-h", server.host, "-p", str(server.port), "-U", server.user, name)
        yield server
    finally:
        try:
            run("pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(directory, ignore_errors=True)
