"""LMArena (https://lmarena.ai/leaderboard): Elo-style ratings from pairwise human votes.

Three published layouts are read, plus one metadata file:
- `leaderboard-<arena>.json` (lmarena/arena-catalog): {category: {model_key: {rating,
  rating_q025, rating_q975}}}; every category becomes metric `<arena>_<category>`; `full` (the
  overall board, metric `text_full` for the text arena) must be there, the others are kept when
  present.
- `lmarena_<arena>.csv` (a CSV export of the board): rank, model, arena_score, 95_pct_ci, votes,
  organization, license, ...; metric `<arena>_full`.
- `arena_<arena>.json` (a scrape of arena.ai/leaderboard/<arena>): {meta, models[{rank, model,
  vendor, license, score, ci, votes}]}; metric `<meta.leaderboard>_full`.
- `scatterplot-data.json` (arena-catalog): name, model_api_name, organization, license per model;
  no scores, so it only fills organization, display name and licence of the rated models whose
  key equals its model_api_name.

open_weights comes from the licence: "Proprietary" (and the one misspelling seen, "Propretary")
-> "false"; "open" or a recognised open-weights licence name (Apache, MIT, Llama, Gemma, Qwen,
CC-BY-NC, ...) -> "true"; blank, "Other" or anything unrecognised -> None (the licence text stays in
extra, so staging can map new names).

metric_version: ratings move as votes arrive, so a value is comparable only within one snapshot
of the board. It is the board's own date when it gives one (`meta.last_updated`, as YYYY-MM-DD),
else the date its scraper fetched it (`meta.fetched_at`), else the fetch date the caller passes
as the `_fetched_on` pseudo-file, else None (leaderboard-text.json and the CSV carry no date).

Location: one file (URL or local), or a local directory, from which every known file present is
read.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from typing import Any

from extractors.base import OBSERVATIONS, Attribution, Record, SourceError, observation
from extractors.parsing import as_text, read_csv, read_json
from extractors.reader import Reader

name = "lmarena"
DEFAULT_LOCATION = (
    "https://raw.githubusercontent.com/lmarena/arena-catalog/main/data/leaderboard-text.json"
)
ATTRIBUTION = Attribution("Arena ratings: LMArena", "https://lmarena.ai/")
CREDENTIAL = None
RAW_TABLE = OBSERVATIONS
POST_PARSE = None
FILE = "leaderboard-text.json"
SCATTERPLOT = "scatterplot-data.json"
FETCHED_ON = "_fetched_on"
CATEGORY_FILE = re.compile(r"leaderboard-([a-z0-9_]+)\.json")
CSV_FILE = re.compile(r"lmarena_([a-z0-9_]+)\.csv")
ARENA_FILE = re.compile(r"arena_([a-z0-9_]+)\.json")
CSV_REQUIRED = ("model", "arena_score")
CSV_EXTRA = ("rank", "rank_stylectrl", "95_pct_ci", "votes", "license", "knowledge_cutoff", "url")
PROPRIETARY = re.compile(r"^\s*(proprietary|propretary)\s*$", re.IGNORECASE)
OPEN_LICENCE = re.compile(
    r"\b(open|apache|mit|bsd|gpl|cc-by|llama|gemma|qwen|qianwen|deepseek|mistral research|mrl|"
    r"yi license|nvidia|nexusflow|jamba|dbrx|falcon|ai2|non-commercial|openrail)\b",
    re.IGNORECASE,
)
DATE_FORMATS = ("%Y-%m-%d", "%b %d, %Y", "%B %d, %Y")


def fetch(reader: Reader) -> dict[str, bytes]:
    """Network or disk I/O only: the location's file, or every known file in its directory."""
    if reader.is_directory:
        known = [file for file in reader.listing() or [] if is_known(file)]
        if not known:
            raise SourceError(f"{name}: no LMArena leaderboard file in {reader.location}")
        return {file: reader.sibling(file)[1] for file in known}
    file, body = reader.main(FILE)
    return {file: body}


def is_known(file: str) -> bool:
    """A file name this module can read."""
    patterns = (CATEGORY_FILE, CSV_FILE, ARENA_FILE)
    return file == SCATTERPLOT or any(p.fullmatch(file) for p in patterns)


def open_weights(licence: object) -> str | None:
    """The open-weights flag a licence implies: "true", "false", or None when unclear."""
    if not isinstance(licence, str) or not licence.strip():
        return None
    if PROPRIETARY.match(licence):
        return "false"
    return "true" if OPEN_LICENCE.search(licence) else None


def parse(files: Mapping[str, bytes]) -> list[Record]:
    """One observation per (model, board category) in every leaderboard file of the payload."""
    fetched_on = _fetched_on(files)
    known = {file: body for file, body in files.items() if is_known(file)}
    boards = sorted(file for file in known if file != SCATTERPLOT)
    if not boards:
        raise SourceError(
            f"{name}: no leaderboard file in the payload (got {sorted(files)}); expected "
            "leaderboard-<arena>.json, lmarena_<arena>.csv or arena_<arena>.json"
        )
    records = []
    for file in boards:
        if match := CATEGORY_FILE.fullmatch(file):
            records.extend(_categories(file, known[file], match.group(1), fetched_on))
        elif match := CSV_FILE.fullmatch(file):
            records.extend(_csv(file, known[file], match.group(1), fetched_on))
        elif match := ARENA_FILE.fullmatch(file):
            records.extend(_arena(file, known[file], match.group(1), fetched_on))
    if SCATTERPLOT in known:
        _enrich(records, _scatterplot(known[SCATTERPLOT]))
    return records


def _categories(file: str, body: bytes, arena: str, version: str | None) -> list[Record]:
    board = read_json(name, file, body)
    if not isinstance(board, dict) or not isinstance(board.get("full"), dict):
        raise SourceError(f"{name}: {file} has no `full` category; the layout changed")
    records = []
    for category, models in board.items():
        if not isinstance(models, dict):
            raise SourceError(f"{name}: {file} category {category!r} is not a model map")
        for model, entry in models.items():
            if not isinstance(entry, dict) or entry.get("rating") is None:
                raise SourceError(f"{name}: {file} {category}/{model} has no rating")
            extra = {k: as_text(entry[k]) for k in ("rating_q025", "rating_q975") if k in entry}
            records.append(
                observation(
                    model=model,
                    metric=f"{arena}_{category}",
                    metric_version=version,
                    value=as_text(entry["rating"]),
                    unit="elo",
                    extra=json.dumps(extra, sort_keys=True),
                )
            )
    return records


def _csv(file: str, body: bytes, arena: str, version: str | None) -> list[Record]:
    columns, rows = read_csv(name, file, body.decode("utf-8-sig"))
    missing = [column for column in CSV_REQUIRED if column not in columns]
    if missing:
        raise SourceError(f"{name}: {file} lacks columns {missing}; the CSV layout changed")
    records = []
    for row in rows:
        if not row["model"]:
            continue
        extra = {key: row[key] for key in CSV_EXTRA if row.get(key)}
        records.append(
            observation(
                model=row["model"],
                metric=f"{arena}_full",
                metric_version=version,
                value=row["arena_score"] or None,
                unit="elo",
                organization=row.get("organization") or None,
                open_weights=open_weights(row.get("license")),
                extra=json.dumps(extra, sort_keys=True),
            )
        )
    if not records:
        raise SourceError(f"{name}: {file} has no rows")
    return records


def _arena(file: str, body: bytes, arena: str, fetched_on: str | None) -> list[Record]:
    doc = read_json(name, file, body)
    if not isinstance(doc, dict) or not isinstance(doc.get("models"), list):
        raise SourceError(f"{name}: {file} has no `models` list; the layout changed")
    meta: dict[str, Any] = doc["meta"] if isinstance(doc.get("meta"), dict) else {}
    board = meta.get("leaderboard") or arena
    version = _date(meta.get("last_updated")) or _date(meta.get("fetched_at")) or fetched_on
    records = []
    for number, entry in enumerate(doc["models"], start=1):
        if not isinstance(entry, dict) or not entry.get("model") or entry.get("score") is None:
            raise SourceError(f"{name}: {file} model {number} lacks `model` or `score`")
        extra = {k: as_text(entry[k]) for k in ("rank", "ci", "votes", "license") if k in entry}
        records.append(
            observation(
                model=str(entry["model"]),
                metric=f"{board}_full",
                metric_version=version,
                value=as_text(entry["score"]),
                unit="elo",
                organization=as_text(entry.get("vendor")),
                open_weights=open_weights(entry.get("license")),
                extra=json.dumps(extra, sort_keys=True),
            )
        )
    return records


def _scatterplot(body: bytes) -> dict[str, dict[str, Any]]:
    entries = read_json(name, SCATTERPLOT, body)
    if not isinstance(entries, list):
        raise SourceError(f"{name}: {SCATTERPLOT} is not a list of models; the layout changed")
    by_key = {}
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not entry.get("model_api_name"):
            raise SourceError(f"{name}: {SCATTERPLOT} entry {number} lacks model_api_name")
        by_key[str(entry["model_api_name"])] = entry
    return by_key


def _enrich(records: list[Record], models: dict[str, dict[str, Any]]) -> None:
    """Fill what a board lacks (organization, display name, licence) from the scatterplot file."""
    for record in records:
        entry = models.get(record["model"] or "")
        if entry is None:
            continue
        record["model_display"] = record["model_display"] or as_text(entry.get("name"))
        record["organization"] = record["organization"] or as_text(entry.get("organization"))
        if record["open_weights"] is None:
            record["open_weights"] = open_weights(entry.get("license"))
        extra = json.loads(record["extra"] or "{}")
        extra.setdefault("license", as_text(entry.get("license")))
        if entry.get("hidden") is not None:
            extra["hidden"] = as_text(entry["hidden"])
        record["extra"] = json.dumps(extra, sort_keys=True)


def _date(value: object) -> str | None:
    """YYYY-MM-DD from a date or timestamp as the boards write them ("Jul 1, 2026", ISO)."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if re.match(r"\d{4}-\d{2}-\d{2}", text):
        return text[:10]
    for layout in DATE_FORMATS:
        try:
            parsed = time.strptime(text, layout)
        except ValueError:
            continue
        return f"{parsed.tm_year:04d}-{parsed.tm_mon:02d}-{parsed.tm_mday:02d}"
    return text  # an unknown date layout: still a snapshot label, kept verbatim


def _fetched_on(files: Mapping[str, bytes]) -> str | None:
    if FETCHED_ON not in files:
        return None
    text = files[FETCHED_ON].decode("ascii", "replace").strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise SourceError(f"{name}: {FETCHED_ON} is {text!r}, not a YYYY-MM-DD date")
    return text
