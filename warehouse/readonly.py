"""Read the warehouse without being able to change anything: the connection and the statement.

`gapwatch sql` runs what a person types, so two locks guard it. The connection is opened
read-only with file system access, extension install/load and configuration changes disabled
(DuckDB refuses COPY TO, EXPORT, ATTACH, INSTALL, read_csv of other files, SET...). And before
anything runs, the text is parsed by DuckDB's own parser and must be exactly one statement of a
reading kind; everything else is refused with a message saying why. Writing is what DuckDB's
own client is for.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

# settings that make a connection unable to touch anything outside the open warehouse file
LOCKED_DOWN: dict[str, str | bool | int | float | list[str]] = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "lock_configuration": True,
}

# PRAGMAs that only describe the database (everything else may change a setting or a file)
READING_PRAGMAS = frozenset(
    {
        "table_info",
        "show",
        "show_tables",
        "show_tables_expanded",
        "show_databases",
        "database_list",
        "database_size",
        "storage_info",
        "metadata_info",
        "version",
        "platform",
        "functions",
        "collations",
        "user_agent",
    }
)

WRITERS_HINT = (
    "gapwatch sql is read-only: one SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN or "
    "PRAGMA table_info...; to write, use DuckDB itself on a copy of the warehouse"
)


class StatementRefused(ValueError):
    """The text is not exactly one read-only statement; nothing was run."""


def open_read_only(path: Path, writes_into: Path | None = None) -> duckdb.DuckDBPyConnection:
    """The warehouse, read-only, with no file, network, extension or configuration access.

    `writes_into`: the one directory the connection may write files into (an export's
    scratch folder); nothing outside it is reachable.
    """
    if writes_into is None:
        return duckdb.connect(str(path), read_only=True, config=dict(LOCKED_DOWN))
    # DuckDB takes allowed_directories only while external access is still on: set it first
    con = duckdb.connect(
        str(path),
        read_only=True,
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False},
    )
    try:
        con.execute("set allowed_directories = ?", [[f"{writes_into.resolve()}/"]])
        con.execute("set enable_external_access = false")
        con.execute("set lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con


def check_read_only(query: str) -> str:
    """Return the one statement in `query` when it only reads; raise StatementRefused if not."""
    try:
        statements = duckdb.extract_statements(query)
    except duckdb.Error as error:
        raise StatementRefused(f"the query does not parse: {_first_line(error)}") from None
    if len(statements) != 1:
        raise StatementRefused(
            f"exactly one statement is allowed, this text holds {len(statements)}; " + WRITERS_HINT
        )
    _check_statement(statements[0], query.strip())
    return query


def _check_statement(statement: duckdb.Statement, text: str) -> None:
    kind = statement.type
    if kind == duckdb.StatementType.SELECT:
        return
    if kind == duckdb.StatementType.EXPLAIN:
        # EXPLAIN ANALYZE runs what it explains: the explained statement must read too
        inner = _EXPLAIN.sub("", text, count=1)
        explained = duckdb.extract_statements(inner)
        if len(explained) == 1 and explained[0].type == duckdb.StatementType.SELECT:
            return
        raise StatementRefused("EXPLAIN is allowed of a SELECT only; " + WRITERS_HINT)
    if kind == duckdb.StatementType.PRAGMA:
        name = _pragma_name(text)
        if name in READING_PRAGMAS:
            return
        raise StatementRefused(f"PRAGMA {name} is not a reading pragma; " + WRITERS_HINT)
    raise StatementRefused(f"{_kind_name(kind)} statements are refused; " + WRITERS_HINT)


_EXPLAIN = re.compile(r"^\s*explain\s+(analy[sz]e\s+)?", re.IGNORECASE)
_PRAGMA = re.compile(r"^\s*pragma\s+([a-z_][a-z0-9_]*)", re.IGNORECASE)


def _pragma_name(text: str) -> str:
    match = _PRAGMA.match(text)
    return match.group(1).lower() if match else "?"


def _kind_name(kind: duckdb.StatementType) -> str:
    name = str(kind).rsplit(".", 1)[-1]
    return "INSTALL and LOAD" if name == "LOAD" else name


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
