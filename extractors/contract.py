"""The Source contract: what a module in extractors/ declares to be a source.

A source is a module listed in extractors.SOURCES. The pipeline knows sources only through
these module-level names; it never asks for a source by its name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Protocol

from extractors.base import Attribution, Credential, Parsed, RawTable, Record
from extractors.reader import Reader

if TYPE_CHECKING:  # the registry is read by `gapwatch --help`: no DuckDB import for it
    import duckdb

# stamps records after parsing with what the warehouse remembers (e.g. index versions)
PostParse = Callable[["duckdb.DuckDBPyConnection", list[Record], date], list[Record]]


class Source(Protocol):
    """What a module in extractors/ declares to be a source (module-level names).

    fetch() does network or disk I/O only, through the Reader it is given, and returns the
    files it read by name; parse() turns those files into records of RAW_TABLE (a list of
    observation records, or a Parsed when the source quarantines per file; a Parsed may list
    files whose rows are read only when they load, column by column, in `tables`). POST_PARSE,
    when not None, runs on the records (not on `tables`) inside the run's transaction before
    they load.
    """

    name: str
    DEFAULT_LOCATION: str
    ATTRIBUTION: Attribution
    CREDENTIAL: Credential | None
    RAW_TABLE: RawTable
    POST_PARSE: PostParse | None

    def fetch(self, reader: Reader) -> dict[str, bytes]: ...

    def parse(self, files: Mapping[str, bytes]) -> list[Record] | Parsed: ...
