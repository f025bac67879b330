"""`gapwatch sources check [NAME]`: does gapwatch still understand a source, as it is now?

Fetches (or reads) each source's location exactly as a refresh would, parses it, and reports
the layout, files, columns and labels it found, without landing or loading anything: for
maintainers to run when a night goes quiet. Exit 0 when everything is understood, 1 when not.
"""

from __future__ import annotations

import argparse
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from cli.common import UsageError, settings_from


@dataclass
class SourceCheck:
    """What one source's location holds, in lines a maintainer can act on."""

    source: str
    location: str
    status: str = "understood"  # understood | not understood | skipped | unreachable
    lines: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status in ("understood", "skipped")


def check_source(settings: Any, name: str) -> SourceCheck:
    """Fetch and parse one source's location; never lands, never writes the warehouse."""
    from extractors import SOURCES
    from extractors.base import Previous, SourceError, SourceSkipped, as_parsed, credential_headers
    from extractors.columnar import read_tables
    from extractors.http import make_session
    from extractors.locations import fetch_payload
    from extractors.parsing import parsing_within
    from extractors.zipsafe import iter_members

    source = SOURCES[name]
    location = settings.locations[name]
    check = SourceCheck(name, location)
    credential = source.CREDENTIAL
    if (
        credential is not None
        and credential.needed_for(location)
        and not settings.credentials.get(credential.setting)
    ):
        check.status, check.lines = "skipped", [credential.missing_reason(name)]
        return check
    session = make_session(
        settings.user_agent, settings.http_retries, settings.http_backoff_seconds
    )
    try:
        payload = fetch_payload(
            source,
            location,
            session,
            Previous(),
            settings.http_timeout_seconds,
            settings.max_payload_bytes,
            credential_headers(credential, settings.credentials),
            settings.limits,
        )
    except SourceSkipped as reason:
        check.status, check.lines = "skipped", [str(reason)]
        return check
    except SourceError as error:
        check.status, check.lines = "unreachable", [str(error)]
        return check
    assert payload.body is not None
    try:
        files = dict(
            iter_members(name, payload.body, settings.max_member_bytes, settings.max_expanded_bytes)
        )
        with parsing_within(settings.limits):  # the bounds a refresh parses within
            parsed = read_tables(as_parsed(name, source.parse(files)))
    except SourceError as error:
        check.status, check.lines = "not understood", [str(error)]
        return check
    if parsed.layout:
        _describe_files(check, parsed)
    else:
        _describe_observations(check, parsed.records, files)
    return check


def _describe_files(check: SourceCheck, bundle: Any) -> None:
    only = next(iter(bundle.files), "")  # a one-file source's records carry no file name

    def file_of(record: dict[str, str | None]) -> str:
        return str(record.get("file") or only)

    rows = Counter(file_of(record) for record in bundle.records)
    columns = {file_of(r): str(r.get("score_column")) for r in bundle.records}
    check.lines.append(f"layout: {bundle.layout}; {len(bundle.files)} file(s) understood")
    for file, unit in sorted(bundle.files.items()):
        headline = f", headline {columns[file]!r}" if columns.get(file, "None") != "None" else ""
        check.lines.append(f"  {file}: {rows[file]} rows, unit {unit}{headline}")
    if bundle.labels:
        shown = ", ".join(f"{label or '(blank)'} {n}" for label, n in sorted(bundle.labels.items()))
        check.lines.append(f"accessibility labels: {shown}")
    for file, error in sorted(bundle.file_errors.items()):
        check.lines.append(f"NOT READ {file}: {error}")
    for change in bundle.format_changes:
        check.lines.append(f"FORMAT CHANGE {change.describe()} (columns: {list(change.columns)})")
    if bundle.file_errors or bundle.format_changes:
        check.status = "not understood"


def _describe_observations(
    check: SourceCheck, records: list[dict[str, str | None]], files: dict[str, bytes]
) -> None:
    metrics = Counter(f"{r['metric']} ({r['unit']})" for r in records)
    models = {r["model"] for r in records}
    check.lines.append(f"files read: {', '.join(sorted(files))}")
    check.lines.append(f"{len(records)} values for {len(models)} models")
    check.lines.extend(f"  {metric}: {n}" for metric, n in sorted(metrics.items()))
    if not records:
        check.status = "not understood"
        check.lines.append("no values found: the layout changed or the location is wrong")


def sources(args: argparse.Namespace) -> int:
    """Check that gapwatch understands each source as it is now, without loading anything.

    `check` fetches each source's location (its URL by default, or the --source / setting
    location), parses it like a refresh would and reports the layout, the files and columns
    it read, the accessibility labels it saw, and every format change it does not know. Run it
    when a night goes quiet or raises source_format_changed. Exit 1 when something is not
    understood. Nothing is landed and the warehouse is not touched.

    Example:
        gapwatch sources check
        gapwatch sources check epoch
        gapwatch sources check epoch --source epoch=./benchmark_data.zip
    """
    if args.action != "check":
        raise UsageError(f"unknown sources action {args.action!r}; try: gapwatch sources check")
    settings = settings_from(args)
    names = [args.name] if args.name else list(settings.sources)
    unknown = [n for n in names if n not in settings.locations]
    if unknown:
        raise UsageError(f"unknown source(s) {unknown}; known: {sorted(settings.locations)}")
    checks = [check_source(settings, name) for name in names]
    for check in checks:
        print(f"== {check.source}: {check.status} ({check.location})")
        for line in check.lines:
            print(f"   {line}")
    return 0 if all(check.ok for check in checks) else 1


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["check"], help="what to do (check)")
    parser.add_argument("name", nargs="?", help="one source (default: every configured one)")
    parser.add_argument(
        "--source",
        action="append",
        metavar="NAME=LOCATION",
        help="check this location instead of the configured one",
    )
