"""What every source declares and hands to the warehouse: payloads, records, its raw table.

The Source contract itself (which module-level names a source defines) is in
extractors/contract.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


class SourceError(Exception):
    """A source could not be fetched or parsed; the message names source, file and row."""


class HTTPStatusError(SourceError):
    """A GET answered a status that is neither 200 nor 304 (after retries): raw.fetches keeps it.

    The status travels in `args` too, so the error survives pickling (a Prefect task's state).
    """

    def __init__(self, message: str, http_status: int) -> None:
        super().__init__(message, http_status)
        self.http_status = http_status

    def __str__(self) -> str:
        return str(self.args[0])


class SourceSkipped(SourceError):
    """A source that can't run as configured (no API key): skipped with one line, not failed."""


@dataclass(frozen=True)
class Previous:
    """What the warehouse remembers of the last fetch of a location (for conditional requests)."""

    sha256: str | None = None
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class Payload:
    """One fetched payload, untouched. body is None when the server answered 304 Not Modified."""

    source: str
    location: str
    fetched_at: datetime
    http_status: int | None
    body: bytes | None
    etag: str | None = None
    last_modified: str | None = None
    suffix: str = ".zip"

    @property
    def not_modified(self) -> bool:
        return self.body is None


Record = dict[str, str | None]


class NotModified(Exception):
    """The server answered 304 to a conditional request: the last landed payload still holds."""


@dataclass(frozen=True)
class Attribution:
    """Whom the report and exports credit for a source's data, and where it comes from."""

    text: str
    url: str
    # the publisher's terms ask for the credit wherever its numbers are shown (CLI tables too)
    required: bool = False

    def line(self) -> str:
        return f"{self.text} ({self.url})"


@dataclass(frozen=True)
class Credential:
    """A secret a source sends with its requests, read from one setting (environment variable).

    When `needed_for(location)` and the setting is empty, the pipeline skips the source with
    one line (the source is then `skipped`, never `failed`, and its fetch never starts).
    """

    setting: str  # e.g. GAPWATCH_AA_API_KEY
    header: str  # the HTTP header that carries it
    needed_for: Callable[[str], bool]  # does this location need it (an API URL) or not (a file)

    def missing_reason(self, source: str) -> str:
        return f"{source}: no API key (set {self.setting}); skipped"


@dataclass(frozen=True)
class RawTable:
    """The raw table a source loads: raw.<source>__<entity>, with these text columns."""

    entity: str
    columns: tuple[str, ...]  # all text (varchar); typing happens in staging SQL
    not_null: tuple[str, ...] = ("row_number",)


@dataclass(frozen=True)
class FormatChange:
    """Something in a file the code does not know: the file, what changed, the columns seen."""

    file: str
    change: str  # unknown_layout | new_columns | missing_columns | unknown_labels | ...
    detail: str
    columns: tuple[str, ...] = ()

    def describe(self) -> str:
        return f"{self.file}: {self.detail}"


class PendingTable(Protocol):
    """A file whose rows are read only when they load (extractors.columnar.CsvFile)."""

    @property
    def source(self) -> str: ...

    @property
    def file(self) -> str: ...

    @property
    def header(self) -> tuple[str, ...]: ...

    def stage(self, con: Any, into: str, values: list[object], scratch: Any) -> int:
        """Run `into` on the DuckDB connection `con` with its rows as `{rows}`; how many.

        `scratch`: the in-memory database (extractors.scratch) to read the file on, shared by
        the files of one load."""
        ...


@dataclass
class Parsed:
    """A parsed payload: its records, the unit of quarantine (file -> benchmark id and unit),
    and the files that could not be read (file -> why), quarantined at once."""

    records: list[Record] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # file -> unit of its score column
    benchmarks: dict[str, str] = field(default_factory=dict)  # file -> benchmark id
    file_errors: dict[str, str] = field(default_factory=dict)
    # what the code did not understand (layout, columns, labels): news for the maintainer
    format_changes: list[FormatChange] = field(default_factory=list)
    # a source whose files have a layout of their own names it (gapwatch sources check shows it)
    layout: str = ""
    # accessibility labels a registry-like payload declares, counted ('' for blank): what
    # gapwatch sources check shows a maintainer, without knowing which source it is
    labels: dict[str, int] = field(default_factory=dict)
    # files whose rows are read column by column only when they load (extractors/columnar.py):
    # listed in `files` already; one that turns out unreadable moves to `file_errors` then
    tables: list[PendingTable] = field(default_factory=list)

    def unreadable(
        self, source: str, file: str, error: SourceError, columns: Sequence[str] = ()
    ) -> None:
        """A file that can't be read: quarantined (with why), and news for the maintainer."""
        self.files.pop(file, None)
        self.file_errors[file] = str(error)
        detail = str(error).removeprefix(f"{source}: ")
        self.format_changes.append(FormatChange(file, "unreadable_file", detail, tuple(columns)))


def as_parsed(source: str, result: Sequence[Record] | Parsed) -> Parsed:
    """A list of observations is one batch, numbered from 1, quarantined as a whole."""
    if isinstance(result, Parsed):
        return result
    records = [{"row_number": str(i), **record} for i, record in enumerate(result, start=1)]
    return Parsed(records, {"observations": "mixed"}, {"observations": source})


def credential_headers(credential: Credential | None, values: Mapping[str, str]) -> dict[str, str]:
    """The header carrying the credential, when its setting has a value."""
    if credential is None or not values.get(credential.setting):
        return {}
    return {credential.header: values[credential.setting]}


# The long, source-conformed record every leaderboard-style source parses into (all text):
# one row per (model as the source names it, metric). Typing, units and identity come later,
# in staging SQL and the identity model.
OBSERVATION_FIELDS = (
    "model",  # the source's own id or name for the model, verbatim
    "model_display",  # its display name, when the source has one
    "metric",  # the source's metric id, e.g. "pass_rate_2", "p50_horizon_length", "gpqa"
    "metric_version",  # what makes values comparable: index version, benchmark release...
    "value",  # as published
    "unit",  # fraction | percent | minutes | index | elo | points
    "release_date",  # YYYY-MM-DD when the source says, else None
    "organization",
    "country",
    "open_weights",  # the source's own flag: "true" | "false" | None
    "extra",  # JSON text of anything else worth keeping
)


def observation(**fields: str | None) -> Record:
    """A record with every observation field present (missing ones None); unknown keys refused."""
    unknown = set(fields) - set(OBSERVATION_FIELDS)
    if unknown:
        raise ValueError(f"not observation fields: {sorted(unknown)}")
    return {name: fields.get(name) for name in OBSERVATION_FIELDS}


# the raw table of every leaderboard-style source
OBSERVATIONS = RawTable("observations", ("row_number", *OBSERVATION_FIELDS))
