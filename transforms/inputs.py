"""What the marts are built from, as one sha256: an unchanged night does not rebuild them.

The marts read only the batches each source's files landed as (raw.batches, the as-of night
of their fetches, and the raw rows of those fetches, which never change once landed), the
transforms' own code (SQL, Python, seed files under transforms/) and the build parameters
(as-of date, settings). When none of that changed since the last build recorded in
raw.marts_builds, the marts in the warehouse are exactly what a rebuild would write.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

HERE = Path(__file__).resolve().parent
CODE_SUFFIXES = (".sql", ".py", ".csv")
# each batch with the night its fetch stands for (marts read fetches.as_of of loaded fetches)
BATCHES_SQL = """
select
    batches.source, batches.fetch_id, batches.file, batches.benchmark_id,
    coalesce(batches.unit, ''), coalesce(batches.rows, -1), batches.status, fetches.as_of
from raw.batches as batches
left join raw.fetches as fetches on batches.fetch_id = fetches.fetch_id
order by batches.source, batches.fetch_id, batches.file
"""


def fingerprint(con: duckdb.DuckDBPyConnection, params: Mapping[str, Any]) -> str:
    """sha256 over the batches, the transforms' code and seeds, DuckDB's version, the params."""
    digest = hashlib.sha256()
    for row in con.execute(BATCHES_SQL).fetchall():
        digest.update(json.dumps(row, default=str).encode())
    for path in sorted(p for p in HERE.rglob("*") if p.suffix in CODE_SUFFIXES):
        if "__pycache__" in path.parts:
            continue
        digest.update(path.relative_to(HERE).as_posix().encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    digest.update(duckdb.__version__.encode())
    digest.update(json.dumps(dict(params), sort_keys=True, default=str).encode())
    return digest.hexdigest()


def last_build(con: duckdb.DuckDBPyConnection) -> str | None:
    """The fingerprint of the marts in this warehouse, if a build recorded one."""
    row = con.execute(
        "select fingerprint from raw.marts_builds order by built_at desc limit 1"
    ).fetchone()
    return str(row[0]) if row else None


def record_build(con: duckdb.DuckDBPyConnection, digest: str, as_of: date) -> None:
    con.execute("insert into raw.marts_builds values (?, ?, now())", [digest, as_of])
