"""Warehouses for the report tests: the real 2026-04-19 snapshot, and a made-up one-benchmark one.

Both are built once per session with the real refresh and only read afterwards (a test that
needs to change one copies it first).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from pipeline.run import refresh
from pipeline.settings import Settings
from report import ReportFiles, write_report
from tests.report import nights
from tests.report.made_up import MADE_UP_AS_OF, write_bundle

REAL_AS_OF = date.fromisoformat(nights.NIGHTS[-1][0])


@dataclass(frozen=True)
class BuiltReport:
    """A warehouse and the report written from it."""

    database: Path
    files: ReportFiles
    seconds: float  # how long write_report took

    @property
    def html(self) -> str:
        return self.files.html.read_text(encoding="utf-8")


def build_warehouse(data_dir: Path, bundle: Path, as_of: date) -> Path:
    """Refresh a warehouse from a local Epoch bundle; returns the DuckDB file."""
    settings = Settings(data_dir=data_dir, sources=("epoch",)).with_location("epoch", str(bundle))
    result = refresh(settings, as_of)
    assert result.ok, result.problems()
    return settings.database


@pytest.fixture(scope="session")
def real_report(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> BuiltReport:
    """The report of the real snapshots, replayed night by night up to 2026-04-19.

    Read in place from ../shared/data (tests/report/nights.py): four nights of Epoch's bundle
    and three leaderboards, so the marts carry history, alerts of every kind and more than
    one source, as a nightly deployment's would.
    """
    base = tmp_path_factory.mktemp("real-report")
    database = nights.build(base / "data", shared_data)
    start = time.perf_counter()
    files = write_report(database, base / "report")
    return BuiltReport(database, files, time.perf_counter() - start)


@pytest.fixture(scope="session")
def made_up_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse of one made-up benchmark (see made_up.py: invented models and scores)."""
    base = tmp_path_factory.mktemp("made-up")
    bundle = write_bundle(base / "bundle")
    return build_warehouse(base / "data", bundle, date.fromisoformat(MADE_UP_AS_OF))


@pytest.fixture(scope="session")
def made_up_report(
    made_up_warehouse: Path, tmp_path_factory: pytest.TempPathFactory
) -> BuiltReport:
    """The report of the made-up one-benchmark warehouse."""
    out = tmp_path_factory.mktemp("made-up-report")
    start = time.perf_counter()
    files = write_report(made_up_warehouse, out)
    return BuiltReport(made_up_warehouse, files, time.perf_counter() - start)
