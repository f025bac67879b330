"""Name the version of each Artificial Analysis index: values of two versions never mix.

AA rescales its indices now and then, sometimes without changing which evaluations they
combine, and its payloads name no version. The parser tags index values with a fingerprint of
the payload's evaluation keys; here each (index, fingerprint) gets the night it was first seen:
a new night keeps the previous label while the index values of the models both loads share
agree (median ratio within 2% of 1), and starts a new version, labelled with its own night,
when they do not. So a rescale starts a new series on the night it appears, and an unchanged
index keeps one stable benchmark id night after night.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date
from typing import TYPE_CHECKING

from extractors.base import Record

if TYPE_CHECKING:  # imported with the registry by `gapwatch --help`: no DuckDB import here
    import duckdb

TOLERANCE = 0.02
MIN_SHARED = 5

PREVIOUS_SQL = """
select metric, model, metric_version, try_cast(value as double)
from raw.artificial_analysis__observations
where _fetch_id = (
    select max(fetch_id) from raw.batches
    where source = 'artificial_analysis' and status in ('passed', 'warned')
)
and metric_version like 'evals-%'
"""


def stamp_index_versions(
    con: duckdb.DuckDBPyConnection, records: list[Record], as_of: date
) -> list[Record]:
    """Records with every index metric_version set to '<fingerprint>@<first night seen>'."""
    previous: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    labels: dict[tuple[str, str], str] = {}
    for metric, model, version, value in con.execute(PREVIOUS_SQL).fetchall():
        key = (str(metric), str(version).split("@")[0])
        labels[key] = str(version)
        if value is not None:
            previous[key][str(model)] = float(value)
    current: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for record in records:
        version = record.get("metric_version") or ""
        if version.startswith("evals-") and record.get("value") and record.get("model"):
            key = (str(record["metric"]), version.split("@")[0])
            try:
                current[key][str(record["model"])] = float(str(record["value"]))
            except ValueError:
                continue  # validation reports the bad value with its row
    decided = {key: _label(key, values, previous, labels, as_of) for key, values in current.items()}
    stamped = []
    for record in records:
        version = record.get("metric_version") or ""
        if version.startswith("evals-"):
            key = (str(record["metric"]), version.split("@")[0])
            record = {**record, "metric_version": decided.get(key, f"{key[1]}@{as_of}")}
        stamped.append(record)
    return stamped


def _label(
    key: tuple[str, str],
    values: dict[str, float],
    previous: dict[tuple[str, str], dict[str, float]],
    labels: dict[tuple[str, str], str],
    as_of: date,
) -> str:
    before = previous.get(key, {})
    ratios = [values[m] / before[m] for m in values.keys() & before.keys() if before[m] > 0]
    consistent = len(ratios) >= MIN_SHARED and abs(statistics.median(ratios) - 1) <= TOLERANCE
    if key in labels and consistent:
        return labels[key]
    return f"{key[1]}@{as_of.isoformat()}"
