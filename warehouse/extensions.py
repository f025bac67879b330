"""DuckDB extensions from the Python package registry: loaded from their wheels, offline.

DuckDB 1.5's extensions (ducklake, postgres_scanner, ...) are published as wheels named
duckdb-extension-<name>, each holding the binary built for one DuckDB version. Loading the file
from the installed wheel needs no download from DuckDB's extension site (unreachable here and
on many servers); a missing wheel is a clear error naming the package to install.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import duckdb


class ExtensionMissing(RuntimeError):
    """The wheel holding a DuckDB extension is not installed for this DuckDB version."""


def extension_file(name: str) -> Path:
    """The extension binary shipped by the wheel duckdb-extension-<name>, for this DuckDB."""
    package = f"duckdb_extension_{name}"
    spec = importlib.util.find_spec(package)
    wanted = f"v{duckdb.__version__}"
    if spec is not None and spec.submodule_search_locations:
        for root in spec.submodule_search_locations:
            path = Path(root) / "extensions" / wanted / f"{name}.duckdb_extension"
            if path.is_file():
                return path
    raise ExtensionMissing(
        f"DuckDB extension {name!r} for DuckDB {duckdb.__version__} is not installed: "
        f"install the package duckdb-extension-{name.replace('_', '-')}=={duckdb.__version__}"
    )


def load(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Load one extension into this connection from its wheel (no network)."""
    loaded = con.execute(
        "select count(*) from duckdb_extensions() where extension_name = ? and loaded", [name]
    ).fetchall()[0][0]
    if not loaded:
        path = str(extension_file(name)).replace("'", "''")
        con.execute(f"load '{path}'")  # LOAD takes no bound parameter
