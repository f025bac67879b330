"""Epoch score files read column by column (DuckDB's CSV reader) mean what the row reader made
of them: the same records, value for value, on every real snapshot and on odd files.

The odd files below are small, hand-written fixtures (made-up models and scores).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.base import SourceError
from extractors.columnar import CsvFile, staged_records
from extractors.epoch import SCORE_COLUMNS, score_file
from extractors.parsing import read_csv
from tests.conftest import SHARED_DATA

SNAPSHOTS = sorted(p for p in (SHARED_DATA / "epoch").glob("*/benchmark_data") if p.is_dir())
HEADER = "Model version,Best score (across scorers),Release date,stderr,Notes,Notes,Source\n"


def by_rows(table: CsvFile) -> list[dict[str, str | None]]:
    """What the row reader (csv.DictReader) makes of the file, as records."""
    text = table.members[table.file].decode("utf-8-sig")
    return table.records(table, read_csv("epoch", table.file, text)[1])


def scored(members: dict[str, bytes], file: str) -> CsvFile:
    return score_file(file, members, dict(SCORE_COLUMNS))[1]


def no_row_reader(self: CsvFile, *_: object) -> None:
    raise AssertionError(f"{self.file} went through the row reader")


@pytest.mark.parametrize("snapshot", SNAPSHOTS, ids=lambda p: p.parent.name)
def test_every_real_score_file_reads_the_same_by_columns(
    snapshot: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    members = {p.name: p.read_bytes() for p in snapshot.glob("*.csv")}
    files = [f for f in sorted(members) if f in SCORE_COLUMNS]
    assert len(files) >= 10
    monkeypatch.setattr(CsvFile, "_stage_by_rows", no_row_reader)  # DuckDB reads them all
    for file in files:
        try:
            table = scored(members, file)
        except SourceError:
            continue  # a file whose header the code refuses: never read by either path
        assert staged_records(table) == by_rows(table), file


ODD_FILES = {
    "short and long rows": HEADER + "m1,0.5\nm2,0.6,2024-01-01,0.01,a,b,c,EXTRA,MORE\n",
    "repeated and blank header names": "Model version,Best score (across scorers),x,x,,y\n"
    "m1,0.5,first,second,blank-named,\nm2,0.6,,,,\n",
    "blank lines, spaces, quoted newlines, CRLF": HEADER.replace("\n", "\r\n")
    + 'm1,0.5,2024-01-01,,"two\r\nlines",,\r\n\r\n   \r\n"",0.7\r\n',
    "quotes and unicode": HEADER + 'm1,0.5,,,"say ""hi""",ü€😀 \\ / \t tab,x"y\n',
    "a byte order mark": "\ufeff" + HEADER + "m1,0.5,,,,,\n",
    "control characters": HEADER + "m1,0.5,,,a\x1fb\x0bc,\x7f,\x01\n",
    "a NUL byte": HEADER + "m1,0.5,,,a\x00b,,\n",
    "text after a closing quote": HEADER + 'm1,0.5,,,"ab"cd,,\n',
    "an unterminated quote": HEADER + 'm1,0.5,,,"never closed\nm2,0.6\n',
    "only a header": HEADER,
    "a header spread over lines": '"Model\nversion",Model version,Best score (across scorers)\n'
    "a,m1,0.5\n",
}


@pytest.mark.parametrize("case", sorted(ODD_FILES))
def test_odd_files_read_as_the_row_reader_reads_them(case: str) -> None:
    members = {"gpqa_diamond.csv": ODD_FILES[case].encode()}
    table = scored(members, "gpqa_diamond.csv")
    assert staged_records(table) == by_rows(table)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (HEADER.encode() + b"m1,0.5,,,\xff\xfe,,\n", "epoch: gpqa_diamond.csv is not UTF-8 text"),
        (
            (HEADER + "m1,0.5,,,\r" + "m2,0.6\n").encode(),
            "epoch: gpqa_diamond.csv line 2 can't be read as CSV",
        ),
    ],
    ids=["not utf-8", "a bare carriage return"],
)
def test_a_file_the_row_reader_refuses_fails_with_its_message(content: bytes, message: str) -> None:
    with pytest.raises(SourceError) as raised:  # from its header, or when its rows are read
        staged_records(scored({"gpqa_diamond.csv": content}, "gpqa_diamond.csv"))
    assert str(raised.value).startswith(message)
