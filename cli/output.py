"""Print query results as an aligned table, CSV or JSON."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

MAX_CELL = 60


def render(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    fmt: str = "table",
    out: TextIO | None = None,
    max_cell: int = MAX_CELL,
) -> None:
    """Write rows in the chosen format; table cells longer than max_cell are cut."""
    out = out or sys.stdout
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([_plain(v) for v in row] for row in rows)
    elif fmt == "json":
        records = [dict(zip(columns, row, strict=True)) for row in rows]
        json.dump(records, out, default=str, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        out.write(table(columns, rows, max_cell))


def table(columns: Sequence[str], rows: Sequence[Sequence[Any]], max_cell: int = MAX_CELL) -> str:
    """A plain aligned text table; long cells are cut with an ellipsis."""
    cells = [[_cell(v, max_cell) for v in row] for row in rows]
    widths = [len(c) for c in columns]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    numeric = [
        all(isinstance(row[i], int | float) or row[i] is None for row in rows) and bool(rows)
        for i in range(len(columns))
    ]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip() + "\n"

    text = line(list(columns)) + line(["-" * w for w in widths])
    text += "".join(line(row) for row in cells)
    return text + f"({len(rows)} row{'s' if len(rows) != 1 else ''})\n"


def _cell(value: Any, max_cell: int = MAX_CELL) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        text = f"{value:.4g}" if abs(value) < 1e6 else f"{value:.3e}"
    else:
        text = str(value).replace("\n", " ")
    return text if len(text) <= max_cell else text[: max_cell - 1] + "…"


def _plain(value: Any) -> Any:
    return "" if value is None else value
