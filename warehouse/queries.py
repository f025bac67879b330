"""Queries that are not models (checks, status, history rows, the export) read from .sql files.

Each lives as `<package>/sql/<name>.sql` next to the code that runs it, holds exactly one
select (DuckDB's own parser decides: a `with ... select` counts, a second statement or any
other kind of statement is refused) and takes its values as bound `$name` parameters, so no
value is ever formatted into SQL and the query can be read, linted and run on its own.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

_COMMENT = re.compile(r"--[^\n]*")
_PARAMETER = re.compile(r"\$([a-z_][a-z0-9_]*)")


class QueryFileError(ValueError):
    """A query file is missing or is not exactly one select; the message names the file."""


@cache
def query(package: str, name: str) -> str:
    """The select in `<package>/sql/<name>.sql`, checked to be exactly one select statement."""
    path = resources.files(package) / "sql" / f"{name}.sql"
    where = f"{package}/sql/{name}.sql"
    if not path.is_file():
        raise QueryFileError(f"{where}: no such query file")
    text = path.read_text(encoding="utf-8")
    import duckdb  # here, not at import: a command that never queries never loads DuckDB

    try:
        statements = duckdb.extract_statements(text)
    except duckdb.Error as error:
        raise QueryFileError(f"{where}: does not parse: {error}") from None
    if len(statements) != 1:
        raise QueryFileError(f"{where}: holds {len(statements)} statements, not one select")
    if statements[0].type != duckdb.StatementType.SELECT:
        raise QueryFileError(f"{where}: is not a select ({statements[0].type.name.lower()})")
    return text


def parameters(sql: str) -> frozenset[str]:
    """The `$name` parameters a query binds (comments ignored)."""
    return frozenset(_PARAMETER.findall(_COMMENT.sub("", sql)))


def bind(sql: str, values: dict[str, object]) -> dict[str, object]:
    """The values this query binds, taken from a wider set; a missing one is an error."""
    wanted = parameters(sql)
    missing = sorted(wanted - values.keys())
    if missing:
        raise QueryFileError(f"query needs parameter(s) {', '.join(missing)}")
    return {key: values[key] for key in wanted}
