"""Epoch AI's *Data on AI Models* database (https://epoch.ai/data/ai-models, CC BY 4.0).

A link of the open/closed status chain, not a score source: `all_ai_models.csv` gives each
model (by Epoch's model name, the registry's `Model name` / `model_group`) its `Model
accessibility`. Fetched like the other sources from its public zip; parse() turns the file into
one text record per model row, with what the code does not know reported as format changes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from extractors.base import Attribution, FormatChange, Parsed, RawTable, Record, SourceError
from extractors.epoch_layout import LABEL_CLASSES, read_rows
from extractors.reader import Reader
from extractors.zipsafe import iter_members

name = "epoch_ai_models"
DEFAULT_LOCATION = "https://epoch.ai/data/ai_models.zip"
ARCHIVE = "ai_models.zip"
FILE = "all_ai_models.csv"
ENTITY = "models"
ATTRIBUTION = Attribution(
    "Model accessibility: Epoch AI, Data on AI Models, licensed CC BY 4.0",
    "https://epoch.ai/data/ai-models",
)
CREDENTIAL = None
POST_PARSE = None
COLUMNS = (
    "row_number",
    "model",
    "organization",
    "publication_date",
    "accessibility",
    "country",
    "extra",
)
REQUIRED = ("Model", "Model accessibility")
# kept beside the label: what a person checking a status wants to see
EXTRA = ("Link", "Accessibility notes", "Open model weights?", "Parameters", "Domain")
RAW_TABLE = RawTable(ENTITY, COLUMNS)
MAX_BYTES = 200 * 1024 * 1024


def fetch(reader: Reader) -> dict[str, bytes]:
    """Network or disk I/O only: the zip as published, or the CSV of an unzipped folder."""
    if reader.is_directory:
        return {FILE: reader.sibling(FILE)[1]}
    file, body = reader.main(ARCHIVE)
    return {file: body}


def parse(files: Mapping[str, bytes]) -> Parsed:
    """all_ai_models.csv (inside the zip, or given directly) -> one record per model row."""
    members = dict(files)
    for file in [f for f in files if f.endswith(".zip")]:
        members.update(iter_members(name, files[file], MAX_BYTES, MAX_BYTES))
    parsed = Parsed(layout="ai_models", benchmarks={FILE: name})
    if FILE not in members:
        raise SourceError(f"{name}: {FILE} is not in the payload (files: {sorted(members)})")
    columns, rows = read_rows(FILE, members[FILE], name)
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        parsed.file_errors[FILE] = f"{name}: {FILE} lacks column(s) {missing} (columns: {columns})"
        parsed.format_changes.append(
            FormatChange(
                FILE, "missing_columns", f"lacks required column(s) {missing}", tuple(columns)
            )
        )
        return parsed
    unseen = sorted(
        {
            (r.get("Model accessibility") or "").strip()
            for r in rows
            if (r.get("Model accessibility") or "").strip() not in ("", *LABEL_CLASSES)
        }
    )
    if unseen:
        parsed.format_changes.append(
            FormatChange(
                FILE,
                "unknown_labels",
                f"unknown accessibility label(s) {unseen} in column 'Model accessibility' "
                "(status unknown)",
                ("Model accessibility",),
            )
        )
    parsed.records = [_record(number, row) for number, row in enumerate(rows, start=1)]
    for row in rows:
        label = (row.get("Model accessibility") or "").strip()
        parsed.labels[label] = parsed.labels.get(label, 0) + 1
    parsed.files[FILE] = "registry"
    return parsed


def _record(number: int, row: dict[str, str]) -> Record:
    extra = {k: row[k] for k in EXTRA if row.get(k)}
    return {
        "row_number": str(number),
        "model": row.get("Model"),
        "organization": row.get("Organization"),
        "publication_date": row.get("Publication date"),
        "accessibility": row.get("Model accessibility"),
        "country": row.get("Country (of organization)"),
        "extra": json.dumps(extra, ensure_ascii=False, sort_keys=True),
    }
