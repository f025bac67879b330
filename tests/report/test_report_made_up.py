"""The report on small MADE-UP warehouses: one benchmark, none at all, hover texts, edges.

Every model, score and date here is invented (tests/report/made_up.py); the expected values
are read back from the warehouse the test built, not typed in.
"""

from __future__ import annotations

import html
import logging
import math
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from matplotlib.figure import Figure

from cli.main import main
from report import write_report
from report.data import ReportData
from report.figures import Drawn, format_threshold, frontier_lag, label_levels, supported
from report.page import attribution
from report.render import render
from report.timeline import delay_timeline
from tests.report.conftest import BuiltReport
from tests.report.made_up import MADE_UP_AS_OF, MODELS


def figure_svg(page: str, figure_id: str) -> str:
    """The inline SVG of one figure of the page."""
    match = re.search(rf'<figure id="{re.escape(figure_id)}"[^>]*>(.*?)</figure>', page, re.S)
    assert match, f"no figure {figure_id} on the page"
    return match.group(1)


def titles(svg: str) -> list[str]:
    """The hover texts of an SVG, unescaped."""
    return [html.unescape(t) for t in re.findall(r"<title>(.*?)</title>", svg, re.S)]


def query(database: Path, sql: str, params: list[object] | None = None) -> pd.DataFrame:
    with duckdb.connect(str(database), read_only=True) as con:
        frame: pd.DataFrame = con.execute(sql, params or []).df()
    return frame


def test_one_benchmark_warehouse_says_so_instead_of_drawing_a_spread(
    made_up_report: BuiltReport,
) -> None:
    page = made_up_report.html
    assert "This warehouse holds one benchmark only</strong> (GPQA Diamond)" in page
    # the spread across benchmarks is a sentence, not an empty box plot
    lag = re.search(r'<figure id="frontier-lag"[^>]*>(.*?)</figure>', page, re.S)
    assert lag and "<svg" not in lag.group(1)
    assert "nothing to compare" in lag.group(1)
    # the private series has no datapoint: its card says so instead of a number
    assert 'private test sets</div><div class="value">no estimate</div>' in page
    assert "<svg" in figure_svg(page, "gap-over-time")
    assert made_up_report.files.pngs == ()  # PNGs only when asked (--png, the nightly run)


def test_every_point_names_benchmark_threshold_models_and_dates(
    made_up_report: BuiltReport,
) -> None:
    points = query(
        made_up_report.database,
        "select p.threshold, p.closed_date, p.open_date, c.display_name as closed, "
        "o.display_name as opened, p.gap_months from marts.gap_points p "
        "join marts.models c on c.model_version = p.closed_model "
        "join marts.models o on o.model_version = p.open_model "
        "where p.view = 'benchmark' and p.open_scope = 'all' order by p.open_date, p.threshold",
    )
    # one per closed-open pair above the floor: GPQA's random baseline 0.25 plus a tenth of the
    # range to 1.0 is 0.325, so 35% counts beside 40%, 55%, 70% and 80%
    assert list(points["threshold"]) == [0.35, 0.4, 0.55, 0.7, 0.8]
    hover = titles(figure_svg(made_up_report.html, "gap-over-time"))
    assert len(hover) == len(points)
    for row in points.itertuples():
        expected = [
            f"GPQA Diamond, threshold {format_threshold(row.threshold, 'fraction')}",
            f"first closed model: {row.closed}, released {row.closed_date:%Y-%m-%d}",
            f"first open model: {row.opened}, released {row.open_date:%Y-%m-%d}",
            f"gap: {row.gap_months:.1f} months",
        ]
        assert any(all(part in text for part in expected) for text in hover), expected


def test_model_names_are_escaped_on_the_page(made_up_report: BuiltReport) -> None:
    page = made_up_report.html
    special = next(m.display for m in MODELS if "<" in m.display)
    assert special not in page  # never raw HTML
    assert html.escape(special) in page


def test_timeline_rows_carry_models_dates_and_the_reason(made_up_report: BuiltReport) -> None:
    crossings = query(
        made_up_report.database,
        "select threshold, accepted, reason from marts.crossings "
        "where benchmark_id = 'gpqa_diamond' and open_scope = 'all'",
    )
    hover = set(titles(figure_svg(made_up_report.html, "timeline-gpqa_diamond")))
    assert len(hover) == len(crossings)  # one text per row, on each of the row's artists
    for row in crossings.itertuples():
        verdict = "accepted" if row.accepted else "not accepted"
        # GPQA's scores are fractions: the reason's numbers read as percentages, as beside the row
        reason = re.sub(
            r"((?:validity floor|threshold) )(\d+(?:\.\d+)?)",
            lambda m: f"{m.group(1)}{float(m.group(2)) * 100:g}%",
            " ".join(row.reason.split()),
        )
        assert any(f"{verdict}: {reason}" in text for text in hover), reason
    assert not any(re.search(r"threshold 0\.\d", text) for text in hover)


def test_warehouse_without_marts_says_it_is_empty(tmp_path: Path) -> None:
    database = tmp_path / "empty.duckdb"
    duckdb.connect(str(database)).close()
    files = write_report(database, tmp_path / "report")
    page = files.html.read_text(encoding="utf-8")
    assert "This warehouse is empty." in page
    assert "<svg" not in page
    assert files.pngs == ()
    assert "No source's data is in this warehouse yet." in page


def test_warehouse_with_empty_marts_draws_no_empty_axes(
    made_up_warehouse: Path, tmp_path: Path
) -> None:
    database = tmp_path / "emptied.duckdb"
    shutil.copy(made_up_warehouse, database)
    with duckdb.connect(str(database)) as con:
        for (table,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts'"
        ).fetchall():
            con.execute(f'delete from marts."{table}"')  # names from the catalog, not input
    files = write_report(database, tmp_path / "report")
    page = files.html.read_text(encoding="utf-8")
    assert "This warehouse holds no benchmark evidence." in page
    assert "<svg" not in page
    assert files.pngs == ()
    for figure_id in ("gap-over-time", "gap-by-category", "gap-chinese", "frontier-lag"):
        assert 'class="notice"' in figure_svg(page, figure_id)


def test_trend_is_not_drawn_across_a_hole_in_the_data() -> None:
    grid = pd.Series(pd.date_range("2024-01-01", "2024-12-30", freq="7D"))
    apart = pd.Series(pd.to_datetime(["2024-01-01", "2024-12-30"]))  # a year apart
    near = pd.Series(pd.to_datetime(["2024-01-01", "2024-03-01"]))  # 60 days apart
    lone = supported(grid, apart, max_gap_days=120)
    assert lone[0] and lone[-1]  # at the datapoints themselves
    assert not lone[1:-1].any()  # nothing in the empty year between them
    close = supported(grid, near, max_gap_days=120)
    inside = (grid >= "2024-01-01") & (grid <= "2024-03-01")
    assert close[inside.to_numpy()].all()
    assert not close[(grid > "2024-03-04").to_numpy()].any()  # and nothing past the last


def test_labels_that_would_overlap_go_to_separate_rows() -> None:
    placed = label_levels([0.0, 5.0, 100.0], [20.0, 20.0, 20.0], levels=3)
    assert placed[0] == (0.0, 0)
    assert placed[1] == (5.0, 1)  # 5 < 0 + 20: the first row is taken
    assert placed[2] == (100.0, 0)  # far enough: back on the first row


def _freshness(scores: dict[str, int]) -> pd.DataFrame:
    return pd.DataFrame({"source": list(scores), "scores": list(scores.values())})


def test_attribution_credits_exactly_the_sources_with_data(tmp_path: Path) -> None:
    epoch_only = ReportData(tmp_path, freshness=_freshness({"epoch": 10}))
    text = "\n".join(attribution(epoch_only))
    assert "Epoch AI" in text and "CC BY 4.0" in text
    assert "Artificial Analysis" not in text
    # a source with a catalog row but no scores is not credited; one with scores is
    no_aa_scores = ReportData(
        tmp_path, freshness=_freshness({"epoch": 10, "artificial_analysis": 0})
    )
    assert "Artificial Analysis" not in "\n".join(attribution(no_aa_scores))
    with_aa = ReportData(tmp_path, freshness=_freshness({"epoch": 10, "artificial_analysis": 3}))
    assert "Data provided by Artificial Analysis" in "\n".join(attribution(with_aa))


def test_cli_report_writes_the_page_and_pngs(
    made_up_warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cli-report"
    assert main(["report", "--db", str(made_up_warehouse), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert str(out / "report.html") in printed
    assert not (out / "figures").exists()  # no PNG unless asked
    csvs = sorted((out / "tables").glob("*.csv"))
    assert csvs and f"{len(csvs)} table(s) as CSV" in printed
    page = (out / "report.html").read_text(encoding="utf-8")
    for csv_file in csvs:
        assert f'href="tables/{csv_file.name}"' in page
    assert main(["report", "--db", str(made_up_warehouse), "--out", str(out), "--png"]) == 0
    printed = capsys.readouterr().out
    pngs = sorted((out / "figures").glob("*.png"))
    assert pngs and f"{len(pngs)} figure(s) as PNG" in printed
    page = (out / "report.html").read_text(encoding="utf-8")
    assert all(f'href="figures/{png.name}"' in page for png in pngs)


def test_cli_report_without_a_warehouse_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "--db", str(tmp_path / "none.duckdb")]) == 2
    assert "no warehouse at" in capsys.readouterr().err


def test_sql_command_does_not_import_matplotlib(made_up_warehouse: Path) -> None:
    code = (
        "import sys\nfrom cli.main import main\n"
        f"main(['sql', '--db', {str(made_up_warehouse)!r}, 'select 1'])\n"
        "print('matplotlib' in sys.modules, 'report' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip().splitlines()[-1] == "False False"


def test_nightly_report_step_publishes_dated_and_latest(
    made_up_warehouse: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from flows.nightly import write_report as nightly_report

    logger = logging.getLogger("test.nightly.report")
    reports = tmp_path / "reports"
    as_of = date.fromisoformat(MADE_UP_AS_OF)
    for _ in range(2):  # the second night replaces both directories in place
        with caplog.at_level(logging.INFO, logger=logger.name):
            written = nightly_report(made_up_warehouse, reports, as_of, logger)
        assert written == str(reports / MADE_UP_AS_OF / "report.html")
    dated, latest = reports / MADE_UP_AS_OF, reports / "latest"
    assert (dated / "report.html").read_bytes() == (latest / "report.html").read_bytes()
    assert sorted(p.name for p in (dated / "figures").iterdir()) == sorted(
        p.name for p in (latest / "figures").iterdir()
    )
    assert sorted(p.name for p in reports.iterdir()) == [MADE_UP_AS_OF, "latest"]  # no leftovers


def test_nightly_report_failure_is_logged_not_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from flows.nightly import write_report as nightly_report

    logger = logging.getLogger("test.nightly.report")
    with caplog.at_level(logging.ERROR, logger=logger.name):
        written = nightly_report(
            tmp_path / "missing.duckdb", tmp_path / "reports", date(2026, 4, 19), logger
        )
    assert written is None
    assert "report: not written" in caplog.text and "no warehouse at" in caplog.text
    assert not (tmp_path / "reports" / "latest").exists()


def test_timeline_copes_with_open_led_and_pending_rows(tmp_path: Path) -> None:
    """Made-up rows: one threshold only an open model reached, one only a closed model."""
    rows = pd.DataFrame(
        {
            "benchmark_id": ["made_up"] * 2,
            "name": ["Made-Up Bench"] * 2,
            "scale": ["fraction"] * 2,
            "threshold": [0.5, 0.9],
            "status": ["open_led", "pending"],
            "accepted": [False, False],
            "reason": ["open led: no closed model has reached it", "pending: made up"],
            "validity_floor": [0.1, 0.1],
            "months_pending": [float("nan"), 3.0],
            "first_closed_model": [None, "closed-x"],
            "closed_name": [None, "Closed X"],
            "first_closed_date": [pd.NaT, pd.Timestamp("2025-01-01")],
            "first_open_model": ["open-y", None],
            "open_name": ["Open Y", None],
            "first_open_date": [pd.Timestamp("2024-06-01"), pd.NaT],
            "gap_months": [float("nan"), float("nan")],
        }
    )
    catalog = pd.DataFrame(
        {"benchmark_id": ["made_up"], "name": ["Made-Up Bench"], "is_loaded": [True]}
    )
    data = ReportData(tmp_path, as_of=date(2025, 4, 1), crossings=rows, benchmarks=catalog)
    panel = delay_timeline(data, "made_up")
    assert isinstance(panel, Drawn)
    texts = set(panel.tooltips.values())
    assert any("no closed model has reached it" in t and "Open Y" in t for t in texts)
    assert any("waiting 3.0 months" in t and "Closed X" in t for t in texts)
    rendered = render(panel, tmp_path, png=True)
    # the open-led row: a lone grey circle; the pending row: a square and the dashed arrow
    assert rendered.svg.count("<circle") == 1 and rendered.svg.count("<polygon") == 1
    assert "stroke: #6a8fb8; stroke-width: 1.4; stroke-dasharray" in rendered.svg
    assert rendered.png is not None and rendered.png.stat().st_size > 0


def test_the_fitted_lag_line_is_drawn_only_over_the_months_it_was_fitted_on(
    tmp_path: Path,
) -> None:
    """Made-up lags: two thin months (one and two benchmarks) left out of the fit, then three
    months of three; the dashed line covers those three only, and the caption says so, with
    the slope's interval and why there is no zero-lag date."""
    months = pd.to_datetime(["2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30", "2024-05-31"])
    per_month = [["a"], ["a", "b"], ["a", "b", "c"], ["a", "b", "c"], ["a", "b", "c"]]
    lag = pd.DataFrame(
        [
            {"benchmark_id": b, "month_end": m, "lag_months": 2.0 + i + j, "open_leads": False}
            for i, (m, names) in enumerate(zip(months, per_month, strict=True))
            for j, b in enumerate(names)
        ]
    )
    monthly = (
        lag.groupby("month_end")["lag_months"]
        .agg(benchmarks="count", mean_lag_months="mean", median_lag_months="median")
        .reset_index()
    )
    monthly["q1_lag_months"] = monthly["q3_lag_months"] = monthly["median_lag_months"]
    monthly["in_fit"] = monthly["benchmarks"] >= 3
    monthly["fitted_mean_lag_months"] = [1.0, 2.0, 3.0, 4.0, 5.0]
    trend = pd.DataFrame(
        {
            "months": [3],
            "slope_months_per_year": [12.0],
            "intercept_months": [0.0],
            "slope_ci_low": [-0.5],
            "slope_ci_high": [18.0],
            "r_squared": [1.0],
            "zero_lag_date": [None],
            "zero_lag_note": ["the slope's 90% interval reaches zero or above: no zero-lag date"],
        }
    )
    data = ReportData(
        tmp_path, as_of=date(2024, 6, 1), lag=lag, lag_monthly=monthly, lag_trend=trend
    )
    panel = frontier_lag(data)
    assert isinstance(panel, Drawn) and isinstance(panel.figure, Figure)
    fitted = [
        line
        for ax in panel.figure.axes
        for line in ax.get_lines()
        if line.get_label() == "least-squares line through the mean"
    ]
    assert len(fitted) == 1
    heights = [float(y) for y in fitted[0].get_ydata()]  # type: ignore[union-attr]
    assert all(math.isnan(h) for h in heights[:2])  # the thin months: no line
    assert heights[2:] == [3.0, 4.0, 5.0]
    assert "leaves out the 2 months with too few benchmarks" in panel.caption
    # no zero-lag date: the caption gives the interval and the mart's reason, no verdict of its own
    assert "(rising; 90% interval -0.50 to +18.00)" in panel.caption
    assert "The slope's 90% interval reaches zero or above: no zero-lag date." in panel.caption
