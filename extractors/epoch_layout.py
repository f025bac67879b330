"""Which layout an Epoch bundle has, read off its own files (never off a date), and its registry.

Two layouts are known:
- `capabilities_index` (to mid 2026): `epoch_capabilities_index.csv` is the model-version
  registry (`Model version`, `Model accessibility`, `Model name`, `ECI Score`, ...).
- `model_metadata` (from Sept 2026): `model_metadata.csv` is the registry (`model_version`,
  `model_group`, `accessibility`, ...) and `epoch_capabilities_index/eci_scores.csv` holds the
  ECI per *model* (`Model`, `eci`, `Model accessibility`, `model_versions`).

What the code does not know (a missing registry, a new column in a structural file, a
registry column gone, a label never seen) becomes a FormatChange: the night still loads what it
can, and the maintainer hears about it once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from extractors.base import FormatChange, Record, SourceError
from extractors.parsing import read_csv

SOURCE = "epoch"
OLD_REGISTRY = "epoch_capabilities_index.csv"
NEW_REGISTRY = "model_metadata.csv"
ECI_SCORES = "epoch_capabilities_index/eci_scores.csv"
METADATA_FILE = "benchmark_metadata.csv"

# every label Epoch has published, and what it means for the open/closed question
# (README "Label classes"); anything else is `unknown` and reported as a format change
LABEL_CLASSES: dict[str, str] = {
    "Open weights (unrestricted)": "open",
    "Open weights (restricted use)": "open",
    "Open weights (non-commercial)": "open",
    "API access": "closed",
    "Hosted access (no API)": "closed",
    # offered to vetted partners only (e.g. a cyber-security preview): nobody can buy it, so
    # it is not the closed frontier an open model races against; excluded like Unreleased
    "Limited access": "excluded",
    "Unreleased": "excluded",
    # Epoch's own "we don't know" (eci_scores.csv): no status from this link
    "Unknown": "unknown",
}

# columns each structural file is known to have: (required, the rest Epoch is known to ship)
KNOWN_COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    OLD_REGISTRY: (
        ("Model version", "Model accessibility"),
        (
            "ECI Score",
            "Release date",
            "Organization",
            "Country",
            "Training compute (FLOP)",
            "Confidence",
            "Model name",
            "Description",
            "Display name",
        ),
    ),
    NEW_REGISTRY: (
        ("model_version", "model_group", "accessibility"),
        ("date", "display_name", "organization", "country", "training_compute_flop"),
    ),
    ECI_SCORES: (
        ("Model", "eci", "Model accessibility"),
        (
            "Display name",
            "eci_ci_low",
            "eci_ci_high",
            "date",
            "Organization",
            "Country (of organization)",
            "Accessibility group",
            "model_versions",
        ),
    ),
    METADATA_FILE: (
        ("source_file", "score_column"),
        (
            "benchmark",
            "in_eci",
            "scale",
            "random_baseline",
            "score_ceiling",
            "release_date",
            "superseded_by",
        ),
    ),
}
LABEL_COLUMNS = {
    OLD_REGISTRY: "Model accessibility",
    NEW_REGISTRY: "accessibility",
    ECI_SCORES: "Model accessibility",
}


@dataclass
class Registry:
    """The registry files of one bundle as long records, plus what was not understood."""

    layout: str  # capabilities_index | model_metadata | unknown
    records: list[Record] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # file -> unit ("index" for the ECI)
    file_errors: dict[str, str] = field(default_factory=dict)
    changes: list[FormatChange] = field(default_factory=list)
    # how many registry rows carry each accessibility label ('' for a blank one)
    labels: dict[str, int] = field(default_factory=dict)


def detect_layout(members: Mapping[str, bytes]) -> str:
    """The bundle's layout from the files it holds."""
    if NEW_REGISTRY in members:
        return "model_metadata"
    if OLD_REGISTRY in members:
        return "capabilities_index"
    return "unknown"


def label_class(label: str | None) -> str | None:
    """open | closed | excluded | unknown for a published label; None for a blank one."""
    text = (label or "").strip()
    if not text:
        return None
    return LABEL_CLASSES.get(text, "unknown")


def column_changes(file: str, columns: list[str]) -> list[FormatChange]:
    """Columns of a structural file against what the code knows: missing ones and new ones."""
    required, optional = KNOWN_COLUMNS[file]
    seen = tuple(columns)
    changes = []
    missing = [c for c in required if c not in columns]
    if missing:
        changes.append(
            FormatChange(file, "missing_columns", f"lacks required column(s) {missing}", seen)
        )
    new = [c for c in columns if c not in required and c not in optional]
    if new:
        changes.append(FormatChange(file, "new_columns", f"has unknown column(s) {new}", seen))
    return changes


def label_changes(file: str, rows: list[dict[str, str]]) -> list[FormatChange]:
    """Accessibility labels never seen before: reported (the rows still load, status unknown)."""
    column = LABEL_COLUMNS[file]
    unseen = sorted(
        {
            (row.get(column) or "").strip()
            for row in rows
            if (row.get(column) or "").strip()
            and (row.get(column) or "").strip() not in LABEL_CLASSES
        }
    )
    if not unseen:
        return []
    return [
        FormatChange(
            file,
            "unknown_labels",
            f"unknown accessibility label(s) {unseen} in column {column!r} (status unknown)",
            (column,),
        )
    ]


def read_registry(members: Mapping[str, bytes]) -> Registry:
    """The registry of either layout (the old one is parsed with the score files)."""
    layout = detect_layout(members)
    registry = Registry(layout)
    if layout == "unknown":
        registry.changes.append(
            FormatChange(
                "(bundle)",
                "unknown_layout",
                f"neither {OLD_REGISTRY} nor {NEW_REGISTRY} is in the bundle: no model registry "
                "(the last good registry stays in use)",
                tuple(sorted(m for m in members if m.endswith(".csv"))[:40]),
            )
        )
        return registry
    if layout == "capabilities_index":
        try:  # its rows are parsed with the score files (the ECI is its score column)
            _check_structural(registry, OLD_REGISTRY, members[OLD_REGISTRY])
        except SourceError as error:
            registry.file_errors[OLD_REGISTRY] = str(error)
        return registry
    versions_of = _read_new_registry(registry, members[NEW_REGISTRY])
    if ECI_SCORES in members:
        _read_eci_scores(registry, members[ECI_SCORES], versions_of)
    return registry


def _check_structural(registry: Registry, file: str, content: bytes) -> list[dict[str, str]]:
    columns, rows = read_rows(file, content)
    changes = column_changes(file, columns)
    registry.changes.extend(changes)
    registry.changes.extend(label_changes(file, rows) if LABEL_COLUMNS[file] in columns else [])
    if any(change.change == "missing_columns" for change in changes):
        raise SourceError(f"{SOURCE}: {file} lacks required columns (columns: {columns})")
    if file in (OLD_REGISTRY, NEW_REGISTRY):
        registry.labels = row_labels(rows, LABEL_COLUMNS[file])
    return rows


def row_labels(rows: list[dict[str, str]], column: str) -> dict[str, int]:
    """How many rows carry each label in `column` ('' for a blank one)."""
    counts: dict[str, int] = {}
    for row in rows:
        label = (row.get(column) or "").strip()
        counts[label] = counts.get(label, 0) + 1
    return counts


def _read_new_registry(registry: Registry, content: bytes) -> dict[str, list[str]]:
    """model_metadata.csv -> one record per row; returns model_group -> its versions."""
    try:
        rows = _check_structural(registry, NEW_REGISTRY, content)
    except SourceError as error:
        registry.file_errors[NEW_REGISTRY] = str(error)
        return {}
    versions_of: dict[str, list[str]] = {}
    for number, row in enumerate(rows, start=1):
        version = row.get("model_version")
        group = (row.get("model_group") or "").strip()
        if (version or "").strip() and group:
            versions_of.setdefault(group, []).append(version or "")
        registry.records.append(
            _record(
                NEW_REGISTRY,
                number,
                version,
                row,
                {"date": "release_date", "organization": "organization", "country": "country"},
                {"model_version"},
            )
        )
    registry.files[NEW_REGISTRY] = "registry"
    return versions_of


def _read_eci_scores(registry: Registry, content: bytes, versions_of: dict[str, list[str]]) -> None:
    """eci_scores.csv (model level) -> one record per model version it covers.

    The versions come from its `model_versions` column when filled, else from the registry's
    `model_group`; a model with no version at all is kept with a blank version (recorded and
    skipped by validation, like Epoch's free-text rows).
    """
    try:
        rows = _check_structural(registry, ECI_SCORES, content)
    except SourceError as error:
        registry.file_errors[ECI_SCORES] = str(error)
        return
    renames = {
        "date": "release_date",
        "Organization": "organization",
        "Country (of organization)": "country",
    }
    for number, row in enumerate(rows, start=1):
        listed = [v.strip() for v in (row.get("model_versions") or "").split(",") if v.strip()]
        versions: list[str | None] = [
            *(listed or versions_of.get((row.get("Model") or "").strip(), []))
        ]
        for version in versions or [None]:
            record = _record(ECI_SCORES, number, version, row, renames, set())
            record["score_column"], record["score_text"] = "eci", row.get("eci")
            registry.records.append(record)
    registry.files[ECI_SCORES] = "index"


def read_rows(
    file: str, content: bytes, source: str = SOURCE
) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a CSV member through the bounded reader; a non-UTF-8 file, a field
    over the size limit or broken quoting is a SourceError naming source and file."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SourceError(f"{source}: {file} is not UTF-8 text ({error})") from error
    return read_csv(source, file, text)


def _record(
    file: str,
    number: int,
    version: str | None,
    row: dict[str, str],
    renames: dict[str, str],
    taken: set[str],
) -> Record:
    """A registry row in the long record shape of the bundle's raw table."""
    record: Record = {
        "file": file,
        "row_number": str(number),
        "model_version": version,
        "score_column": None,
        "score_text": None,
        "release_date": None,
        "organization": None,
        "country": None,
        "stderr_text": None,
    }
    for column, target in renames.items():
        record[target] = row.get(column)
    used = taken | set(renames)
    extra = {k: v for k, v in row.items() if k is not None and k not in used and v}
    record["extra"] = json.dumps(extra, ensure_ascii=False, sort_keys=True)
    return record
