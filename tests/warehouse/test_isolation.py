"""Per-source isolation: whatever one source's step raises, the others refresh and it keeps its
last good data; the failure is one line, naming source and step, in raw.fetches and refresh_runs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from extractors import weirdml
from extractors.base import Record
from pipeline.run import refresh
from tests.conftest import SAMPLE_BUNDLE
from tests.warehouse.bundles import make_settings, query

WEIRDML = ("2026-04-10", "2026-08-17")


def test_a_bug_in_one_parser_costs_only_that_source(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    board = shared_data / "leaderboards" / "weirdml"
    settings = (
        make_settings(tmp_path / "data")
        .with_location("epoch", str(SAMPLE_BUNDLE))
        .with_location("weirdml", str(board / WEIRDML[0]))
        .only("epoch", "weirdml")
    )
    first = refresh(settings, date(2026, 4, 20))
    assert first.ok, first.problems()
    count_sql = "select count(*) from marts.source_scores where source = 'weirdml'"
    before = query(settings, count_sql)[0][0]
    assert before > 0

    def broken(files: dict[str, bytes]) -> list[Record]:
        raise KeyError("avg_acc")  # not a SourceError: a plain bug

    monkeypatch.setattr(weirdml, "parse", broken)
    second = refresh(settings.with_location("weirdml", str(board / WEIRDML[1])), date(2026, 4, 21))

    outcomes = {o.source: o for o in second.sources}
    assert outcomes["epoch"].status == "unchanged"
    assert outcomes["weirdml"].status == "failed"
    line = "weirdml: parse failed: KeyError: 'avg_acc'"
    assert outcomes["weirdml"].message == line
    assert second.problems() == [line]
    assert query(
        settings,
        "select status, message from raw.fetches where source = 'weirdml' and as_of = ?",
        [date(2026, 4, 21)],
    ) == [("failed", line)]
    assert query(
        settings,
        "select status, source_status, message from history.refresh_runs "
        "where source = 'weirdml' and as_of = ?",
        [date(2026, 4, 21)],
    ) == [("failed", "failed", line)]
    assert query(settings, count_sql)[0][0] == before
