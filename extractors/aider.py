"""Aider Polyglot leaderboard (https://aider.chat/docs/leaderboards/): the YAML the page renders.

One YAML entry per benchmark run (a model with an edit format and settings); `pass_rate_2`, the
percent of the 225 Exercism exercises solved within two attempts, is the headline. Aider records
only the date of the run, not the model's release, so release_date stays None and the run date is
kept in extra as `eval_date`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from extractors.base import OBSERVATIONS, Attribution, Record, SourceError, observation
from extractors.parsing import read_yaml
from extractors.reader import Reader

name = "aider"
DEFAULT_LOCATION = (
    "https://raw.githubusercontent.com/Aider-AI/aider/main/"
    "aider/website/_data/polyglot_leaderboard.yml"
)
ATTRIBUTION = Attribution(
    "Aider Polyglot leaderboard: Aider (Apache-2.0)", "https://aider.chat/docs/leaderboards/"
)
CREDENTIAL = None
RAW_TABLE = OBSERVATIONS
POST_PARSE = None
FILE = "polyglot_leaderboard.yml"
HEADLINE = "pass_rate_2"
REQUIRED = ("model", HEADLINE)
# kept in extra under the same key, when the entry has them (`date` becomes `eval_date`)
EXTRA = (
    "edit_format",
    "reasoning_effort",
    "thinking_tokens",
    "total_cost",
    "pass_rate_1",
    "test_cases",
    "percent_cases_well_formed",
    "editor_model",
    "editor_edit_format",
    "dirname",
    "command",
    "versions",
)


def fetch(reader: Reader) -> dict[str, bytes]:
    """Network or disk I/O only."""
    _, body = reader.main(FILE)
    return {FILE: body}


def parse(files: Mapping[str, bytes]) -> list[Record]:
    """One observation per run: its pass_rate_2, with edit format, effort and cost kept."""
    entries = _load(files)
    records = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise SourceError(f"{name}: {FILE} entry {number} is not a mapping; the layout changed")
        missing = [key for key in REQUIRED if entry.get(key) in (None, "")]
        if missing:
            label = entry.get("dirname") or "no dirname"
            raise SourceError(
                f"{name}: {FILE} entry {number} ({label}) lacks {missing}; the YAML layout changed"
            )
        extra = {key: entry[key] for key in EXTRA if entry.get(key) is not None}
        if entry.get("date") is not None:
            extra["eval_date"] = entry["date"]
        records.append(
            observation(
                model=str(entry["model"]),
                metric=HEADLINE,
                value=str(entry[HEADLINE]),
                unit="percent",
                extra=json.dumps(extra, sort_keys=True),
            )
        )
    if not records:
        raise SourceError(f"{name}: {FILE} has no entries")
    return records


def _load(files: Mapping[str, bytes]) -> list[Any]:
    if FILE not in files:
        raise SourceError(f"{name}: payload has no {FILE} (got {sorted(files)})")
    entries = read_yaml(name, FILE, files[FILE])  # no aliases, bounded depth
    if not isinstance(entries, list):
        raise SourceError(f"{name}: {FILE} is not a YAML list of runs; the layout changed")
    return entries
