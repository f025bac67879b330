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
import numpy as np
import pandas as pd

from warehouse.queries import query

NAME = "int_crossing_noise"
LAYER = "intermediate"
# what build() reads: the runner orders the models by it
READS = ("intermediate.int_crossing_pairs", "intermediate.int_score_noise")
SCHEMA = {
    "benchmark_id": "varchar",
    "threshold": "double",
    "open_scope": "varchar",
    "closed_p_above_threshold": "double",
    "open_p_above_threshold": "double",
    "p_above_threshold": "double",
    "p_above_threshold_note": "varchar",
}
PAIRS_SQL = query("transforms.python", "crossing_noise_pairs")
NOISE_SQL = query("transforms.python", "crossing_noise_noise")
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


_P_ABOVE = np.frompyfunc(p_above, 5, 1)


def side(pairs: pd.DataFrame, noise: pd.DataFrame, name: str) -> tuple[np.ndarray, pd.Series]:
    """(p per pair for one side's first crosser, the note where it has no noise)."""
    found = pairs[["benchmark_id", f"first_{name}_model"]].merge(
        noise,
        how="left",
        left_on=["benchmark_id", f"first_{name}_model"],
        right_on=["benchmark_id", "model_version"],
    )
    crossed = pairs[f"first_{name}_model"].notna() & pairs[f"first_{name}_score"].notna()
    known = found["noise_kind"].notna().to_numpy() & crossed.to_numpy()
    p = np.full(len(pairs), np.nan)
    if known.any():
        p[known] = _P_ABOVE(
            pairs[f"first_{name}_score"].to_numpy(np.float64)[known],
            pairs["threshold"].to_numpy(np.float64)[known],
            found["noise_kind"].to_numpy(object)[known],
            found["stderr"].to_numpy(np.float64)[known],
            found["log_sd"].to_numpy(np.float64)[known],
        ).astype(np.float64)
    why = found["noise_note"].fillna("its source gives no noise")
    note = (pairs[f"first_{name}_model"].astype(str) + ": " + why).where(crossed & ~known)
    return p, note.reset_index(drop=True)


def build(con: duckdb.DuckDBPyConnection, params: Mapping[str, Any]) -> pd.DataFrame:
    return compute(load(con, params), params)


def load(
    con: duckdb.DuckDBPyConnection, params: Mapping[str, Any]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The crossing pairs and the scores' noise."""
    return con.execute(PAIRS_SQL).df(), con.execute(NOISE_SQL).df()


def compute(inputs: tuple[pd.DataFrame, pd.DataFrame], params: Mapping[str, Any]) -> pd.DataFrame:
    """Each side's probability and the pair's, without the connection (the runner runs it on
    a worker thread while the connection builds other tables)."""
    pairs, noise = inputs
    closed, closed_note = side(pairs, noise, "closed")
    opened, open_note = side(pairs, noise, "open")
    both = (pairs["status"] == "both_crossed").to_numpy()
    notes = [
        "; ".join(n for n in (a, b) if isinstance(n, str)) or None
        for a, b in zip(closed_note, open_note, strict=True)
    ]
    return pd.DataFrame(
        {
            "benchmark_id": pairs["benchmark_id"],
            "threshold": pairs["threshold"],
            "open_scope": pairs["open_scope"],
            "closed_p_above_threshold": closed,
            "open_p_above_threshold": opened,
            "p_above_threshold": np.where(both, closed * opened, np.nan),
            "p_above_threshold_note": pd.Series(notes, dtype="object"),
        }
    )
