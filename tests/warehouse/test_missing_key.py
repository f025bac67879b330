"""Artificial Analysis without an API key is skipped with one line, never failed.

Its default location is the API URL; the test never reaches it (the network guard would refuse
a non-loopback connection, so a request would fail the test).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from cli.main import main
from pipeline.run import refresh
from pipeline.settings import Settings
from tests.conftest import epoch_dir

LINE = "artificial_analysis: no API key (set GAPWATCH_AA_API_KEY); skipped"


def test_refresh_without_a_key_skips_the_source_and_loads_the_rest(
    shared_data: Path, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings = replace(
        settings.with_location("epoch", str(epoch_dir(shared_data, "2026-04-19"))),
        sources=("epoch", "artificial_analysis"),
        credentials={},
    )
    assert settings.locations["artificial_analysis"].startswith("https://")

    with caplog.at_level(logging.WARNING):
        result = refresh(settings, date(2026, 4, 19))

    statuses = {o.source: (o.status, o.message) for o in result.sources}
    assert statuses["artificial_analysis"] == ("skipped", LINE)
    assert statuses["epoch"][0] == "loaded"
    assert result.ok and result.problems() == []
    assert [r.getMessage() for r in caplog.records if "artificial_analysis" in r.getMessage()] == [
        LINE
    ]


def test_sources_check_without_a_key_says_skipped(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("GAPWATCH_AA_API_KEY", raising=False)
    monkeypatch.delenv("GAPWATCH_ARTIFICIAL_ANALYSIS_LOCATION", raising=False)
    assert main(["sources", "check", "artificial_analysis"]) == 0
    out = capsys.readouterr().out
    assert "== artificial_analysis: skipped" in out and LINE in out
