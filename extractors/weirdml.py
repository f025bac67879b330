"""WeirdML leaderboard (https://htihle.github.io/weirdml.html): the CSV its page loads.

The HTML page itself holds no data (it embeds widgets that read this CSV), so the CSV is the
source. One row per model configuration; `avg_acc` is the headline accuracy (0-1).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from extractors.base import OBSERVATIONS, Attribution, Record, SourceError, observation
from extractors.parsing import read_csv
from extractors.reader import Reader

name = "weirdml"
DEFAULT_LOCATION = "https://htihle.github.io/data/weirdml_data.csv"
ATTRIBUTION = Attribution("WeirdML: Håvard Tveit Ihle", "https://htihle.github.io/weirdml.html")
CREDENTIAL = None
RAW_TABLE = OBSERVATIONS
POST_PARSE = None
FILE = "weirdml_data.csv"
HEADLINE = "avg_acc"
REQUIRED = ("internal_model_name", "display_name", HEADLINE, "release_date")


def fetch(reader: Reader) -> dict[str, bytes]:
    """Network or disk I/O only."""
    _, body = reader.main(FILE)
    return {FILE: body}


def parse(files: Mapping[str, bytes]) -> list[Record]:
    """One observation per model row: its average accuracy, with standard error and cost kept."""
    text = files[FILE].decode("utf-8-sig")
    columns, rows = read_csv(name, FILE, text)
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise SourceError(f"{name}: {FILE} lacks columns {missing}; the CSV layout changed")
    records = []
    for row in rows:
        extra = {
            k: row[k]
            for k in ("avg_acc_standard_error", "cost_per_run_usd", "model_slug", "API source")
            if row.get(k)
        }
        records.append(
            observation(
                model=row["internal_model_name"],
                model_display=row["display_name"],
                metric=HEADLINE,
                value=row[HEADLINE] or None,
                unit="fraction",
                release_date=row["release_date"] or None,
                extra=json.dumps(extra, sort_keys=True),
            )
        )
    if not records:
        raise SourceError(f"{name}: {FILE} has no rows")
    return records
