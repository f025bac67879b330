"""Print query results as an aligned table, CSV or JSON.

A table fits WIDTH columns by default: long text cells are cut first, and columns that still
do not fit are left out with a note naming them (--wide prints every column in full).
"""

from __future__ import annotations

import csv
import math
import sys
import textwrap
from collections.abc import Sequence
from typing import Any, TextIO

MAX_CELL = 60
WIDTH = 100
MIN_CUT = 12  # a text column is never cut narrower than this
GUTTER = 2


def write_rows(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    fmt: str = "table",
    out: TextIO | None = None,
    max_cell: int = MAX_CELL,
    wide: bool = False,
) -> None:
    """Write rows in the chosen format; a table fits WIDTH columns unless wide."""
    out = out or sys.stdout
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([_plain(v) for v in row] for row in rows)
    elif fmt == "json":
        records = [{c: _json(v) for c, v in zip(columns, row, strict=True)} for row in rows]
        # allow_nan=False: a bare NaN is not JSON; _json has turned every NaN into null
        import json  # --json only

        json.dump(records, out, default=str, indent=2, ensure_ascii=False, allow_nan=False)
        out.write("\n")
    elif wide:
        out.write(table(columns, rows, max_cell=10**9))
    else:
        out.write(table(columns, rows, max_cell, width=WIDTH))


def table(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    max_cell: int = MAX_CELL,
    width: int | None = None,
) -> str:
    """A plain aligned text table; long cells are cut with an ellipsis to fit width."""
    cells = [[_cell(v, max_cell) for v in row] for row in rows]
    widths = [len(c) for c in columns]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    numeric = [all(_is_number(row[i]) for row in rows) and bool(rows) for i in range(len(columns))]
    keep = list(range(len(columns)))
    if width is not None:
        widths = _shrink(widths, [len(c) for c in columns], numeric, width)
        keep = _fitting(widths, width)

    def line(values: Sequence[str]) -> str:
        parts = []
        for i in keep:
            value = values[i] if len(values[i]) <= widths[i] else values[i][: widths[i] - 1] + "…"
            parts.append(value.rjust(widths[i]) if numeric[i] else value.ljust(widths[i]))
        return (" " * GUTTER).join(parts).rstrip() + "\n"

    text = line(list(columns)) + line(["-" * w for w in widths])
    text += "".join(line(row) for row in cells)
    text += f"({len(rows)} row{'s' if len(rows) != 1 else ''})\n"
    hidden = [columns[i] for i in range(len(columns)) if i not in keep]
    if hidden:
        note = f"(not shown to fit {width} columns: {', '.join(hidden)}; --wide shows all)"
        text += "\n".join(textwrap.wrap(note, width or WIDTH)) + "\n"
    return text


def _shrink(widths: list[int], heads: list[int], numeric: list[bool], width: int) -> list[int]:
    """Cut the widest text columns, one character at a time, until the table fits."""
    widths = list(widths)
    floor = [
        w if num else max(min(w, MIN_CUT), min(h, MIN_CUT))
        for w, h, num in zip(widths, heads, numeric, strict=True)
    ]
    while sum(widths) + GUTTER * (len(widths) - 1) > width:
        cuttable = [i for i, w in enumerate(widths) if w > floor[i]]
        if not cuttable:
            break
        widest = max(cuttable, key=lambda i: widths[i])
        widths[widest] -= 1
    return widths


def _fitting(widths: list[int], width: int) -> list[int]:
    """The leading columns that fit (always at least one)."""
    keep: list[int] = []
    used = 0
    for i, w in enumerate(widths):
        needed = w + (GUTTER if keep else 0)
        if keep and used + needed > width:
            break
        keep.append(i)
        used += needed
    return keep


def _is_number(value: Any) -> bool:
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))


def _cell(value: Any, max_cell: int = MAX_CELL) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        text = f"{value:.4g}" if abs(value) < 1e6 else f"{value:.3e}"
    else:
        text = str(value).replace("\n", " ")
    return text if len(text) <= max_cell else text[: max_cell - 1] + "…"


def _json(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return value
