"""The report of the real snapshots (nights up to 2026-04-19), opened in real headless Chromium.

Every expected number is read from the warehouse the session built, never typed in.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from PIL import Image

from tests.report.browser import CHROMIUM, chromium_path, visit
from tests.report.conftest import BuiltReport

pytestmark = [pytest.mark.slow, pytest.mark.long]

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
    crossed = query(
        real_report.database,
        "select distinct benchmark_id from marts.crossings "
        "inner join marts.benchmarks using (benchmark_id) where is_core",
    )
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
    runs = query(
        real_report.database,
        "select source, as_of from history.refresh_runs "
        "qualify row_number() over (partition by source order by finished_at desc) = 1",
    )
    page = real_report.html
    freshness = page.split("<h3>Data freshness</h3>", 1)[1].split("</table>", 1)[0]
    freshness = re.sub(r"<td[^>]*>", "<td>", freshness)  # cells carry class and data-label
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
        drawn_points = [t for t in hover if "first open model:" in t]
        assert len(drawn_points) == expected, figure_id
        assert all("first closed model:" in t for t in drawn_points)
        # everything else with a hover text is a pending threshold ("at least" marks)
        others = [t for t in hover if "first open model:" not in t]
        assert all("no open model yet: the gap is at least" in t for t in others)


def test_no_png_unless_asked_and_nothing_loaded_from_outside(real_report: BuiltReport) -> None:
    page = real_report.html
    assert real_report.files.pngs == ()
    assert not (real_report.files.html.parent / "figures").exists()
    assert "<link" not in page and "<img" not in page
    assert "<script src" not in page  # the one script is inline
    assert not re.search(r"""(src|url)\s*[=(]\s*["']?https?:""", page)
    assert len(page.encode()) < 1_500_000


def test_figure_text_is_text_not_glyph_outlines(real_report: BuiltReport) -> None:
    page = real_report.html
    assert 'id="DejaVuSans-' not in page  # no glyph definitions
    svg = page.split('<figure id="gap-over-time"', 1)[1].split("</figure>", 1)[0]
    assert ">Gap over time: how many months open models trailed closed ones</text>" in svg


def test_headline_sentence_is_built_from_the_marts(real_report: BuiltReport) -> None:
    from report.facts import headline, pending

    with duckdb.connect(str(real_report.database), read_only=True) as con:
        expected = headline(con)
        waiting = pending(con)
        summary = con.execute(
            "select gap_months, ci_low, ci_high, latest_date from marts.gap_summary "
            "where source = 'epoch' and series = 'all'"
        ).fetchall()[0]
        previous = con.execute(
            "select max(as_of) from history.gap_history where as_of < "
            "(select max(as_of) from history.gap_history)"
        ).fetchall()[0][0]
    page = html.unescape(real_report.html)
    sentence = page.split('<p class="headline" id="headline">', 1)[1].split("</p>", 1)[0]
    gap, low, high, latest = summary
    assert f"by {gap:.1f} months (90% band {low:.1f}–{high:.1f})" in sentence
    assert f"estimated at {latest:%Y-%m-%d}" in sentence
    assert f"previous night ({previous:%Y-%m-%d})" in sentence
    epoch_pending = int((waiting["source"] == "epoch").sum())
    assert f"{epoch_pending} thresholds that a closed model reached are still open" in sentence
    assert "Epoch AI benchmarks" in sentence and "Other sources" in sentence
    assert all(s in " ".join(sentence.split()) for s in expected.sentences()[1:2])
    # one count everywhere: the pending table states the same definition's count
    assert f"<p>{len(waiting)} thresholds: at or above" in real_report.html


def test_tables_are_downloadable_as_csv(real_report: BuiltReport) -> None:
    folder = real_report.files.html.parent
    links = re.findall(r'href="(tables/[^"]+)"', real_report.html)
    assert links and {Path(link).name for link in links} == {p.name for p in real_report.files.csvs}
    for link in set(links):
        frame = pd.read_csv(folder / link)
        assert len(frame.columns) > 1, link
    events = pd.read_csv(folder / "tables" / "alert-events.csv")
    alerts = query(real_report.database, "select count(*) as n from history.alerts")
    assert int(events["alerts"].sum()) == int(alerts["n"].iloc[0])  # every alert in an event


WIDTHS = (1400, 390)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_page_works_at_desktop_and_phone_width(
    real_report: BuiltReport, width: int, tmp_path: Path
) -> None:
    from tests.report.browser import Tab

    binary = chromium_path()
    if binary is None:
        pytest.fail(f"Chromium is not installed ({CHROMIUM} missing)")
    folder = real_report.files.html.parent
    with Tab(binary, real_report.files.html, width) as tab:
        scroll, inner = tab.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner, f"horizontal overflow at {width} px: {scroll} > {inner}"
        # figure text is text: findable in the page, read by screen readers
        texts = tab.evaluate(
            "Array.from(document.querySelectorAll('figure.chart svg text')).map(t => t.textContent)"
        )
        assert any("Gap over time" in t for t in texts)
        # every drawn figure has a description stating its finding
        described = tab.evaluate(
            "Array.from(document.querySelectorAll('figure.chart')).map(f => {"
            "const svg = f.querySelector('svg');"
            "const ref = svg && svg.getAttribute('aria-labelledby');"
            "const el = ref && document.getElementById(ref);"
            "return [f.id, el ? el.textContent : ''];})"
        )
        assert described
        for figure_id, finding in described:
            assert re.search(r"\d", finding), f"{figure_id} has no finding: {finding!r}"
        # one tooltip per mark, and every mark can take the keyboard's focus
        marks = tab.evaluate(
            "Array.from(document.querySelectorAll('g.mark')).map(g => "
            "[g.getAttribute('tabindex'), g.querySelectorAll('title').length, "
            "(g.getAttribute('aria-label') || '').length])"
        )
        assert marks and all(m == ["0", 0, m[2]] and m[2] > 0 for m in marks)
        tip = tab.evaluate(
            "(() => { const g = document.querySelector('g.mark'); g.focus();"
            "const t = document.getElementById('tip');"
            "return [t.hidden, t.textContent === g.getAttribute('aria-label')]; })()"
        )
        assert tip == [False, True]
        # a pointer over a timeline row finds that row's hover target, on every row
        rows_hit = tab.evaluate(
            "Array.from(document.querySelectorAll('g.mark[id*=\"-row-\"]')).map(g => {"
            "g.scrollIntoView({block: 'center'}); const b = g.getBoundingClientRect();"
            "const hit = document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2);"
            "return hit !== null && hit.closest('g.mark') === g; })"
        )
        assert rows_hit and all(rows_hit), f"{rows_hit.count(False)} of {len(rows_hit)} rows"
        # the filter dims the marks of every other benchmark
        dimmed = tab.evaluate(
            "(() => { const s = document.querySelector('#filters select[data-key=benchmark]');"
            "s.value = s.options[1].value; s.dispatchEvent(new Event('change', {bubbles: true}));"
            "const marks = Array.from(document.querySelectorAll('g.mark[data-benchmark]'));"
            "return [s.value, marks.filter(m => !m.classList.contains('dimmed'))"
            ".every(m => m.dataset.benchmark === s.value), "
            "marks.some(m => m.classList.contains('dimmed'))]; })()"
        )
        assert dimmed[1:] == [True, True], dimmed
        # alerts: gap_closed events first
        kinds = tab.evaluate(
            "Array.from(document.querySelectorAll('#alerts-section tbody tr'))"
            ".map(r => r.className)"
        )
        closed = query(
            real_report.database,
            "select count(*) as n from history.alerts where kind = 'gap_closed'",
        )
        assert int(closed["n"].iloc[0]) > 0  # these nights have some
        first_other = next((i for i, k in enumerate(kinds) if k != "gap_closed"), len(kinds))
        assert kinds[0] == "gap_closed"
        assert "gap_closed" not in kinds[first_other:]
        # every download link and in-page link resolves
        links = tab.evaluate(
            "Array.from(document.querySelectorAll('a')).map(a => a.getAttribute('href'))"
        )
        for href in links:
            if href.startswith("#"):
                assert tab.evaluate(f"!!document.getElementById({json.dumps(href[1:])})"), href
            elif not href.startswith(("http://", "https://")):
                assert (folder / href).is_file(), href
        errors, outside = tab.problems()
        assert errors == [] and outside == []
