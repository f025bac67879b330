"""Every command by name, with where its code is: imported only when that command runs.

`gapwatch sql` must start about as fast as Python and DuckDB alone, so the parser does not
import every command's module to list them: it takes each one's summary from here and loads
a command's module (its options, its handler) only once argparse has picked that command.
Each summary is the first line of the handler's docstring (a test keeps them equal).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from importlib import import_module
from typing import Any, NamedTuple

Handler = Callable[[argparse.Namespace], int]
Configure = Callable[[argparse.ArgumentParser], None]


class Command(NamedTuple):  # not a dataclass: importing dataclasses costs `sql` ~10 ms
    name: str
    handler: str  # "module:function"
    configure: str  # "module:function" that adds the command's options
    summary: str  # the first line of the handler's docstring

    def load(self) -> tuple[Handler, Configure]:
        handler: Handler = _resolve(self.handler)
        configure: Configure = _resolve(self.configure)
        return handler, configure


def _resolve(where: str) -> Any:
    module, _, name = where.partition(":")
    return getattr(import_module(module), name)


COMMANDS: tuple[Command, ...] = (
    Command(
        "refresh",
        "cli.commands:refresh",
        "cli.commands:configure_refresh",
        "Fetch every source, land it, validate it, rebuild the marts, raise and deliver alerts.",
    ),
    Command(
        "sql",
        "cli.commands:sql",
        "cli.commands:configure_sql",
        "Run one SQL query against the warehouse, read-only.",
    ),
    Command(
        "models",
        "cli.commands:models",
        "cli.commands:configure_models",
        "List model versions and their open/closed status.",
    ),
    Command(
        "status",
        "cli.commands:status",
        "cli.commands:configure_status",
        "Show a one-line verdict, data age per source, validation outcomes and mart sizes.",
    ),
    Command(
        "gaps",
        "cli.gaps:gaps",
        "cli.gaps:configure_gaps",
        "Print how far behind open models are now, per series, with the 90% band.",
    ),
    Command(
        "crossings",
        "cli.gaps:crossings",
        "cli.gaps:configure_crossings",
        "Print a benchmark's delay timeline: per threshold, the first closed and open model.",
    ),
    Command(
        "alerts",
        "cli.gaps:alerts",
        "cli.gaps:configure_alerts",
        "List alert events: gaps open models closed, thresholds only closed models reached, "
        "new bests.",
    ),
    Command(
        "changes",
        "cli.gaps:changes",
        "cli.common:add_format",
        "What the newest night changed: gaps closed, thresholds opened, new bests, the headline.",
    ),
    Command(
        "demo",
        "cli.commands:demo",
        "cli.commands:configure_demo",
        "Run gapwatch end to end, offline, on the small hand-written sample it ships.",
    ),
    Command(
        "report",
        "cli.report:report",
        "cli.report:configure",
        "Write the report: one HTML page (viewable offline), its tables as CSV, PNGs on request.",
    ),
    Command(
        "export",
        "cli.export:export",
        "cli.export:configure",
        "Write every mart as Parquet and CSV, and data.json (rows, column types, attribution).",
    ),
    Command(
        "nights",
        "cli.nights:nights",
        "cli.nights:configure",
        "List the finished nights of a DuckLake warehouse: as-of date, snapshot id, run id.",
    ),
    Command(
        "service",
        "cli.service:service",
        "cli.service:configure",
        "Run the nightly service (`run`), write its systemd unit (`install`), wait for it, "
        "trigger it.",
    ),
    Command(
        "sources",
        "cli.sources:sources",
        "cli.sources:configure",
        "Check that gapwatch understands each source as it is now, without loading anything.",
    ),
)
BY_NAME = {command.name: command for command in COMMANDS}


def loaded() -> list[tuple[str, Handler, Configure]]:
    """Every command with its handler and options function, all imported (tests, docs)."""
    return [(command.name, *command.load()) for command in COMMANDS]
