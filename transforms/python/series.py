"""The gap series gapwatch reports: which datapoints and pending thresholds feed each one."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Series:
    """A slice of the gap datapoints: view (benchmark or eci), open scope, access, category."""

    name: str
    view: str = "benchmark"
    open_scope: str = "all"
    access: str | None = None
    category: str | None = None

    def select(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Rows of a frame with view/open_scope/access/category columns that belong here."""
        mask = (frame["view"] == self.view) & (frame["open_scope"] == self.open_scope)
        if self.access is not None:
            mask &= frame["access"] == self.access
        if self.category is not None:
            mask &= frame["category"] == self.category
        return frame[mask]


def all_series(categories: list[str]) -> list[Series]:
    """all, public, private, one per category, chinese, and the ECI view."""
    return [
        Series("all"),
        Series("public", access="public"),
        Series("private", access="private"),
        *(Series(f"category:{c}", category=c) for c in sorted(categories)),
        Series("chinese", open_scope="chinese"),
        Series("eci", view="eci"),
    ]
