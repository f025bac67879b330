"""ARC Prize leaderboard (https://arcprize.org/leaderboard): the JSON files its page loads.

`leaderboard/v1.json`, `v2.json` and `v3.json` (one per ARC-AGI generation) each hold
{version, generatedAt, datasets, evaluations[]}; one evaluation is one (model, dataset) score
(0-1). `models.json` adds per-model notes and fills a release date the evaluation lacks.

One observation per evaluation: metric = the datasetId (e.g. `v2_Semi_Private`), unit fraction,
release date = modelReleaseDate (a timestamp; its date part), organization = providerDisplayName.
metric_version = the leaderboard file's `version` ("v2"): a dataset's tasks stay fixed between
regenerations of the file, so scores stay comparable across `generatedAt` dates (kept in extra as
`generated_at`, which is provenance, not comparability). The datasetId already names the ARC-AGI
generation. Evaluations are kept as published, including the human panel and entries the site
hides (`display: false`, kept in extra).

Location: a local directory or the base URL of the site's data folder (trailing slash).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from extractors.base import OBSERVATIONS, Attribution, Record, SourceError, observation
from extractors.parsing import as_text, read_json
from extractors.reader import Reader

name = "arc_prize"
DEFAULT_LOCATION = "https://arcprize.org/media/data/"
ATTRIBUTION = Attribution(
    "ARC-AGI leaderboard: ARC Prize Foundation", "https://arcprize.org/leaderboard"
)
CREDENTIAL = None
RAW_TABLE = OBSERVATIONS
POST_PARSE = None
LEADERBOARDS = ("leaderboard/v1.json", "leaderboard/v2.json", "leaderboard/v3.json")
MODELS = "models.json"
LEADERBOARD_FILE = re.compile(r"leaderboard/v\d+\.json")
REQUIRED = ("modelId", "datasetId", "score")
EXTRA = (
    "datasetDisplayName",
    "modelType",
    "modelGroup",
    "providerId",
    "costPerTask",
    "cost",
    "resultsUrl",
    "display",
)
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def fetch(reader: Reader) -> dict[str, bytes]:
    """Network or disk I/O only: the leaderboard files and the model list."""
    return {file: reader.sibling(file)[1] for file in (*LEADERBOARDS, MODELS)}


def parse(files: Mapping[str, bytes]) -> list[Record]:
    """One observation per (model, dataset) evaluation of every leaderboard file."""
    boards = sorted(file for file in files if LEADERBOARD_FILE.fullmatch(file))
    if not boards:
        raise SourceError(
            f"{name}: payload has no leaderboard/v<N>.json (got {sorted(files)}); layout changed"
        )
    models = _models(files[MODELS]) if MODELS in files else {}
    records = []
    for file in boards:
        records.extend(_board(file, files[file], models))
    return records


def _board(file: str, body: bytes, models: dict[str, dict[str, Any]]) -> list[Record]:
    doc = read_json(name, file, body)
    if not isinstance(doc, dict) or not isinstance(doc.get("evaluations"), list):
        raise SourceError(f"{name}: {file} has no `evaluations` list; the layout changed")
    version = as_text(doc.get("version")) or file.rsplit("/", 1)[-1].removesuffix(".json")
    records = []
    for number, evaluation in enumerate(doc["evaluations"], start=1):
        if not isinstance(evaluation, dict):
            raise SourceError(f"{name}: {file} evaluation {number} is not an object")
        missing = [key for key in REQUIRED if key not in evaluation]
        if missing:
            raise SourceError(
                f"{name}: {file} evaluation {number} lacks {missing}; the layout changed"
            )
        if evaluation["score"] is None:
            continue
        model = models.get(str(evaluation["modelId"]), {})
        released = evaluation.get("modelReleaseDate") or model.get("modelReleaseDate")
        kept = {
            **{key: evaluation.get(key) for key in EXTRA},
            "generated_at": doc.get("generatedAt"),
            "model_release_timestamp": released,
            "notes": model.get("notes"),
        }
        extra = {key: text for key, value in kept.items() if (text := as_text(value)) is not None}
        records.append(
            observation(
                model=str(evaluation["modelId"]),
                model_display=as_text(
                    evaluation.get("modelDisplayName") or model.get("displayName")
                ),
                metric=str(evaluation["datasetId"]),
                metric_version=version,
                value=as_text(evaluation["score"]),
                unit="fraction",
                release_date=_date(released),
                organization=as_text(evaluation.get("providerDisplayName")),
                extra=json.dumps(extra, sort_keys=True),
            )
        )
    return records


def _models(body: bytes) -> dict[str, dict[str, Any]]:
    entries = read_json(name, MODELS, body)
    if not isinstance(entries, list) or not all(
        isinstance(entry, dict) and "id" in entry for entry in entries
    ):
        raise SourceError(f"{name}: {MODELS} is not a list of models with an `id`")
    return {str(entry["id"]): entry for entry in entries}


def _date(value: object) -> str | None:
    """The YYYY-MM-DD part of the ISO timestamp ARC Prize writes, else None."""
    if isinstance(value, str) and ISO_DATE.match(value):
        return value[:10]
    return None
