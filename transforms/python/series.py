"""The gap series gapwatch reports: which datapoints and pending thresholds feed each one."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

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
        mask = (
            (frame["source"] == self.source)
            & (frame["view"] == self.view)
            & (frame["open_scope"] == self.open_scope)
        )
        if self.access is not None:
            mask &= frame["access"] == self.access
        if self.category is not None:
            mask &= frame["category"] == self.category
        if self.min_p is not None and "p_above_threshold" in frame:
            mask &= frame["p_above_threshold"].fillna(-1.0) >= self.min_p
        return frame[mask]


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
