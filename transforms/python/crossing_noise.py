"""intermediate.int_crossing_noise: how likely each first crosser's true score is above its
threshold, given the noise its source publishes for that score (intermediate.int_score_noise).

A crossing is two first crossers. Each side's probability is Normal(score, stderr) above the
threshold, or, for an asymmetric 95% interval (METR), the same on the log scale. The pair's
`p_above_threshold` is the product of its two sides (independent evaluations: the probability
that both really crossed); it is NULL, with a note naming the side, when a side has no noise.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from statistics import NormalDist
from typing import Any

import duckdb
import pandas as pd

SCHEMA = {
    "benchmark_id": "varchar",
    "threshold": "double",
    "open_scope": "varchar",
    "closed_p_above_threshold": "double",
    "open_p_above_threshold": "double",
    "p_above_threshold": "double",
    "p_above_threshold_note": "varchar",
}
PAIRS_SQL = """
select benchmark_id, threshold, open_scope, status,
       first_closed_model, first_closed_score, first_open_model, first_open_score
from intermediate.int_crossing_pairs
"""
NOISE_SQL = """
select benchmark_id, model_version, noise_kind, stderr, log_sd, noise_note
from intermediate.int_score_noise
"""
_STANDARD = NormalDist()


def p_above(
    score: float, threshold: float, kind: str | None, stderr: float, log_sd: float
) -> float:
    """P(true score > threshold) for a published score and its noise."""
    if kind == "stderr":
        return _STANDARD.cdf((score - threshold) / stderr)
    if kind == "ci95_log":
        return _STANDARD.cdf((math.log(score) - math.log(threshold)) / log_sd)
    return float("nan")


def build(con: duckdb.DuckDBPyConnection, params: Mapping[str, Any]) -> pd.DataFrame:
    pairs = con.execute(PAIRS_SQL).df()
    noise = {(r.benchmark_id, r.model_version): r for r in con.execute(NOISE_SQL).df().itertuples()}
    rows = []
    for pair in pairs.itertuples():
        sides: dict[str, float] = {}
        notes: list[str] = []
        for side in ("closed", "open"):
            model = getattr(pair, f"first_{side}_model")
            score = getattr(pair, f"first_{side}_score")
            if not isinstance(model, str) or pd.isna(score):
                continue
            found = noise.get((pair.benchmark_id, model))
            if found is None or found.noise_kind is None or pd.isna(found.noise_kind):
                why = found.noise_note if found is not None else "its source gives no noise"
                notes.append(f"{model}: {why}")
                sides[side] = float("nan")
                continue
            sides[side] = p_above(
                float(score),
                float(pair.threshold),
                str(found.noise_kind),
                float(found.stderr) if pd.notna(found.stderr) else float("nan"),
                float(found.log_sd) if pd.notna(found.log_sd) else float("nan"),
            )
        closed = sides.get("closed", float("nan"))
        opened = sides.get("open", float("nan"))
        both = pair.status == "both_crossed"
        rows.append(
            {
                "benchmark_id": pair.benchmark_id,
                "threshold": pair.threshold,
                "open_scope": pair.open_scope,
                "closed_p_above_threshold": closed,
                "open_p_above_threshold": opened,
                "p_above_threshold": closed * opened if both else float("nan"),
                "p_above_threshold_note": "; ".join(notes) if notes else None,
            }
        )
    if not rows:
        return pd.DataFrame({column: pd.Series(dtype="object") for column in SCHEMA})
    return pd.DataFrame(rows)
