"""Artificial Analysis (https://artificialanalysis.ai): model evaluations and capability indices.

Data provided by Artificial Analysis (attribution required). Two JSON formats, told apart by
their shape:
(a) the API v2 response, `GET /api/v2/data/llms/models` with the key in the `x-api-key` header:
    {"status", "prompt_options", "data": [model...]}; no open-weights flag;
(b) the leaderboard page payload: {"meta": {..., "fetched_at"}, "models": [model...]}, with
    `open_weights.is_open_weights` and `creator.country`.
One observation per model x evaluation: every key of `evaluations` with a numeric value
(`<key>_is_estimated` flags are not metrics; they go to the extra of `<key>`). model = `slug`,
model_display = `name`, organization = the creator's name, open_weights from format (b) only.
Units: the `artificial_analysis_*_index` values are `index` (0-100), `aa_omniscience` is `points`
(-100..100, can be negative), every other evaluation is a `fraction`.

Index versions. AA has rescaled its Intelligence Index several times (each time changing which
evaluations it combines), and values from different versions must never form one series. The
payloads name no version, so index observations get metric_version `evals-<fp>@<date>`:
- `<fp>`: the first 8 hex digits of the sha256 of the sorted evaluation keys present in the
  payload, without the indices themselves and the `_is_estimated` flags. The key set is what the
  payload says about the index's components; a rescale has so far come with new or dropped
  evaluations, which changes the fingerprint;
- `<date>`: the payload's fetch date, because a rescale that keeps the key set would otherwise go
  unseen: `meta.fetched_at` in format (b); in format (a) the caller passes it as the `_fetched_on`
  pseudo-file (YYYY-MM-DD). Without it the version is `evals-<fp>` alone and the loader should
  add the date. fetch() does not stamp it itself: a date inside the payload would change the
  payload's sha256 every day and defeat the warehouse's "unchanged since last load" check.
Non-index evaluations carry no version (None).

The date stamped into an index version by the parser is refined after parsing by
POST_PARSE (extractors/aa_index_versions.py): each version is named by the night it was first
seen, against what the warehouse already holds.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlparse

from extractors.aa_index_versions import stamp_index_versions
from extractors.base import (
    OBSERVATIONS,
    Attribution,
    Credential,
    Record,
    SourceError,
    SourceSkipped,
    observation,
)
from extractors.parsing import as_text, read_json
from extractors.reader import Reader, is_url

name = "artificial_analysis"
DEFAULT_LOCATION = "https://artificialanalysis.ai/api/v2/data/llms/models"
ATTRIBUTION = Attribution(
    "Data provided by Artificial Analysis", "https://artificialanalysis.ai", required=True
)
RAW_TABLE = OBSERVATIONS
POST_PARSE = stamp_index_versions
API_FILE = "llms_models.json"
PAGE_FILE = "llms.json"
KNOWN_FILES = (API_FILE, PAGE_FILE)
FETCHED_ON = "_fetched_on"
KEY_HEADER = "x-api-key"
KEY_VARIABLE = "GAPWATCH_AA_API_KEY"
INDEX = re.compile(r"artificial_analysis_\w+_index")
POINTS = frozenset({"aa_omniscience"})
ESTIMATED = "_is_estimated"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def needs_key(location: str) -> bool:
    """The API needs the key; a saved payload file or folder does not."""
    return is_url(location) and urlparse(location).path.startswith("/api/")


CREDENTIAL = Credential(KEY_VARIABLE, KEY_HEADER, needs_key)


class MissingKey(SourceSkipped):
    """The API needs a key and none is configured: the source is skipped, not failed."""


def fetch(reader: Reader) -> dict[str, bytes]:
    """Network or disk I/O only: the API response, or a saved payload file (or two)."""
    api = needs_key(reader.location)
    if api and not any(k.lower() == KEY_HEADER and v for k, v in reader.headers.items()):
        raise MissingKey(CREDENTIAL.missing_reason(name))
    if reader.is_directory:
        present = [file for file in reader.listing() or [] if file in KNOWN_FILES]
        if not present:
            raise SourceError(f"{name}: none of {list(KNOWN_FILES)} in {reader.location}")
        return {file: reader.sibling(file)[1] for file in present}
    file, body = reader.main(API_FILE)
    return {API_FILE if api else file: body}


def parse(files: Mapping[str, bytes]) -> list[Record]:
    """One observation per (model, numeric evaluation) of every payload file."""
    fetched_on = _fetched_on(files)
    payloads = {file: body for file, body in files.items() if not file.startswith("_")}
    if not payloads:
        raise SourceError(f"{name}: payload has no JSON file (got {sorted(files)})")
    records = []
    for file, body in sorted(payloads.items()):
        records.extend(_parse_payload(file, read_json(name, file, body), fetched_on))
    return records


def index_version(evaluation_keys: Iterable[str], fetched_on: str | None) -> str:
    """`evals-<fingerprint of the index components>@<fetch date>` (see the module docstring)."""
    components = sorted(
        {key for key in evaluation_keys if not key.endswith(ESTIMATED) and not INDEX.fullmatch(key)}
    )
    fingerprint = hashlib.sha256("\n".join(components).encode()).hexdigest()[:8]
    return f"evals-{fingerprint}@{fetched_on}" if fetched_on else f"evals-{fingerprint}"


def unit_of(metric: str) -> str:
    """The unit AA publishes an evaluation in."""
    if INDEX.fullmatch(metric):
        return "index"
    return "points" if metric in POINTS else "fraction"


def _parse_payload(file: str, doc: Any, fetched_on: str | None) -> list[Record]:
    if isinstance(doc, dict) and isinstance(doc.get("data"), list):
        if doc.get("status") not in (None, 200):
            raise SourceError(f"{name}: {file} is an API answer with status {doc['status']!r}")
        models, layout, date = doc["data"], "api_v2", fetched_on
    elif isinstance(doc, dict) and isinstance(doc.get("meta"), dict) and "models" in doc:
        if not isinstance(doc["models"], list):
            raise SourceError(f"{name}: {file} `models` is not a list; the layout changed")
        fetched_at = doc["meta"].get("fetched_at")
        page_date = fetched_at[:10] if isinstance(fetched_at, str) else ""
        models, layout = doc["models"], "page_payload"
        date = page_date if ISO_DATE.fullmatch(page_date) else fetched_on
    else:
        raise SourceError(
            f"{name}: {file} is neither an API v2 answer (a `data` list) nor a leaderboard page "
            "payload (`meta` and `models`); the format changed"
        )
    for number, model in enumerate(models, start=1):
        _check_model(file, number, model)
    keys = {key for model in models for key in model["evaluations"]}
    version = index_version(keys, date)
    records = []
    for model in models:
        records.extend(_model_records(model, layout, version))
    if not records:
        raise SourceError(f"{name}: {file} has no numeric evaluation in any model")
    return records


def _check_model(file: str, number: int, model: Any) -> None:
    if not isinstance(model, dict):
        raise SourceError(f"{name}: {file} model {number} is not an object")
    if not isinstance(model.get("slug"), str) or not model["slug"]:
        raise SourceError(f"{name}: {file} model {number} has no `slug`; the layout changed")
    if not isinstance(model.get("evaluations"), dict):
        raise SourceError(
            f"{name}: {file} model {number} ({model['slug']}) has no `evaluations` object"
        )


def _model_records(model: Mapping[str, Any], layout: str, version: str) -> list[Record]:
    evaluations: Mapping[str, Any] = model["evaluations"]
    creator = model.get("creator") or model.get("model_creator")
    if not isinstance(creator, dict):
        creator = {}
    weights = model.get("open_weights") if layout == "page_payload" else None
    common = {"layout": layout, "id": model.get("id"), "creator_slug": creator.get("slug")}
    if isinstance(weights, dict):
        common["license_name"] = weights.get("license_name")
    for key in ("reasoning_model", "deprecated"):
        if model.get(key) is not None:
            common[key] = model[key]
    records = []
    for metric, value in evaluations.items():
        if metric.endswith(ESTIMATED) or not _numeric(value):
            continue
        extra = {k: v for k, v in common.items() if v is not None}
        if f"{metric}{ESTIMATED}" in evaluations:
            extra["is_estimated"] = evaluations[f"{metric}{ESTIMATED}"]
        unit = unit_of(metric)
        records.append(
            observation(
                model=model["slug"],
                model_display=as_text(model.get("name")),
                metric=metric,
                metric_version=version if unit == "index" else None,
                value=as_text(value),
                unit=unit,
                release_date=as_text(model.get("release_date")),
                organization=as_text(creator.get("name")),
                country=as_text(creator.get("country")),
                open_weights=as_text(weights.get("is_open_weights"))
                if isinstance(weights, dict)
                else None,
                extra=json.dumps(extra, sort_keys=True),
            )
        )
    return records


def _fetched_on(files: Mapping[str, bytes]) -> str | None:
    if FETCHED_ON not in files:
        return None
    text = files[FETCHED_ON].decode("ascii", "replace").strip()
    if not ISO_DATE.fullmatch(text):
        raise SourceError(f"{name}: {FETCHED_ON} is {text!r}, not a YYYY-MM-DD date")
    return text


def _numeric(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
