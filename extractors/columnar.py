"""CSV files read column by column by DuckDB's CSV reader, meaning what the row reader means.

A bundle 100 times today's size parsed row by row into Python dicts costs kilobytes a row; read
by DuckDB straight into the warehouse it costs next to nothing in Python. The meaning stays the
row reader's (extractors/parsing.py read_csv, csv.DictReader): the header is the first record,
a blank field is '' and a field a short row lacks is NULL, extra fields of a long row are
dropped, blank lines are skipped, a repeated column name means its last column.

Where DuckDB would read a file differently from the row reader (a NUL byte, a bare carriage
return, text after a closing quote, an unterminated quote, a long row, bytes that are not
UTF-8, a field over the size limit, control characters that JSON writes in a case of its own)
the file goes through the row reader instead, so every file means exactly what it meant, and a
file the row reader can't read fails with its message naming source, file and line.
"""

from __future__ import annotations

import codecs
import csv
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from extractors.base import Parsed, PendingTable, Record, SourceError
from extractors.limits import Limits
from extractors.parsing import current_limits, read_csv

if TYPE_CHECKING:
    import duckdb

HEAD_BYTES = 64 * 1024
# bytes that make DuckDB's reading differ from the row reader's: NUL, control characters
# that to_json writes as \u001F where json.dumps writes \u001f
_ROW_READER_ONLY = [bytes([b]) for b in (0x00, 0x0B, *range(0x0E, 0x20))]
# the table staged_records reads one file's rows into
STAGED = "staged_csv_rows"


def read_header(source: str, file: str, head: bytes, whole: Callable[[], bytes]) -> list[str]:
    """The header record of a CSV from its first bytes (the whole file when it runs past them).

    Raises SourceError naming source and file when it is not UTF-8 or not CSV.
    """
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        text = decoder.decode(head, final=len(head) < HEAD_BYTES)
    except UnicodeDecodeError as error:
        raise SourceError(f"{source}: {file} is not UTF-8 text ({error})") from error
    limits = current_limits()
    csv.field_size_limit(limits.max_csv_field_bytes)
    lines = text.splitlines(keepends=True)
    reader = csv.reader(lines)
    try:
        header = next(reader, [])
    except csv.Error as error:
        raise SourceError(
            f"{source}: {file} line 1 can't be read as CSV ({error}; fields may hold at most "
            f"{limits.max_csv_field_bytes} bytes)"
        ) from None
    if len(head) >= HEAD_BYTES and reader.line_num >= len(lines):
        # the header may run on past the first bytes: read it off the whole file
        content = whole()
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise SourceError(f"{source}: {file} is not UTF-8 text ({error})") from error
        columns, _ = read_csv(source, file, text)
        return columns
    return header


@dataclass(frozen=True)
class CsvFile:
    """One CSV of a payload, to be read column by column when the warehouse loads it.

    `select` turns the columns DuckDB read (c0, c1, ... in header order, plus row_number) into
    the raw table's columns; `records` is the same for the row reader's dicts. Both come from the
    source's own module, so the two paths can't drift apart: the tests compare them.
    """

    source: str
    file: str
    header: tuple[str, ...]
    members: Mapping[str, bytes]
    limits: Limits
    columns: tuple[str, ...]  # the raw table's, in the order `select` gives them
    select: Callable[[CsvFile], tuple[str, list[object]]]
    records: Callable[[CsvFile, list[dict[str, str]]], list[Record]]

    def position(self, name: str) -> int | None:
        """The column a name means (the last one, when the header repeats it), like DictReader."""
        found = None
        for index, column in enumerate(self.header):
            if column == name:
                found = index
        return found

    def column(self, name: str | None) -> str:
        """SQL for the staged column a name means; NULL when the file has no such column."""
        index = self.position(name) if name is not None else None
        return "null" if index is None else f"c{index}"

    def stage(
        self,
        con: duckdb.DuckDBPyConnection,
        into: str,
        values: list[object],
        scratch: duckdb.DuckDBPyConnection,
    ) -> int:
        """Run `into` (SQL whose `{rows}` stands for this file's rows in the raw table's
        columns, e.g. an insert ... select from {rows}) with `values`; returns the row count.

        Raises SourceError naming source, file and line when the file can't be read. Nothing
        that can fail runs on `con` (a failed statement would end the load's transaction):
        DuckDB reads the file on a connection of its own (`scratch`, an in-memory database of
        extractors.scratch that a load shares between its files) and hands the rows over as
        Parquet, straight into the statement (no copy held in the transaction until it
        commits).
        """
        content = self.members[self.file]
        with tempfile.TemporaryDirectory(prefix="gapwatch-csv-") as folder:
            read = self._read_by_columns(content, folder, scratch)
            if read is None:
                return self._stage_by_rows(con, content, into, values)
            del content
            parquet, count = read
            rows = "(select * from read_parquet(?) order by cast(row_number as bigint))"
            con.execute(into.format(rows=rows), [*values, parquet])
        return count

    def _read_csv(self, path: str, size: int) -> tuple[str, dict[str, object]]:
        return (
            "read_csv($path, header = true, delim = ',', quote = '\"', escape = '\"', "
            "columns = $columns, auto_detect = false, null_padding = true, nullstr = $never, "
            "strict_mode = true, parallel = false, max_line_size = $line, encoding = 'utf-8')"
        ), {
            "path": path,
            "columns": {f"c{i}": "VARCHAR" for i in range(len(self.header))},
            "never": "\x01",  # no field is NULL but one a short row lacks
            "line": max(size, 2 * 1024 * 1024) + 1,
        }

    def _under_limits_by_size(self, content: bytes) -> bool:
        """No field can be over the field limit, nor the rows over the row limit, in a file
        this small: no field is longer than the file, and every row but the last ends a line."""
        return (
            len(content) <= self.limits.max_csv_field_bytes
            and content.count(b"\n") + 1 <= self.limits.max_csv_rows
        )

    def _read_by_columns(
        self, content: bytes, folder: str, scratch: duckdb.DuckDBPyConnection
    ) -> tuple[str, int] | None:
        """The file's records as a Parquet file written by DuckDB on `scratch`; None when
        DuckDB would not read it as the row reader does, or it is over a limit (the row reader
        then says why). Leaves nothing behind on `scratch` for the next file."""
        if not self.header or any(byte in content for byte in _ROW_READER_ONLY):
            return None
        if content.count(b"\r") != content.count(b"\r\n"):  # the row reader refuses a bare CR
            return None
        import duckdb

        path, parquet = os.path.join(folder, "file.csv"), os.path.join(folder, "rows.parquet")
        with open(path, "wb") as stream:
            stream.write(content)
        reader, params = self._read_csv(path, len(content))
        lengths = ", ".join(f"coalesce(max(length(c{i})), 0)" for i in range(len(self.header)))
        try:
            try:
                # create table ... as returns the number of rows it wrote
                ((rows,),) = scratch.execute(
                    f"create or replace temp table wide as select * from {reader}", params
                ).fetchall()
            except duckdb.Error:
                return None  # the row reader says what is wrong, or reads it as it always did
            if not self._under_limits_by_size(content):
                rows, longest = scratch.execute(
                    f"select count(*), greatest(0, {lengths}) from wide"
                ).fetchall()[0]
                if int(longest) > self.limits.max_csv_field_bytes or int(rows) > (
                    self.limits.max_csv_rows
                ):
                    return None  # over a limit: the row reader's error names the line or count
            sql, values = self.select(self)
            # straight from the file's table into Parquet: no second table of the rows
            scratch.sql(
                f"{sql} from ("
                # rowid counts the rows in file order
                "select *, rowid + 1 as row_index, cast(rowid + 1 as varchar) as row_number "
                "from wide) order by row_index",
                params=values,
            ).write_parquet(parquet)
        finally:
            scratch.execute("drop table if exists wide")
        return parquet, int(rows)

    def _stage_by_rows(
        self, con: duckdb.DuckDBPyConnection, content: bytes, into: str, values: list[object]
    ) -> int:
        import pandas as pd

        from extractors.parsing import parsing_within

        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise SourceError(f"{self.source}: {self.file} is not UTF-8 text ({error})") from error
        with parsing_within(self.limits):
            _, rows = read_csv(self.source, self.file, text)
        frame = pd.DataFrame.from_records(self.records(self, rows), columns=list(self.columns))
        con.register("staged_csv_frame", frame)
        try:
            con.execute(into.format(rows="staged_csv_frame"), values)
        finally:
            con.unregister("staged_csv_frame")
        return len(frame)


def staged_records(csv_file: PendingTable) -> list[Record]:
    """A CsvFile's rows as records, read on a private in-memory DuckDB (tests, `sources check`)."""
    from extractors.scratch import scratch_database

    with scratch_database(threads=1) as con:  # it reads the file too: nothing else runs on it
        csv_file.stage(con, f"create temp table {STAGED} as select * from {{rows}}", [], con)
        cursor = con.execute(f"select * from {STAGED} order by cast(row_number as bigint)")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def read_tables(parsed: Parsed) -> Parsed:
    """Read every CsvFile still pending into parsed.records: for small payloads only (tests,
    `gapwatch sources check`); a night loads them into the warehouse file by file instead."""
    while parsed.tables:
        csv_file = parsed.tables.pop(0)
        try:
            parsed.records.extend(staged_records(csv_file))
        except SourceError as error:
            parsed.unreadable(csv_file.source, csv_file.file, error, csv_file.header)
    return parsed
