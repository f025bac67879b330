"""The report of the real 2026-04-19 snapshot, opened in real headless Chromium.

Every expected number is read from the warehouse the session built, never typed in.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from PIL import Image

from tests.report.browser import CHROMIUM, chromium_path, visit
from tests.report.conftest import BuiltReport

pytestmark = pytest.mark.slow

CORE_FIGURES = ("gap-over-time", "gap-by-category", "gap-chinese", "frontier-lag")


def query(database: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(database), read_only=True) as con:
        frame: pd.DataFrame = con.execute(sql).df()
    return frame


def figure_ids(page: str) -> list[str]:
    return re.findall(r'<figure id="([^"]+)"', page)


def test_page_renders_in_headless_chromium_without_errors(
    real_report: BuiltReport, tmp_path: Path
) -> None:
    binary = chromium_path()
    if binary is None:
        pytest.fail(
            f"Chromium is not installed ({CHROMIUM} missing). `make test` installs Debian's "
            "package; by hand: apt-get update && apt-get install -y --no-install-recommends "
            "chromium"
        )
    screenshot = tmp_path / "report.png"
    seen = visit(binary, real_report.files.html, screenshot)
    assert seen.errors == [], seen.errors
    assert seen.outside_requests == [], "the page must load nothing from the network"
    assert seen.title.startswith("gapwatch")
    ids = [size["id"] for size in seen.sizes]
    assert ids == figure_ids(real_report.html)  # every figure of the page was measured
    for figure in seen.sizes:
        assert figure["width"] > 0 and figure["height"] > 0, figure
    drawn = {size["id"] for size in seen.sizes if size["kind"] == "svg"}
    assert set(CORE_FIGURES) <= drawn
    crossed = query(real_report.database, "select distinct benchmark_id from marts.crossings")
    assert {f"timeline-{b}" for b in crossed["benchmark_id"]} <= drawn
    with Image.open(screenshot) as image:
        width, height = image.size
        colours = image.convert("L").getextrema()
    assert width >= 1200 and height > 5000  # the whole page, not one screenful
    assert colours[0] < 60 and colours[1] > 200  # ink on paper, not a blank frame
    keep = Path(shutil.copy(screenshot, real_report.files.html.parent / "screenshot.png"))
    print(f"screenshot: {keep}")


def test_headline_shows_each_series_from_gap_summary(real_report: BuiltReport) -> None:
    summary = query(
        real_report.database,
        "select series, gap_months, ci_low, ci_high, n_points, as_of from marts.gap_summary "
        "where source = 'epoch' and series in ('all', 'private', 'public')",
    )
    assert len(summary) == 3
    page = real_report.html
    cards = page.split('<div class="card">')[1:]
    labels = {
        "all": "all Epoch AI benchmarks",
        "private": "private test sets",
        "public": "public test sets",
    }
    for row in summary.itertuples():
        heading = f'<div class="series">{labels[row.series]}</div>'
        text = next(card for card in cards if card.startswith(heading))
        assert f"{row.gap_months:.1f} months" in text
        assert f"90% band {row.ci_low:.1f} – {row.ci_high:.1f} months" in text
        assert f"{row.n_points} accepted datapoints" in text
    assert f"As of {summary['as_of'].iloc[0]:%Y-%m-%d}" in page


def test_freshness_and_attribution(real_report: BuiltReport) -> None:
    runs = query(real_report.database, "select source, as_of from marts.refresh_runs")
    page = real_report.html
    freshness = page.split("<h3>Data freshness</h3>", 1)[1].split("</table>", 1)[0]
    for row in runs.itertuples():
        assert f"<td>{row.source}</td><td>{row.as_of:%Y-%m-%d}</td>" in freshness
    attribution = page.split("<h2>Data and attribution</h2>", 1)[1]
    assert "Epoch AI" in attribution and "CC BY 4.0" in attribution
    aa = query(
        real_report.database,
        "select count(*) as n from marts.source_scores where source = 'artificial_analysis'",
    )
    assert ("Data provided by Artificial Analysis" in attribution) == bool(aa["n"].iloc[0])


def test_every_accepted_point_is_drawn_with_a_hover_text(real_report: BuiltReport) -> None:
    points = query(
        real_report.database,
        "select count(*) filter (where open_scope = 'all') as everyone, "
        "count(*) filter (where open_scope = 'chinese') as chinese from marts.gap_points "
        "where source = 'epoch' and view = 'benchmark'",
    )
    page = real_report.html
    for figure_id, expected in (
        ("gap-over-time", points["everyone"].iloc[0]),
        ("gap-by-category", points["everyone"].iloc[0]),
        ("gap-chinese", points["chinese"].iloc[0]),
    ):
        svg = page.split(f'<figure id="{figure_id}"', 1)[1].split("</figure>", 1)[0]
        hover = [html.unescape(t) for t in re.findall(r"<title>(.*?)</title>", svg, re.S)]
        assert len(hover) == expected, figure_id
        assert all("first closed model:" in t and "first open model:" in t for t in hover)


def test_pngs_beside_the_page_and_nothing_loaded_from_outside(real_report: BuiltReport) -> None:
    page = real_report.html
    drawn = [
        f
        for f in figure_ids(page)
        if "<svg" in page.split(f'<figure id="{f}"', 1)[1].split("</figure>", 1)[0]
    ]
    assert sorted(p.stem for p in real_report.files.pngs) == sorted(drawn)
    for png in real_report.files.pngs:
        assert png.parent == real_report.files.html.parent / "figures"
        with Image.open(png) as image:
            assert image.format == "PNG"
            assert image.size[0] > 1000 and image.size[1] > 250
        assert f'href="figures/{png.name}"' in page
    assert "<script" not in page and "<link" not in page and "<img" not in page
    assert not re.search(r"""(src|url)\s*[=(]\s*["']?https?:""", page)
