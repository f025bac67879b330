"""The gap series gapwatch reports: which datapoints and pending thresholds feed each one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from transforms.method import CONFIDENT_MIN_P


@dataclass(frozen=True)
class Series:
    """A slice of the gap datapoints: view (benchmark or eci), open scope, access, category,
    and optionally only the points at least `min_p` likely to be real crossings."""

    name: str
    source: str
    view: str = "benchmark"
    open_scope: str = "all"
    access: str | None = None
    category: str | None = None
    min_p: float | None = None

    def select(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Rows of a frame with view/open_scope/access/category columns that belong here."""
        return frame[self.mask(columns(frame))]

    def mask(self, columns: Mapping[str, np.ndarray]) -> NDArray[np.bool_]:
        """select()'s rows as a mask over a frame's columns taken out once as numpy arrays
        (see columns()): many series select from one frame without a pandas operation each."""
        mask: NDArray[np.bool_] = (
            (columns["source"] == self.source)
            & (columns["view"] == self.view)
            & (columns["open_scope"] == self.open_scope)
        )
        if self.access is not None:
            mask &= columns["access"] == self.access
        if self.category is not None:
            mask &= columns["category"] == self.category
        if self.min_p is not None and "p_above_threshold" in columns:
            p = columns["p_above_threshold"]
            mask &= np.where(np.isnan(p), -1.0, p) >= self.min_p
        return mask


SELECTED_BY = ("source", "view", "open_scope", "access", "category")


def columns(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """The columns Series.mask reads, as numpy arrays (strings as objects, p as floats)."""
    out = {c: frame[c].to_numpy(object, na_value=None) for c in SELECTED_BY if c in frame}
    if "p_above_threshold" in frame:
        out["p_above_threshold"] = frame["p_above_threshold"].to_numpy(np.float64, na_value=np.nan)
    return out


def all_series(categories: dict[str, list[str]], registries: frozenset[str]) -> list[Series]:
    """Per source: all, public, private, one per category, chinese; and for the registry its
    ECI view and `confident` (the `all` points whose crossings survive the scores' own noise).

    `categories` maps each source with tracked benchmarks to their categories; `registries` are
    the sources whose role in the catalog seed is the model registry (listed first).
    """
    series = []
    for source in sorted(categories, key=lambda s: (s not in registries, s)):
        series += [
            Series("all", source),
            Series("public", source, access="public"),
            Series("private", source, access="private"),
            *(Series(f"category:{c}", source, category=c) for c in sorted(categories[source])),
            Series("chinese", source, open_scope="chinese"),
        ]
        if source in registries:
            series.append(Series("eci", source, view="eci"))
            series.append(Series("confident", source, min_p=CONFIDENT_MIN_P))
    return series
