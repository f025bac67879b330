"""Validating a fetch a chunk of files at a time records exactly what one frame of it does.

The real 2026-04-11 snapshot (its external files carry rows without a model version: warnings
in several files), validated again from pending once as one chunk and once in chunks of about
2,000 rows (three chunks), in one ephemeral GX context: the verdicts, reasons and
raw.validations rows must be the same, in the same order.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.warehouse.bundles import Built, copy_warehouse
from validation import chunks
from validation.project import open_context
from validation.validate import validate_fetch

SNAPSHOT = "2026-04-11"


def revalidate(con: duckdb.DuckDBPyConnection, fetch_id: int, context: Any) -> tuple[Any, ...]:
    """Validate the fetch again from pending; what it records, timestamps left out."""
    con.execute("delete from raw.validations where fetch_id = ?", [fetch_id])
    con.execute(
        "update raw.batches set status = 'pending', reason = null, checked_at = null "
        "where fetch_id = ?",
        [fetch_id],
    )
    report = validate_fetch(con, "epoch", fetch_id, date.fromisoformat(SNAPSHOT), context=context)
    validations = con.execute(
        "select * exclude (checked_at) from raw.validations where fetch_id = ? order by rowid",
        [fetch_id],
    ).fetchall()
    batches = con.execute(
        "select file, status, reason from raw.batches where fetch_id = ? order by file",
        [fetch_id],
    ).fetchall()
    return report.verdicts, [f.summary() for f in report.failures], validations, batches


def test_chunks_record_what_one_frame_does(
    snapshot_warehouse: Callable[[str], Built], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = copy_warehouse(snapshot_warehouse(SNAPSHOT), tmp_path / "data")
    with duckdb.connect(str(settings.database)) as con:
        (fetch_id,) = con.execute("select max(fetch_id) from raw.fetches").fetchone() or (None,)
        context = open_context(None)
        whole = revalidate(con, fetch_id, context)
        files = con.execute(
            "select file, benchmark_id, rows from raw.batches where fetch_id = ?", [fetch_id]
        ).fetchall()
        monkeypatch.setattr(chunks, "CHUNK_ROWS", 2000)
        assert len(chunks.file_chunks(files)) >= 3
        chunked = revalidate(con, fetch_id, context)
    verdicts, failures, validations, _ = whole
    assert len({file for file, status in verdicts.items() if status == "warned"}) > 1
    assert len(failures) > 1 and len(validations) == len(failures) + 1
    assert chunked == whole


def test_a_benchmark_s_files_stay_in_one_chunk() -> None:
    files = [("a.csv", "a", 600), ("b1.csv", "b", 300), ("c.csv", "c", 300), ("b2.csv", "b", 300)]
    assert chunks.file_chunks(files, limit=1000) == [["a.csv"], ["b1.csv", "b2.csv", "c.csv"]]
    assert chunks.file_chunks(files, limit=10_000) == [["a.csv", "b1.csv", "b2.csv", "c.csv"]]
    assert chunks.file_chunks([("big.csv", "x", 5000)], limit=1000) == [["big.csv"]]
