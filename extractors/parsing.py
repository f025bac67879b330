"""Small helpers the parsers share: values to source-conformed text, CSV, JSON and YAML reading.

Every reader here is bounded, because a hostile or broken upstream file must cost its source
(or its file) one clear line, never the night: CSV fields have a size limit, JSON and YAML a
nesting limit, and YAML anchors and aliases (the "billion laughs" that expands 300 bytes into
gigabytes) are refused outright; no leaderboard uses them.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from extractors.base import SourceError
from extractors.limits import DEFAULT_LIMITS, Limits

# the bounds the readers below apply when not given one: the night's settings, set around a
# source's parse by `parsing_within` (the Source contract's parse(files) takes no settings)
_LIMITS: ContextVar[Limits] = ContextVar("parse_limits", default=DEFAULT_LIMITS)


@contextmanager
def parsing_within(limits: Limits) -> Iterator[None]:
    """Every read_csv/read_json/read_yaml inside uses these limits (the night's settings)."""
    token = _LIMITS.set(limits)
    try:
        yield
    finally:
        _LIMITS.reset(token)


def current_limits() -> Limits:
    """The bounds in force (the night's, inside `parsing_within`)."""
    return _LIMITS.get()


def as_text(value: object) -> str | None:
    """A published value as text (booleans as true/false); empty and missing become None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def read_csv(
    source: str,
    file: str,
    text: str,
    max_field_bytes: int | None = None,
    max_rows: int | None = None,
) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a CSV; a field over the limit or broken quoting names file and row."""
    limits = _LIMITS.get()
    max_field_bytes = max_field_bytes or limits.max_csv_field_bytes
    max_rows = max_rows or limits.max_csv_rows
    csv.field_size_limit(max_field_bytes)
    reader = csv.DictReader(io.StringIO(text))
    rows: list[dict[str, str]] = []
    try:
        columns = [c for c in (reader.fieldnames or []) if c is not None]
        for row in reader:
            rows.append(row)
            if len(rows) > max_rows:
                raise SourceError(f"{source}: {file} has more than {max_rows} rows; not read")
    except csv.Error as error:
        raise SourceError(
            f"{source}: {file} line {reader.line_num + 1} can't be read as CSV ({error}; fields "
            f"may hold at most {max_field_bytes} bytes)"
        ) from None
    return columns, rows


def read_json(source: str, file: str, body: bytes, max_depth: int | None = None) -> Any:
    """Parse JSON, naming the source and file when it isn't JSON or nests too deep."""
    max_depth = max_depth or _LIMITS.get().max_json_depth
    try:
        document = json.loads(body.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as error:
        raise SourceError(f"{source}: {file} is not readable JSON ({error})") from None
    except RecursionError:
        raise SourceError(_too_deep(source, file, "JSON", max_depth)) from None
    if depth_over(document, max_depth):
        raise SourceError(_too_deep(source, file, "JSON", max_depth))
    return document


def read_yaml(source: str, file: str, body: bytes, max_depth: int | None = None) -> Any:
    """Parse YAML with TextLoader (no aliases); errors name the source and the file."""
    import yaml

    from extractors.yaml_text import TextLoader

    max_depth = max_depth or _LIMITS.get().max_json_depth
    try:
        document = yaml.load(body.decode("utf-8-sig"), Loader=TextLoader)
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        reason = " ".join(str(error).split())  # one line: YAML's messages span several
        raise SourceError(f"{source}: {file} is not readable YAML ({reason})") from None
    except RecursionError:
        raise SourceError(_too_deep(source, file, "YAML", max_depth)) from None
    if depth_over(document, max_depth):
        raise SourceError(_too_deep(source, file, "YAML", max_depth))
    return document


def depth_over(document: Any, max_depth: int) -> bool:
    """Does the document nest lists/objects deeper than max_depth? (iterative: no recursion)"""
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > max_depth:
                return True
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children)
    return False


def _too_deep(source: str, file: str, kind: str, max_depth: int) -> str:
    return f"{source}: {file} nests deeper than {max_depth} levels; not read as {kind}"
