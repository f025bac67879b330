"""Where the warehouse lives: GAPWATCH_WAREHOUSE read into one value the storage layer takes.

Unset (or `duckdb`): the embedded DuckDB file (GAPWATCH_DB, default <data dir>/gapwatch.duckdb).
`ducklake:<catalog>` (DuckDB's own ATTACH syntax): a DuckLake whose catalog is a DuckDB file,
a SQLite file (`ducklake:sqlite:...`) or a PostgreSQL database (`ducklake:postgres:...`), with
its Parquet files under GAPWATCH_WAREHOUSE_DATA.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

EMBEDDED = "duckdb"
LAKE_PREFIX = "ducklake:"


class WarehouseSettingInvalid(ValueError):
    """GAPWATCH_WAREHOUSE holds something that names no storage gapwatch knows."""


# named tuples, not dataclasses: every read command imports this module, and importing
# dataclasses (inspect, ast, dis...) would cost `gapwatch sql` about a tenth of its start


class Warehouse(NamedTuple):
    """Where the warehouse is: an embedded DuckDB file, or a DuckLake catalog and data path."""

    file: Path  # the embedded DuckDB file (unused by a lake)
    catalog: str | None = None  # 'ducklake:<catalog>' as DuckDB's ATTACH takes it
    data_path: str | None = None  # where a lake's Parquet files go (a directory or s3://...)
    night: str | None = None  # readers: a lake as of this night (a date or a snapshot id)

    @property
    def is_lake(self) -> bool:
        return self.catalog is not None

    @property
    def label(self) -> str:
        """How messages name it: the file, or the catalog with any password masked."""
        if self.catalog is None:
            return str(self.file)
        return masked(self.catalog)

    @property
    def name(self) -> str:
        """A short name for a page footer: the file's name, or which DuckLake."""
        if self.catalog is None:
            return self.file.name
        kind = self.catalog[len(LAKE_PREFIX) :].split(":", 1)[0]
        return f"DuckLake ({kind} catalog)" if kind in ("postgres", "sqlite") else "DuckLake"

    def exists(self) -> bool:
        """Whether there is anything to read yet (a lake is asked when it is attached)."""
        return self.is_lake or self.file.resolve().exists()


class Storage(NamedTuple):
    """The settings that say where the warehouse is (all a read command needs)."""

    data_dir: Path = Path("data")
    db_path: Path | None = None  # GAPWATCH_DB; default <data dir>/gapwatch.duckdb
    warehouse_setting: str | None = None  # GAPWATCH_WAREHOUSE
    lake_data_path: str | None = None  # GAPWATCH_WAREHOUSE_DATA; default <data dir>/lake

    def warehouse(self, night: str | None = None) -> Warehouse:
        database = self.db_path if self.db_path is not None else self.data_dir / "gapwatch.duckdb"
        data_path = self.lake_data_path or str(self.data_dir / "lake")
        return parse(self.warehouse_setting, database, data_path, night)


def storage_from_env(env: Mapping[str, str]) -> Storage:
    """GAPWATCH_DATA_DIR, GAPWATCH_DB, GAPWATCH_WAREHOUSE and GAPWATCH_WAREHOUSE_DATA."""
    db = env.get("GAPWATCH_DB")
    return Storage(
        data_dir=Path(env.get("GAPWATCH_DATA_DIR", "data")),
        db_path=Path(db) if db else None,
        warehouse_setting=env.get("GAPWATCH_WAREHOUSE") or None,
        lake_data_path=env.get("GAPWATCH_WAREHOUSE_DATA") or None,
    )


def parse(
    setting: str | None, file: Path, data_path: Path | str, night: str | None = None
) -> Warehouse:
    """The warehouse GAPWATCH_WAREHOUSE names; unset or `duckdb` keeps the embedded file."""
    text = (setting or "").strip()
    if not text or text == EMBEDDED:
        return Warehouse(file=file, night=night)
    if not text.startswith(LAKE_PREFIX) or not text[len(LAKE_PREFIX) :].strip():
        raise WarehouseSettingInvalid(
            f"GAPWATCH_WAREHOUSE={text!r} names no storage gapwatch knows: leave it unset (or "
            "'duckdb') for the DuckDB file, or give a DuckLake catalog such as "
            "'ducklake:/srv/gapwatch/catalog.ducklake', 'ducklake:sqlite:catalog.sqlite' or "
            "'ducklake:postgres:dbname=gapwatch host=db.example user=gapwatch'"
        )
    return Warehouse(file=file, catalog=text, data_path=str(data_path), night=night)


def as_warehouse(where: Warehouse | Path | str) -> Warehouse:
    """Callers that still hold a file path get the embedded warehouse at that path."""
    return where if isinstance(where, Warehouse) else Warehouse(file=Path(where))


def masked(catalog: str) -> str:
    """The catalog string with any password hidden (it is shown in messages and logs)."""
    return re.sub(r"(password\s*=\s*)(\S+)", r"\1***", catalog, flags=re.IGNORECASE)
