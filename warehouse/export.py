"""Share the marts: Parquet and CSV of every mart, and one data.json with schema and credits.

The history tables (runs, alerts, deliveries, gap history) are shared the same way, read from
the history schema; data.json names each table's schema.

Analysts load the Parquet or CSV files into anything; a web page or a script reads data.json
(the rows of every mart, its column names and DuckDB types, and the attribution every source
requires). Every file is written by DuckDB itself (its Parquet and CSV writers, to_json for
the rows), so the three forms hold the same values; the export reads the warehouse read-only and
writes into a temporary directory that replaces the target whole.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from extractors import PRIMARY_SOURCE, SOURCES
from extractors.attribution import credit
from warehouse.queries import query
from warehouse.store import Warehouse, reading

FORMAT = "gapwatch-data"
FORMAT_VERSION = 1
SCHEMA = "marts"  # the dbt source of the marts; the history tables are a second one
DOCUMENTATION = "README.md, section 'Share the data' (data.json) and 'The warehouse schema'"
ALWAYS_CREDITED = (PRIMARY_SOURCE,)  # model identities and open/closed status come from Epoch


@dataclass(frozen=True)
class Export:
    directory: Path
    tables: dict[str, int]  # mart or history table -> rows
    sources: list[str]

    @property
    def data_json(self) -> Path:
        return self.directory / "data.json"


def warehouse_as_of(con: duckdb.DuckDBPyConnection) -> date | None:
    """The night the marts stand for (None for a warehouse no refresh has filled)."""
    for name in ("export_as_of", "export_as_of_older_layout"):
        try:
            value = con.execute(query("warehouse", name)).fetchall()[0][0]
        except duckdb.CatalogException:
            continue
        return value if isinstance(value, date) else None
    return None


def export_marts(database: Warehouse | Path, out: Path) -> Export:
    """Write every mart of the warehouse as Parquet, CSV and data.json into `out`, whole."""
    out.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    scratch.chmod(0o755)  # mkdtemp's 0700 would hide the shared files from other readers
    try:
        # locked down like `gapwatch sql`: it may write into the scratch folder, nowhere else
        with reading(database, writes_into=scratch) as con:
            exported = write_files(con, scratch)
        _replace(scratch, out)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return Export(out, exported.tables, exported.sources)


def write_files(con: duckdb.DuckDBPyConnection, out: Path) -> Export:
    """The files themselves, into an existing directory."""
    sources = _sources(con)
    tables = exported_tables(con)
    columns_of = _all_columns(con)
    described: dict[str, Any] = {}
    counts: dict[str, int] = {}
    for schema, table in tables:
        relation = f'{schema}."{table}"'  # names read from the catalog, quoted
        parquet, csv = out / f"{table}.parquet", out / f"{table}.csv"
        con.sql(f"select * from {relation}").write_parquet(str(parquet))
        con.sql(f"select * from {relation}").write_csv(str(csv), header=True)
        columns = columns_of[schema, table]
        rows_json = con.execute(f"select coalesce(to_json(list(t)), '[]') from {relation} t")
        rows = json.loads(rows_json.fetchall()[0][0])
        counts[table] = len(rows)
        described[table] = {
            "schema": schema,
            "columns": [{"name": name, "type": kind} for name, kind in columns],
            "row_count": len(rows),
            "files": {"parquet": parquet.name, "csv": csv.name},
            "rows": rows,
        }
    as_of = warehouse_as_of(con)
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "as_of": as_of.isoformat() if as_of else None,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "documentation": DOCUMENTATION,
        "attribution": [
            {
                "source": source,
                "publisher": credit(source).publisher,
                "text": credit(source).text,
                "url": credit(source).url,
                "licence": credit(source).licence,
            }
            for source in sources
        ],
        "tables": described,
    }
    with open(out / "data.json", "w", encoding="utf-8") as handle:
        json.dump(document, handle, ensure_ascii=False, separators=(",", ":"))
    (out / "sources.yml").write_text(dbt_sources(con, tables, columns_of), encoding="utf-8")
    (out / "ATTRIBUTION.txt").write_text(
        "".join(f"{credit(s).text} {credit(s).url}".rstrip() + "\n" for s in sources),
        encoding="utf-8",
    )
    return Export(out, counts, sources)


def dbt_sources(
    con: duckdb.DuckDBPyConnection,
    tables: list[tuple[str, str]] | None = None,
    columns_of: dict[tuple[str, str], list[tuple[str, str]]] | None = None,
) -> str:
    """A dbt sources.yml naming every mart and its columns (for dbt-duckdb on the warehouse).

    Each table's meta names its exported Parquet file, for a project that reads the export
    instead of the warehouse file.
    """
    import yaml

    tables = exported_tables(con) if tables is None else tables
    columns_of = _all_columns(con) if columns_of is None else columns_of
    by_schema: dict[str, list[str]] = {}
    for schema, table in tables:
        by_schema.setdefault(schema, []).append(table)
    sources = [
        {
            "name": "gapwatch",
            "description": "gapwatch's marts: the open vs closed LLM gap, rebuilt nightly. "
            "Columns are documented in gapwatch's README ('The warehouse schema'). "
            + " ".join(credit(s).text for s in ALWAYS_CREDITED)
            + " Keep each source's attribution (data.json) with anything you publish.",
            "schema": SCHEMA,
            "tables": _dbt_tables(columns_of, SCHEMA, by_schema.get(SCHEMA, [])),
        }
    ]
    if by_schema.get("history"):
        sources.append(
            {
                "name": "gapwatch_history",
                "description": "gapwatch's history: one row per run, alert and delivery, "
                "appended by every refresh and never rebuilt (README, 'The warehouse schema').",
                "schema": "history",
                "tables": _dbt_tables(columns_of, "history", by_schema["history"]),
            }
        )
    header = (
        "# dbt sources for gapwatch's marts, written by `gapwatch export` (do not edit by hand;\n"
        "# dbt/sources.yml in the repository is the same file, checked by the tests)\n"
    )
    body = yaml.safe_dump({"version": 2, "sources": sources}, sort_keys=False, width=100)
    return header + body


def exported_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(schema, table) of every table an export shares, marts first."""
    rows = con.execute(query("warehouse", "export_tables")).fetchall()
    return [(str(schema), str(table)) for schema, table in rows]


def _all_columns(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(schema, table) -> its columns and DuckDB types, in order, for every exported schema:
    one catalog query (on a DuckLake each one reads every table's metadata)."""
    columns: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for schema, table, name, kind in con.execute(query("warehouse", "export_columns")).fetchall():
        columns.setdefault((str(schema), str(table)), []).append((str(name), str(kind)))
    return columns


def _dbt_tables(
    columns_of: dict[tuple[str, str], list[tuple[str, str]]], schema: str, tables: list[str]
) -> list[dict[str, Any]]:
    return [
        {
            "name": table,
            "meta": {"parquet": f"{table}.parquet"},
            "columns": [
                {"name": name, "data_type": kind} for name, kind in columns_of[schema, table]
            ],
        }
        for table in tables
    ]


def _column(con: duckdb.DuckDBPyConnection, name: str) -> list[str]:
    return [str(row[0]) for row in con.execute(query("warehouse", name)).fetchall()]


def _sources(con: duckdb.DuckDBPyConnection) -> list[str]:
    try:
        found = _column(con, "export_sources")
        links = _column(con, "export_status_links")
        found += [link for link in links if link in SOURCES]
    except duckdb.CatalogException:
        found = []
    return sorted(set(found) | set(ALWAYS_CREDITED) if found else set())


def _replace(new: Path, target: Path) -> None:
    """Put directory `new` at `target`: readers see the old export or the new one, whole."""
    if not target.exists():
        os.rename(new, target)
        return
    aside = target.with_name(f".{target.name}.old-{os.getpid()}")
    os.rename(target, aside)
    os.rename(new, target)
    shutil.rmtree(aside, ignore_errors=True)
