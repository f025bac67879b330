"""Progress lines on stderr: gapwatch's own loggers at INFO, every other library's at WARNING.

Apart from cli/common.py: only a refresh logs progress, and `gapwatch sql` does not import
logging.
"""

from __future__ import annotations

import logging
import sys


def configure_logging(quiet: bool) -> None:
    """Progress lines from gapwatch's own packages; other libraries only at WARNING and up."""
    root = logging.getLogger()
    if not any(isinstance(f, _OwnInfo) for h in root.handlers for f in h.filters):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", datefmt="%H:%M:%S"))
        handler.addFilter(_OwnInfo())
        root.addHandler(handler)
    root.setLevel(logging.INFO)
    for package in OWN_PACKAGES:
        logging.getLogger(package).setLevel(logging.WARNING if quiet else logging.INFO)


OWN_PACKAGES = (
    "cli",
    "flows",
    "pipeline",
    "report",
    "alerts",
    "validation",
    "transforms",
    "warehouse",
    "extractors",
)


class _OwnInfo(logging.Filter):
    # GX and Prefect log chatty INFO lines on their own loggers; keep only ours below WARNING.
    # Prefect also attaches full tracebacks to a failed task or flow, which the CLI already
    # explains in one line per problem: their message stays, the traceback goes.
    def filter(self, record: logging.LogRecord) -> bool:
        package = record.name.split(".")[0]
        if package == "prefect" and record.exc_info:
            record.exc_info, record.exc_text = None, None
        return record.levelno >= logging.WARNING or package in OWN_PACKAGES
