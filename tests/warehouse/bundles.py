"""Helpers for warehouse tests: bundles built from the real snapshots, and warehouse copies.

The shared snapshots are read in place; edited bundles are written to tmp_path or kept in memory.
"""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from pipeline.run import RefreshResult
from pipeline.settings import Settings

# trimmed the way staging trims names (Epoch pads some with spaces and newlines)
WHITESPACE = " \t\r\n"

SCORES_SQL = """
select benchmark_id, model_version, score, release_date, fetch_id, file, source_row,
       rows_collapsed
from marts.benchmark_scores
order by benchmark_id, model_version
"""


@dataclass(frozen=True)
class Built:
    """A warehouse a fixture refreshed once; tests only read it (or copy it first)."""

    settings: Settings
    result: RefreshResult


def make_settings(data_dir: Path) -> Settings:
    """The conftest `settings` values, for warehouses built outside one test's tmp_path."""
    return Settings(
        sources=("epoch",),
        data_dir=data_dir,
        http_retries=2,
        http_backoff_seconds=0.01,
        http_timeout_seconds=10,
    )


def zip_bundle(directory: Path, members: Mapping[str, bytes | None] | None = None) -> bytes:
    """Zip every file under directory; members replaces or adds (bytes) or drops (None) entries."""
    contents = {
        path.relative_to(directory).as_posix(): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }
    for name, body in (members or {}).items():
        if body is None:
            contents.pop(name, None)
        else:
            contents[name] = body
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in contents.items():
            archive.writestr(name, body)
    return buffer.getvalue()


def copy_bundle(directory: Path, target: Path) -> Path:
    """A writable copy of a snapshot folder (the shared files and folders are read-only)."""
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            destination = target / path.relative_to(directory)
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(path.read_bytes())
    return target


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a CSV, read with the csv module (the test's own view of the file)."""
    with path.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.DictReader(stream)
        rows = list(reader)
    return list(reader.fieldnames or []), rows


def write_csv(path: Path, columns: Sequence[str], rows: Sequence[Mapping[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(columns))
        writer.writeheader()
        writer.writerows(rows)


def copy_warehouse(built: Built, data_dir: Path) -> Settings:
    """A private copy of a built warehouse (database and raw payloads) to refresh on top of."""
    shutil.copytree(built.settings.data_dir, data_dir, copy_function=shutil.copyfile)
    return make_settings(data_dir)


def query(
    settings: Settings, sql: str, params: Sequence[Any] | None = None
) -> list[tuple[Any, ...]]:
    """Rows of one query against a warehouse file, opened read-only."""
    with duckdb.connect(str(settings.database), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def scores(settings: Settings, benchmark_id: str | None = None) -> list[tuple[Any, ...]]:
    """marts.benchmark_scores (the columns that say where each score came from), sorted."""
    rows = query(settings, SCORES_SQL)
    return [row for row in rows if benchmark_id is None or row[0] == benchmark_id]


# the one file of the metadata sub-folder that lands as rows (Epoch's IRT calibration)
LANDED_METADATA = ("additional_eci_data/eci_benchmark_difficulties_and_slopes.csv",)


def csv_data_rows(directory: Path) -> int:
    """Data rows of every CSV a bundle folder lands: the score CSVs and the IRT calibration
    (the rest of the metadata sub-folder is not loaded)."""
    total = 0
    for path in directory.rglob("*.csv"):
        relative = path.relative_to(directory)
        if relative.parts[0] != "additional_eci_data" or relative.as_posix() in LANDED_METADATA:
            total += len(read_csv(path)[1])
    return total


def is_number(text: str | None) -> bool:
    try:
        float((text or "").strip(WHITESPACE))
    except ValueError:
        return False
    return True
