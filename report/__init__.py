"""The gapwatch report: one self-contained HTML page, its tables as CSV, PNGs on request.

The drawing code imports matplotlib, so it is loaded only when write_report is first used:
`report.facts` (the headline, alert events, pending thresholds) stays light enough for the CLI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from report.build import FIGURE_DIR, PAGE_NAME, ReportFiles, default_workers, write_report

__all__ = ["FIGURE_DIR", "PAGE_NAME", "ReportFiles", "default_workers", "write_report"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from report import build

        return getattr(build, name)
    raise AttributeError(f"module 'report' has no attribute {name!r}")
