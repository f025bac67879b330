"""The report's figures, one function each, drawn with matplotlib (Agg, no pyplot state).

Each function returns a Drawn figure (with hover texts keyed by SVG group id) or a Notice
that says in words why there is nothing to draw: an empty axis misleads more than a sentence.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.cbook as cbook
import matplotlib.dates as mdates
import matplotlib.transforms as transforms
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.markers import TICKDOWN, TICKLEFT
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as Outline

from report.data import ReportData
from report.facts import STALE_DAYS
from report.point_marks import Mark, PointMarks
from report.sketch import Sketch
from report.svg_canvas import text_metrics
from transforms.method import BANDWIDTH_DAYS, GRID_STEP_DAYS

# colour by category, from Okabe and Ito's colour-blind-safe set; every mark has a dark edge,
# so even the lighter fills stand out from the white page (WCAG's 3:1 for graphics is met by
# the edge). The benchmark itself is in each mark's hover text and in the filter.
CATEGORY_COLOURS = {
    "knowledge": "#0072B2",
    "math": "#D55E00",
    "coding": "#009E73",
    "agentic_coding": "#CC79A7",
    "reasoning": "#E69F00",
    "long_context": "#56B4E9",
}
OTHER_CATEGORY = "#7a7a7a"
MARK_EDGE = "#1a1a1a"
# shape by test set, as in Epoch's figures: star private, circle public
ACCESS_MARKERS = {"public": "o", "private": "*"}
ACCESS_SIZES = {"public": 7.0, "private": 10.5}
# text colours: each at least 4.5:1 on white (WCAG AA for text; tested)
TEXT = "#1a1a1a"
MUTED_TEXT = "#595959"
TEXT_COLOURS = (TEXT, MUTED_TEXT, "#333333", "#444444")


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a #rrggbb colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str = "#ffffff") -> float:
    """WCAG 2 contrast ratio of two colours (1 to 21)."""
    high, low = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@dataclass(frozen=True)
class TrendStyle:
    """How a smoothed series is drawn: its line and the colour of its band."""

    colour: str
    linestyle: Any
    band: str


TREND_STYLES = {
    "private": TrendStyle("#111111", "-", "#555555"),
    "public": TrendStyle("#1b4f8a", "--", "#6a9ad0"),
}
CLOSED_COLOUR = "#1b4f8a"
OPEN_COLOUR = "#d95f02"
GREY = "#767676"  # rejected rows and marks: 4.5:1 on white
NOTABLE_RELEASES = 8
# a trend is drawn between two consecutive datapoints at most this far apart (two kernel
# bandwidths: beyond, the kernel weight is under 14% and the value is carried, not measured)
TREND_MAX_GAP_DAYS = 2 * BANDWIDTH_DAYS


@dataclass(frozen=True)
class HoverArea:
    """An invisible rectangle that takes the pointer and the keyboard focus for one hover
    text (its SVG group id), in fractions of the figure from its lower left corner.

    Written into the SVG as it is saved (report.render), not drawn by matplotlib: a
    transparent matplotlib patch is saved with `fill: none`, which a browser's pointer does
    not hit, and drawing one per timeline row was a third of the timelines' drawing time.
    """

    gid: str
    left: float
    bottom: float
    right: float
    top: float


@dataclass
class Drawn:
    """A figure to render, with hover texts: SVG group id -> text."""

    name: str
    title: str
    figure: Figure | Sketch  # a Sketch is written as SVG directly (report.sketch)
    caption: str
    tooltips: dict[str, str] = field(default_factory=dict)
    # the figure's finding in one sentence: the SVG's accessible description
    finding: str = ""
    # per hover target: attributes the page's filter matches (benchmark, access, category)
    marks: dict[str, dict[str, str]] = field(default_factory=dict)
    # hover targets with nothing drawn: the SVG gets one rectangle each (see HoverArea)
    areas: tuple[HoverArea, ...] = ()


@dataclass(frozen=True)
class Notice:
    """A figure that cannot be drawn, and the plain words that replace it."""

    name: str
    title: str
    text: str


Panel = Drawn | Notice


def to_num(value: Any) -> float:
    """A date, timestamp or datetime64 as matplotlib's day number."""
    number: float = mdates.date2num(pd.Timestamp(value))  # type: ignore[no-untyped-call]
    return float(number)


def to_nums(values: Any) -> np.ndarray:
    """Many dates as matplotlib day numbers."""
    numbers: np.ndarray = mdates.date2num(  # type: ignore[no-untyped-call]
        pd.to_datetime(pd.Series(values)).to_numpy("datetime64[D]")
    )
    return numbers


def format_threshold(value: float, scale: str | None) -> str:
    """Thresholds as readers know them: 85% (fractions), 100 min (METR), 145 (index)."""
    if scale == "fraction":
        return f"{value * 100:.4g}%"
    if scale == "minutes":
        return f"{value:.4g} min"
    return f"{value:.4g}"


def day(value: Any) -> str:
    """A date (or pandas timestamp) as YYYY-MM-DD; empty text for a missing one."""
    # pd.NaT is a datetime instance too, so isna comes first
    if value is None or pd.isna(value):
        return ""
    return str(pd.Timestamp(value).strftime("%Y-%m-%d"))


def benchmark_colours(benchmarks: pd.DataFrame) -> dict[str, str]:
    """Each benchmark name's colour: its category's, the same in every figure of the page."""
    colours: dict[str, str] = {}
    if benchmarks.empty:
        return colours
    pairs = benchmarks[["benchmark_name", "category"]].drop_duplicates()
    for name, category in pairs.itertuples(index=False):
        colours.setdefault(str(name), CATEGORY_COLOURS.get(str(category), OTHER_CATEGORY))
    return colours


def point_tooltip(row: Any) -> str:
    """What a hovered datapoint says: benchmark, threshold, both models, both dates, the gap."""
    return (
        f"{row.benchmark_name}, threshold {format_threshold(row.threshold, row.scale)} "
        f"({row.access})\n"
        f"first closed model: {row.closed_name}, released {day(row.closed_date)}\n"
        f"first open model: {row.open_name}, released {day(row.open_date)}\n"
        f"gap: {row.gap_months:.1f} months"
    )


def supported(grid: pd.Series, point_dates: pd.Series, max_gap_days: float) -> np.ndarray:
    """True at grid dates the datapoints support: at a datapoint, or between two close ones.

    The smoother's own cut-off (effective sample size >= 2) is scale-free: across a long
    stretch without datapoints it still returns a value and a band, carried over from the
    clusters on either side. The page draws the trend only at a datapoint or between two
    consecutive datapoints at most max_gap_days apart: it never bridges a hole in the data
    and never runs past the first or last datapoint.
    """
    if point_dates.empty or grid.empty:
        return np.zeros(len(grid), dtype=bool)
    g = grid.to_numpy("datetime64[D]").astype("int64").astype(float)
    points = np.unique(point_dates.to_numpy("datetime64[D]").astype("int64").astype(float))
    here = GRID_STEP_DAYS / 2
    at_point = np.abs(g[:, None] - points[None, :]).min(axis=1) <= here
    after = np.searchsorted(points, g, side="right")  # datapoints on or before each date
    has_both = (after > 0) & (after < len(points))
    previous = points[np.clip(after - 1, 0, len(points) - 1)]
    following = points[np.clip(after, 0, len(points) - 1)]
    spanned = has_both & (following - previous <= max_gap_days)
    near: np.ndarray = at_point | spanned
    return near


def draw_trend(ax: Axes, trend: pd.DataFrame, points: pd.DataFrame, style: TrendStyle) -> bool:
    """The smoothed line and its 90% band where datapoints support it; False if nowhere.

    Across a hole in the data the line goes on thin and dotted, without a band: the reader
    sees that the trend continues and that nothing was measured there.
    """
    if trend.empty or points.empty:
        return False
    valid = trend["gap_months"].notna().to_numpy()
    keep = valid & supported(trend["date"], points["open_date"], TREND_MAX_GAP_DAYS)
    if not keep.any():
        return False
    dates = to_nums(trend["date"])
    values = trend["gap_months"].to_numpy(float)
    hole = valid & ~keep
    # one step into the solid parts on each side, so the dotted line meets them
    before = np.concatenate([[False], hole[:-1]])
    after = np.concatenate([hole[1:], [False]])
    bridge = hole | (keep & (before | after))
    ax.plot(
        dates,
        np.where(bridge, values, np.nan),
        color=style.colour,
        linestyle=":",
        linewidth=1.2,
        alpha=0.7,
        zorder=4,
    )
    if len(points) >= MIN_BAND_POINTS:  # a band from four points or fewer is noise
        low = np.where(keep, trend["ci_low"].to_numpy(float), np.nan)
        high = np.where(keep, trend["ci_high"].to_numpy(float), np.nan)
        ax.fill_between(
            dates, low, high, where=keep, color=style.band, alpha=0.18, linewidth=0, zorder=1
        )
    ax.plot(
        dates,
        np.where(keep, values, np.nan),
        color=style.colour,
        linestyle=style.linestyle,
        linewidth=2.2,
        zorder=4,
    )
    return True


def dodge(points: pd.DataFrame, step: float = 6.0) -> list[float]:
    """Sideways offsets in points for datapoints that would sit exactly on top of each other.

    Two benchmarks can give the same gap on the same day (one model pair crossing both); drawn
    in place, one marker hides the other. Side by side, a few pixels apart, both show.
    """
    keys = list(zip(points["open_date"], points["gap_months"].round(2), strict=True))
    seen: dict[Any, int] = {}
    totals: dict[Any, int] = {}
    for key in keys:
        totals[key] = totals.get(key, 0) + 1
    offsets = []
    for key in keys:
        index = seen.get(key, 0)
        seen[key] = index + 1
        offsets.append((index - (totals[key] - 1) / 2) * step)
    return offsets


def draw_points(
    ax: Axes,
    points: pd.DataFrame,
    colours: dict[str, str],
    prefix: str,
    tooltips: dict[str, str],
    marks: dict[str, dict[str, str]] | None = None,
) -> None:
    """Each datapoint as its own SVG group (id gid), so it can carry a hover text."""
    offsets = dodge(points)
    drawn = PointMarks(zorder=5)
    for i, row in enumerate(points.itertuples(index=False)):
        gid = f"{prefix}-pt-{i}"
        drawn.add(
            Mark(
                gid,
                to_num(row.open_date),
                float(row.gap_months),
                offsets[i],
                ACCESS_MARKERS.get(str(row.access), "s"),
                ACCESS_SIZES.get(str(row.access), 7.0),
                colours.get(str(row.benchmark_name), GREY),
                MARK_EDGE,
                0.6,
            )
        )
        tooltips[gid] = point_tooltip(row)
        if marks is not None:
            marks[gid] = {
                "benchmark": str(row.benchmark_name),
                "access": str(row.access),
                "category": str(row.category),
            }
    ax.add_artist(drawn)  # not ax.plot: the limits are set by the caller, nothing to autoscale


def notable_releases(points: pd.DataFrame, limit: int = NOTABLE_RELEASES) -> pd.DataFrame:
    """The open models behind the most accepted datapoints (at least two), by model family.

    A release is notable here for what it did in this chart: it is the first open model over
    several thresholds. Its date is the family's first release among those datapoints.
    """
    if points.empty:
        return pd.DataFrame(columns=["open_family", "open_date", "points"])
    counted = points.groupby("open_family", as_index=False).agg(
        open_date=("open_date", "min"), points=("gap_point_id", "count")
    )
    grouped = (
        counted[counted["points"] >= 2]  # a mask: DataFrame.query parses an expression each call
        .sort_values(["points", "open_date"], ascending=[False, True])
        .head(limit)
        .sort_values("open_date")
    )
    return grouped


def label_levels(
    positions: Sequence[float], widths: Sequence[float], levels: int
) -> list[tuple[float, int]]:
    """Place labels left-aligned at positions on the fewest text rows without overlaps.

    Each label goes on the first row whose last label ends before it starts; when every row
    is taken, on the row that frees up first, shifted right just enough to clear it.
    """
    ends = [-math.inf] * levels
    placed = []
    for x, width in zip(positions, widths, strict=True):
        free = [i for i in range(levels) if ends[i] <= x]
        level = free[0] if free else int(np.argmin(ends))
        start = max(x, ends[level])
        ends[level] = start + width
        placed.append((start, level))
    return placed


def draw_releases(ax: Axes, releases: pd.DataFrame, span_days: float, width_in: float) -> None:
    """Notable open releases on a strip under the time axis: a tick and a staggered label."""
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.set_ylim(0, 1)
    if releases.empty:
        ax.text(
            0.0,
            0.5,
            "no open model is behind two or more datapoints",
            transform=ax.transAxes,
            fontsize=8,
            color=GREY,
            va="center",
        )
        return
    days_per_inch = span_days / width_in
    dates = [to_num(d) for d in releases["open_date"]]
    labels = [
        f"{name} ({n})" for name, n in zip(releases["open_family"], releases["points"], strict=True)
    ]
    # DejaVu Sans at 8 pt: about 0.6 em a character, plus a gap that reads as a gap
    widths = [(len(text) * 0.6 * 8 / 72 + 0.15) * days_per_inch for text in labels]
    levels = 4
    for x, text, (start, level) in zip(
        dates, labels, label_levels(dates, widths, levels), strict=True
    ):
        y = 0.84 - level * 0.23
        # the tick's leader runs down to its label (and along, when the label had to move)
        ax.plot([x, x, start], [1.0, y + 0.05, y + 0.05], color=OPEN_COLOUR, linewidth=0.9)
        ax.plot([x], [1.0], marker="v", color=OPEN_COLOUR, markersize=5, clip_on=False)
        # on white: a leader passing behind a label of another row is hidden, not crossed
        ax.text(
            start,
            y,
            text,
            fontsize=8,
            va="top",
            ha="left",
            color="#333333",
            zorder=3,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6},
        )
    ax.set_ylabel("notable open\nreleases", rotation=0, ha="right", va="center", fontsize=8)


# every tick names its year ("Jul '23", "2024"): no offset label to look for
DATE_FORMATS = ["%Y", "%b '%y", "%d %b '%y", "%H:%M", "%H:%M", "%S.%f"]


# the gap charts' horizontal grid lines, under the marks
GAP_GRID = {"color": "#e5e5e5", "linewidth": 0.6}


def gap_figure(
    data: ReportData,
    name: str,
    title: str,
    points: pd.DataFrame,
    trends: dict[str, tuple[str, TrendStyle]],
    colours: dict[str, str],
    reference: bool = False,
    pending: bool = False,
) -> Panel:
    """Accepted datapoints at the open release date, smoothed trends, notable releases.

    Every gap figure shares the same axes (gap_limits), so they compare at a glance;
    reference draws the overall trend in grey behind; pending adds the thresholds no open
    model has reached as "at least" marks at the as-of date.
    """
    if points.empty:
        return Notice(
            name,
            title,
            "No accepted datapoints: no open model has crossed a threshold a closed model "
            "crossed first (or every such crossing was rejected), so there is no gap to draw.",
        )
    tooltips: dict[str, str] = {}
    marks: dict[str, dict[str, str]] = {}
    width = 11.5
    fig = Figure(figsize=(width, 6.8))
    left, right = 0.08, 0.74
    fig.subplots_adjust(left=left, right=right, top=0.93, bottom=0.07, hspace=0.05)
    grid = fig.add_gridspec(2, 1, height_ratios=[5, 1.25])
    ax = fig.add_subplot(grid[0])
    strip = fig.add_subplot(grid[1], sharex=ax)
    ax.axhline(0, color="#444444", linewidth=0.8, zorder=2)
    trend_handles = []
    if reference:
        trend_handles.append(_reference_trend(ax, data))
    for label, (series, style) in trends.items():
        rows = data.trend[data.trend["series"] == series]
        if draw_trend(ax, rows, _series_points(points, series), style):
            trend_handles.append(_trend_handle(label, style))
    draw_points(ax, points, colours, name, tooltips, marks)
    waiting = _source_pending(data) if pending and data.as_of is not None else pd.DataFrame()
    if len(waiting):
        categories = dict(
            zip(data.benchmarks["benchmark_id"], data.benchmarks["category"], strict=True)
        )
        draw_pending(ax, waiting, to_num(data.as_of), categories, name, tooltips, marks)
    _as_of_line(ax, data)
    ax.set_ylabel("gap (months): open release − first closed release")
    low, high, bottom, top = gap_limits(data)
    ax.set_xlim(low, high)
    ax.set_ylim(bottom, top)
    plain_value_axis([(ax, True)], GAP_GRID)
    draw_releases(strip, notable_releases(points), high - low, width * (right - left))
    plain_date_axis([(ax, False), (strip, True)])  # dates under the strip only
    # y given: matplotlib need not measure every tick label to find where the title goes
    ax.set_title(title, loc="left", fontsize=12, y=1.0)
    _gap_legends(ax, points, colours, trend_handles, bool(len(waiting)))
    benchmarks = points["benchmark_name"].nunique()
    caption = (
        f"{len(points)} accepted datapoints from {benchmarks} benchmark"
        f"{'s' if benchmarks != 1 else ''}, each at its open model's release date; colour is "
        "the benchmark's category, shape its test set (star private, circle public); hover "
        "or focus a mark for the benchmark, threshold, models and dates. Lines: the "
        f"smoothed gap (Gaussian kernel, {BANDWIDTH_DAYS:.0f}-day bandwidth) with its 90% "
        f"bootstrap band where at least {MIN_BAND_POINTS} datapoints support it; across a "
        f"stretch of more than {TREND_MAX_GAP_DAYS:.0f} days without datapoints the line is "
        "dotted and has no band. Identical points are set side by side. "
        + (
            f"At the as-of date (dotted line), {len(waiting)} hollow triangles: thresholds a "
            "closed model reached and no open model has; each gap is at least that long. "
            if len(waiting)
            else ""
        )
        + ("Grey line: the trend of all open models, for reference. " if reference else "")
        + "Under the axis: the open models behind the most datapoints (how many in brackets)."
    )
    if benchmarks == 1:
        only = points["benchmark_name"].iloc[0]
        caption = (
            f"Only one benchmark ({only}) has accepted datapoints: this is that benchmark's "
            "gap, not a cross-benchmark one. " + caption
        )
    return Drawn(name, title, fig, caption, tooltips, gap_finding(data, name), marks)


MIN_BAND_POINTS = 5
REFERENCE_GREY = "#8c8c8c"


def gap_limits(data: ReportData) -> tuple[float, float, float, float]:
    """The axes every gap figure shares: all datapoints of both scopes, pending waits, as-of."""
    points = pd.concat([data.benchmark_points("all"), data.benchmark_points("chinese")])
    waiting = _source_pending(data)
    low, high = _date_span(points["open_date"])
    if data.as_of is not None:
        high = max(high, to_num(data.as_of) + 45)
    values = list(points["gap_months"].dropna())
    if len(waiting):
        values += list(waiting["months_pending"].dropna())
    bottom, top = (min(values), max(values)) if values else (0.0, 1.0)
    pad = max(1.0, 0.05 * (top - bottom))
    return low, high, min(bottom, 0.0) - pad, top + pad


def _source_pending(data: ReportData) -> pd.DataFrame:
    """The drawn source's pending thresholds (report.facts.PENDING)."""
    if data.pending.empty or "source" not in data.pending:
        return data.pending.iloc[0:0] if len(data.pending.columns) else pd.DataFrame()
    return data.pending[data.pending["source"] == data.source]


def draw_pending(
    ax: Axes,
    waiting: pd.DataFrame,
    as_of: float,
    categories: dict[str, Any],
    prefix: str,
    tooltips: dict[str, str],
    marks: dict[str, dict[str, str]],
) -> None:
    """Each pending threshold as a hollow triangle at the as-of date: the gap is at least this."""
    frame = pd.DataFrame(
        {"open_date": [0] * len(waiting), "gap_months": waiting["months_pending"].to_numpy()}
    )
    offsets = dodge(frame, step=3.5)
    drawn = PointMarks(zorder=6)
    for i, row in enumerate(waiting.itertuples(index=False)):
        gid = f"{prefix}-pending-{i}"
        colour = CATEGORY_COLOURS.get(str(categories.get(row.benchmark_id)), OTHER_CATEGORY)
        drawn.add(
            Mark(
                gid, as_of, float(row.months_pending), offsets[i], "^", 6.5, "#ffffff", colour, 1.4
            )
        )
        tooltips[gid] = (
            f"{row.benchmark}, threshold {format_threshold(row.threshold, row.scale)}: pending\n"
            f"first closed model: {row.first_closed_model}, released "
            f"{day(row.first_closed_date)}\n"
            f"no open model yet: the gap is at least {row.months_pending:.1f} months"
        )
        marks[gid] = {
            "benchmark": str(row.benchmark),
            "category": str(categories.get(row.benchmark_id)),
        }
    ax.add_artist(drawn)  # as in draw_points


def _as_of_line(ax: Axes, data: ReportData) -> None:
    if data.as_of is None:
        return
    x = to_num(data.as_of)
    ax.axvline(x, color="#444444", linewidth=0.9, linestyle=":", zorder=3)
    ax.text(
        x,
        1.0,
        f"as of {day(data.as_of)} ",
        transform=ax.get_xaxis_transform(),
        fontsize=8,
        color="#444444",
        ha="right",
        va="bottom",
    )


def _reference_trend(ax: Axes, data: ReportData) -> tuple[Line2D, Patch]:
    """The trend of all open models in grey, no band: what each slice is compared with."""
    rows = data.trend[data.trend["series"] == "all"]
    if len(rows):
        keep = supported(
            rows["date"], data.benchmark_points("all")["open_date"], TREND_MAX_GAP_DAYS
        )
        values = np.where(keep, rows["gap_months"].to_numpy(float), np.nan)
        ax.plot(to_nums(rows["date"]), values, color=REFERENCE_GREY, linewidth=1.6, zorder=3)
    line = Line2D([], [], color=REFERENCE_GREY, linewidth=1.6, label="all open models (reference)")
    return line, Patch(facecolor="#ffffff", alpha=0.0, label=line.get_label())


def gap_finding(data: ReportData, name: str) -> str:
    """One sentence: what the figure shows, from gap_summary."""

    def estimate(series: str) -> str:
        row = data.summary[data.summary["series"] == series]
        if row.empty or pd.isna(row["gap_months"].iloc[0]):
            return f"no {series} estimate"
        r = row.iloc[0]
        return (
            f"{r.gap_months:.1f} months (90% band {r.ci_low:.1f}–{r.ci_high:.1f}) "
            f"at {day(r.latest_date)}"
        )

    if name == "gap-chinese":
        return f"Chinese open models trail the first closed model by {estimate('chinese')}."
    return (
        f"Open models trail the first closed model by {estimate('all')}; private test sets "
        f"{estimate('private')}, public {estimate('public')}."
    )


def _series_points(points: pd.DataFrame, series: str) -> pd.DataFrame:
    """The datapoints behind a trend series, to know where the trend is supported."""
    if series in ("public", "private"):
        return points[points["access"] == series]
    if series.startswith("category:"):
        return points[points["category"] == series.split(":", 1)[1]]
    return points


def _trend_handle(label: str, style: TrendStyle) -> tuple[Line2D, Patch]:
    line = Line2D([], [], color=style.colour, linestyle=style.linestyle, linewidth=2.2, label=label)
    patch = Patch(facecolor=style.band, alpha=0.18, label=label)
    return line, patch


def _date_span(dates: pd.Series, pad_days: float = 45.0) -> tuple[float, float]:
    low = to_num(dates.min()) - pad_days
    high = to_num(dates.max()) + pad_days
    return float(low), float(high)


def legend_handles(points: pd.DataFrame, extra: list[Any] | None = None) -> list[Any]:
    """Legend entries: one per category present (its colour), then the two test-set shapes."""
    categories = sorted({str(c) for c in points["category"].dropna()})
    handles: list[Any] = [
        Patch(
            facecolor=CATEGORY_COLOURS.get(c, OTHER_CATEGORY),
            edgecolor=MARK_EDGE,
            linewidth=0.6,
            label=c.replace("_", " "),
        )
        for c in categories
    ]
    for access in ("public", "private"):
        if (points["access"] == access).any():
            handles.append(
                Line2D(
                    [],
                    [],
                    marker=ACCESS_MARKERS[access],
                    linestyle="none",
                    markersize=ACCESS_SIZES[access],
                    markerfacecolor="#ffffff",
                    markeredgecolor=MARK_EDGE,
                    label=f"{access} test set",
                )
            )
    return handles + (extra or [])


def _gap_legends(
    ax: Axes,
    points: pd.DataFrame,
    colours: dict[str, str],
    trend_handles: list[tuple[Line2D, Patch]],
    pending: bool = False,
) -> None:
    """Legends outside the axes: category (colour) and test set (shape), then the trends."""
    first = ax.legend(
        handles=legend_handles(
            points,
            [
                Line2D(
                    [],
                    [],
                    marker="^",
                    linestyle="none",
                    markerfacecolor="#ffffff",
                    markeredgecolor=MARK_EDGE,
                    label="pending: gap at least",
                )
            ]
            if pending
            else [],
        ),
        title="colour: category; shape: test set\n(hover a mark for its benchmark)",
        loc="upper left",
        bbox_to_anchor=(1.01, 1.02),
        fontsize=8,
        title_fontsize=8,
        frameon=False,
        alignment="left",
    )
    if not trend_handles:
        return
    ax.add_artist(first)
    handles: list[Any] = [(patch, line) for line, patch in trend_handles]
    labels = [
        str(line.get_label())
        if line.get_color() == REFERENCE_GREY
        else f"{line.get_label()}, 90% band"
        for line, _ in trend_handles
    ]
    handles.append(Line2D([], [], color="#4a4a4a", linestyle=":", linewidth=1.2))
    labels.append(f"trend across > {TREND_MAX_GAP_DAYS:.0f} days without datapoints")
    ax.legend(
        handles=handles,
        labels=labels,
        loc="lower left",
        bbox_to_anchor=(1.01, -0.02),
        fontsize=8,
        frameon=False,
    )


def gap_over_time(data: ReportData, colours: dict[str, str]) -> Panel:
    """Figure 2: every accepted datapoint, and the private and public trends."""
    return gap_figure(
        data,
        "gap-over-time",
        "Gap over time: how many months open models trailed closed ones",
        data.benchmark_points("all"),
        {
            "private trend": ("private", TREND_STYLES["private"]),
            "public trend": ("public", TREND_STYLES["public"]),
        },
        colours,
        pending=True,
    )


def chinese_gap(data: ReportData, colours: dict[str, str]) -> Panel:
    """Figure 3b: the same gap when only Chinese open models count."""
    return gap_figure(
        data,
        "gap-chinese",
        "Chinese open models: months behind the first closed model",
        data.benchmark_points("chinese"),
        {"trend (Chinese open models)": ("chinese", TREND_STYLES["private"])},
        colours,
        reference=True,
    )


def gap_by_category(data: ReportData, colours: dict[str, str]) -> Panel:
    """Figure 3a: one panel per category with datapoints, on shared axes."""
    name, title = "gap-by-category", "Gap over time by category"
    points = data.benchmark_points("all")
    categories = sorted(points["category"].dropna().unique()) if len(points) else []
    if not categories:
        return Notice(name, title, "No accepted datapoints in any category: nothing to draw.")
    columns = min(3, len(categories))
    rows = math.ceil(len(categories) / columns)
    panel_height = 3.9
    fig = Figure(figsize=(11.5, panel_height * rows + 0.5))
    axes = fig.subplots(rows, columns, sharex=True, sharey=True, squeeze=False)
    height = panel_height * rows + 0.5
    fig.subplots_adjust(
        left=0.07,
        right=0.98,
        top=1 - 0.75 / height,
        bottom=1.05 / height,
        hspace=0.62,
        wspace=0.08,
    )
    tooltips: dict[str, str] = {}
    marks: dict[str, dict[str, str]] = {}
    low, high, bottom, top = gap_limits(data)  # the main figure's axes
    for index, category in enumerate(categories):
        ax = axes[index // columns][index % columns]
        own = points[points["category"] == category]
        series = f"category:{category}"
        ax.axhline(0, color="#444444", linewidth=0.8, zorder=2)
        _reference_trend(ax, data)
        style = TrendStyle(TEXT, "-", CATEGORY_COLOURS.get(category, OTHER_CATEGORY))
        draw_trend(ax, data.trend[data.trend["series"] == series], own, style)
        draw_points(ax, own, colours, f"{name}-{index}", tooltips, marks)
        ax.set_title(_category_title(data, category, series, own), fontsize=9, loc="left", y=1.0)
        ax.set_xlim(low, high)
        ax.set_ylim(bottom, top)
        names = ", ".join(sorted(own["benchmark_name"].unique()))
        ax.text(
            0.0,
            -0.11,
            "\n".join(wrap(names, 58)[:3]),
            transform=ax.transAxes,
            fontsize=7.5,
            color=MUTED_TEXT,
            va="top",
        )
    for index in range(len(categories), rows * columns):
        axes[index // columns][index % columns].set_visible(False)
    shown = [axes[index // columns][index % columns] for index in range(len(categories))]
    plain_date_axis([(ax, True) for ax in shown], 8)  # dates under every panel
    for row in axes:
        row[0].set_ylabel("gap (months)")
    # values labelled on each row's first panel, as shared axes are
    value_axes = [(ax, index % columns == 0) for index, ax in enumerate(shown)]
    plain_value_axis(value_axes, GAP_GRID)
    fig.suptitle(title, x=0.07, ha="left", fontsize=12)
    caption = (
        "Each panel: the accepted datapoints of one category's benchmarks (circles public, "
        "stars private test sets; the benchmarks are named under the panel and in each "
        "mark's hover text) and that category's smoothed gap, with its 90% band where at "
        f"least {MIN_BAND_POINTS} datapoints support it, dotted and without a band across "
        "stretches with no datapoints. Grey: the trend of all open models, for reference. "
        "The heading gives the latest estimate and its band. All panels share the axes of "
        "the main figure."
    )
    return Drawn(name, title, fig, caption, tooltips, category_finding(data), marks)


def category_finding(data: ReportData) -> str:
    """Which category trails most and least, from gap_summary."""
    rows = data.summary[
        data.summary["series"].str.startswith("category:") & data.summary["gap_months"].notna()
    ]
    if rows.empty:
        return "No category has a gap estimate."
    ordered = rows.sort_values("gap_months")
    said = ", ".join(
        f"{r.series.split(':', 1)[1].replace('_', ' ')} {r.gap_months:.1f}"
        for r in ordered.iloc[::-1].itertuples(index=False)
    )
    return f"Latest gap by category, widest first (months): {said}."


def _category_title(data: ReportData, category: str, series: str, own: pd.DataFrame) -> str:
    """'math: 30 points, 6.4 mo at Jan '26 [5.7, 7.8]': the estimate's own date, never 'now'.

    An estimate more than STALE_DAYS before the as-of date says so; with too few points for a
    band (MIN_BAND_POINTS) there is no band to quote.
    """
    row = data.summary[data.summary["series"] == series]
    n = len(own)
    head = f"{category.replace('_', ' ')}: {n} point{'s' if n != 1 else ''}"
    if row.empty or pd.isna(row["gap_months"].iloc[0]):
        return head + ", no estimate"
    r = row.iloc[0]
    text = f"{head}\n{r.gap_months:.1f} mo at {pd.Timestamp(r.latest_date):%b '%y}"
    text += f" [{r.ci_low:.1f}, {r.ci_high:.1f}]" if n >= MIN_BAND_POINTS else " (no band)"
    if (
        data.as_of is not None
        and (pd.Timestamp(data.as_of) - pd.Timestamp(r.latest_date)).days > STALE_DAYS
    ):
        text += ", stale"
    return text


# ---- axes drawn as plain artists ---------------------------------------------------------


def plain_ticks(
    ax: Axes,
    axis: str,
    locations: Sequence[float],
    labels: Sequence[str],
    fontsize: float | str = 8,
) -> None:
    """Ticks drawn as matplotlib draws them (mark, padding, text), as plain artists.

    One line of tick marks and a text per label instead of matplotlib ticks: a tick is five
    artists, and every tick label is measured again for the axis and title layout, which
    made tick labels most of a figure's drawing time. axis: "x" (bottom) or "y" (left).
    """
    rc: Any = matplotlib.rcParams  # keys built from axis, which its stubs do not allow
    ink = rc[f"{axis}tick.color"]
    size = float(rc[f"{axis}tick.major.size"])
    pad = (size + float(rc[f"{axis}tick.major.pad"])) / 72
    figure = ax.get_figure(root=True)
    assert figure is not None  # every axes here is drawn on a figure
    scale = figure.dpi_scale_trans
    place: dict[str, Any]
    if axis == "x":
        ax.set_xticks([])
        along = ax.get_xaxis_transform()
        marks = (list(locations), [0.0] * len(locations))
        shifted = along + transforms.ScaledTranslation(0, -pad, scale)
        marker, place = TICKDOWN, {"ha": "center", "va": "top"}
    else:
        ax.set_yticks([])
        along = ax.get_yaxis_transform()
        marks = ([0.0] * len(locations), list(locations))
        shifted = along + transforms.ScaledTranslation(-pad, 0, scale)
        marker, place = TICKLEFT, {"ha": "right", "va": "center_baseline"}
    ax.plot(
        *marks,
        transform=along,
        marker=marker,
        markersize=size,
        markeredgewidth=float(rc[f"{axis}tick.major.width"]),
        color=ink,
        linestyle="none",
        clip_on=False,
        zorder=1.5,  # where matplotlib draws an axis (below lines)
    )
    for i, (x, y) in enumerate(zip(*marks, strict=True) if labels else ()):
        ax.text(
            x,
            y,
            labels[i],
            transform=shifted,
            fontsize=fontsize,
            color=ink,
            **place,
        )


def plain_date_axis(
    axes: Sequence[tuple[Axes, bool]],
    fontsize: float | str | None = None,
    grid: dict[str, Any] | None = None,
) -> None:
    """date_axis's ticks for axes that share one time axis, as plain_ticks: tick marks on
    each, labels on those flagged True, vertical grid lines when grid gives their style.

    Call it once everything is drawn: it fixes the x limits where they are, so the tick
    artists cannot widen them.
    """
    first = axes[0][0]
    low, high = first.get_xlim()
    first.set_xlim(low, high)
    locations, labels = date_ticks(low, high)
    size = matplotlib.rcParams["xtick.labelsize"] if fontsize is None else fontsize
    for ax, labelled in axes:
        plain_ticks(ax, "x", locations, labels if labelled else [], size)
        if grid:
            _grid_lines(ax, "x", locations, grid)


def date_ticks(low: float, high: float) -> tuple[list[float], list[str]]:
    """The date ticks in view from day number low to high, as a date axis would place and
    label them (matplotlib's AutoDateLocator and ConciseDateFormatter, year-first formats)."""
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)  # type: ignore[no-untyped-call]
    start, end = sorted((low, high))
    first = mdates.num2date(start)  # type: ignore[no-untyped-call]
    last = mdates.num2date(end)  # type: ignore[no-untyped-call]
    values = locator.tick_values(first, last)  # type: ignore[no-untyped-call]
    everywhere = [float(value) for value in values]
    formatter = mdates.ConciseDateFormatter(  # type: ignore[no-untyped-call]
        locator, formats=DATE_FORMATS, show_offset=False
    )
    named = formatter.format_ticks(everywhere)  # type: ignore[no-untyped-call]
    return _in_view(everywhere, named, low, high)


def plain_value_axis(axes: Sequence[tuple[Axes, bool]], grid: dict[str, Any]) -> None:
    """The value (y) axis of axes that share it, as plain_ticks: matplotlib's own tick values
    and labels, tick marks on each, labels on those flagged True, horizontal grid lines.

    Call it once the y limits are set. An axes' y label stays where matplotlib puts it, left
    of its widest tick label: placed here, since the axis itself now has no tick labels.
    """
    first = axes[0][0]
    low, high = first.get_ylim()
    everywhere = [float(y) for y in first.yaxis.get_major_locator()()]
    named = first.yaxis.get_major_formatter().format_ticks(everywhere)
    locations, labels = _in_view(everywhere, named, low, high)
    rc: Any = matplotlib.rcParams
    size = rc["ytick.labelsize"]
    for ax, labelled in axes:
        plain_ticks(ax, "y", locations, labels if labelled else [], size)
        _grid_lines(ax, "y", locations, grid)
        if labelled and labels and ax.get_ylabel():
            _place_value_label(ax, labels, size)


def _in_view(
    everywhere: Sequence[float], named: Sequence[str], low: float, high: float
) -> tuple[list[float], list[str]]:
    """Ticks labelled as an axis labels them: the labels of all the locator's values, then the
    values in view (within a hair of the limits) with theirs."""
    slack = 1e-10 * abs(high - low)
    bottom, top = min(low, high) - slack, max(low, high) + slack
    shown = [i for i, value in enumerate(everywhere) if bottom <= value <= top]
    return [everywhere[i] for i in shown], [named[i] for i in shown]


def _grid_lines(ax: Axes, axis: str, locations: Sequence[float], style: dict[str, Any]) -> None:
    """One line across the axes at each tick of axis ("x": vertical lines), one artist for all,
    under the marks where matplotlib draws an axis's grid."""
    along = [value for value in locations for _ in range(3)]
    across = [0, 1, math.nan] * len(locations)
    if axis == "x":
        ax.plot(along, across, transform=ax.get_xaxis_transform(), zorder=1.5, **style)
    else:
        ax.plot(across, along, transform=ax.get_yaxis_transform(), zorder=1.5, **style)


def _place_value_label(ax: Axes, labels: Sequence[str], size: float | str) -> None:
    """The y label as matplotlib places it: labelpad left of the widest tick label's edge."""
    rc: Any = matplotlib.rcParams
    font = FontProperties(size=size)
    widest = max(text_metrics(label, font, False)[0] for label in labels)
    pad = float(rc["ytick.major.size"]) + float(rc["ytick.major.pad"])
    figure = ax.get_figure(root=True)
    assert figure is not None  # drawn on a figure
    axes_width = ax.get_position().width * figure.get_figwidth() * 72  # points
    ax.yaxis.set_label_coords(-(pad + widest + float(rc["axes.labelpad"])) / axes_width, 0.5)


# ---- frontier lag ----------------------------------------------------------------------

MIN_SPREAD = 3  # benchmarks a month needs before its box (a spread) is drawn


def frontier_lag(data: ReportData) -> Panel:
    """Figure 5: per month the spread of lags across benchmarks, the mean and the fitted line."""
    name, title = "frontier-lag", "Frontier lag: how far the best open score trails, per month"
    lag = data.lag
    n_benchmarks = lag["benchmark_id"].nunique() if len(lag) else 0
    if n_benchmarks < 2:
        which = f" (only {lag['benchmark_id'].iloc[0]})" if n_benchmarks == 1 else ""
        return Notice(
            name,
            title,
            "The frontier lag is a spread across benchmarks, and "
            f"{n_benchmarks} benchmark{'s' if n_benchmarks != 1 else ''} with an open model "
            f"score {'is' if n_benchmarks == 1 else 'are'} in this warehouse{which}: "
            "nothing to compare.",
        )
    monthly = data.lag_monthly
    fig = Figure(figsize=(11.5, 5.8))
    fig.subplots_adjust(left=0.08, right=0.76, top=0.92, bottom=0.09, hspace=0.08)
    grid = fig.add_gridspec(2, 1, height_ratios=[4, 1])
    ax = fig.add_subplot(grid[0])
    count_ax = fig.add_subplot(grid[1], sharex=ax)
    _lag_boxes(ax, lag)
    _shade_thin_months(ax, monthly)
    dates = [to_num(m) for m in monthly["month_end"]]
    ax.plot(
        dates,
        monthly["mean_lag_months"],
        color=OPEN_COLOUR,
        linewidth=1.6,
        label="mean across benchmarks",
    )
    # the line only over the months it was fitted on: not across the thin months left out
    fitted = monthly["fitted_mean_lag_months"].where(monthly["in_fit"].astype(bool))
    ax.plot(
        dates,
        fitted,
        color="#111111",
        linestyle="--",
        linewidth=1.4,
        label="least-squares line through the mean",
    )
    ax.axhline(0, color="#444444", linewidth=0.8)
    _zero_crossing(ax, data, dates)
    ax.set_ylabel("lag (months)")
    ax.grid(axis="y", color="#e5e5e5", linewidth=0.6)
    ax.legend(
        handles=[
            Patch(
                facecolor="#dfe8f3",
                edgecolor="#7d98b8",
                label=f"quartiles across benchmarks\n(months with {MIN_SPREAD}+ benchmarks)",
            ),
            *ax.get_legend_handles_labels()[0],
        ],
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=8,
        frameon=False,
    )
    fit_note = _fit_note(data)
    ax.text(1.02, 0.62, "\n".join(wrap(fit_note, 34)), transform=ax.transAxes, fontsize=8, va="top")
    # y given: matplotlib need not measure every tick label to find where the title goes
    ax.set_title(title, loc="left", fontsize=12, y=1.0)
    count_ax.bar(dates, monthly["benchmarks"], width=20, color="#bbbbbb")
    count_ax.set_ylabel("benchmarks", fontsize=8)
    count_ax.tick_params(axis="y", labelsize=7)
    plain_date_axis([(ax, False), (count_ax, True)])  # dates under the counts only
    caption = (
        "Per month-end and tracked benchmark: how many months before that month the closed "
        "frontier first reached the best open score so far (0 when open leads). Boxes show "
        f"the spread across benchmarks, drawn for months with at least {MIN_SPREAD} of them; "
        "the bars below count the benchmarks behind each month. " + _early_note(monthly) + fit_note
    )
    last = monthly.iloc[-1]
    finding = (
        f"At {day(last.month_end)} the best open score trailed the closed frontier by "
        f"{last.mean_lag_months:.1f} months on average across {int(last.benchmarks)} "
        f"benchmarks (median {last.median_lag_months:.1f}). {fit_note}"
    )
    return Drawn(name, title, fig, caption, finding=finding)


BOX_EDGE = "#7d98b8"


def _lag_boxes(ax: Axes, lag: pd.DataFrame) -> None:
    """One box per month with enough benchmarks for a spread to mean something.

    Matplotlib's boxplot statistics (quartiles, whiskers at 1.5 IQR, fliers), drawn as one
    artist per part rather than six per month: the same marks at a fraction of the cost.
    """
    by_month = lag.groupby("month_end")["lag_months"]
    counts = by_month.count()
    months = [m for m, n in counts.items() if n >= MIN_SPREAD]
    if not months:
        return
    positions = [to_num(m) for m in months]
    # each month's lags in row order, split in one pass rather than one mask per month
    lags = {m: values.to_numpy(float) for m, values in by_month}
    groups = [lags[m] for m in months]
    half_box, half_cap = 18 / 2, 18 * 0.5 / 2
    boxes: list[Outline] = []
    whiskers: tuple[list[float], list[float]] = ([], [])
    caps: tuple[list[float], list[float]] = ([], [])
    medians: tuple[list[float], list[float]] = ([], [])
    fliers: tuple[list[float], list[float]] = ([], [])
    for x, stats in zip(positions, cbook.boxplot_stats(groups, whis=1.5), strict=True):
        q1, q3 = stats["q1"], stats["q3"]
        left, right = x - half_box, x + half_box
        corners = [(left, q1), (right, q1), (right, q3), (left, q3), (left, q1)]
        boxes.append(Outline(corners, closed=True))
        whiskers[0].extend((x, x, math.nan, x, x, math.nan))
        whiskers[1].extend((q1, stats["whislo"], math.nan, q3, stats["whishi"], math.nan))
        for level in (stats["whislo"], stats["whishi"]):
            caps[0].extend((x - half_cap, x + half_cap, math.nan))
            caps[1].extend((level, level, math.nan))
        medians[0].extend((left, right, math.nan))
        medians[1].extend((stats["med"], stats["med"], math.nan))
        fliers[0].extend([x] * len(stats["fliers"]))
        fliers[1].extend(stats["fliers"])
    ax.add_artist(
        PathPatch(
            Outline.make_compound_path(*boxes),
            facecolor="#dfe8f3",
            edgecolor=BOX_EDGE,
            linewidth=0.7,
            zorder=2,
        )
    )
    ax.plot(*whiskers, color=BOX_EDGE, linewidth=0.7, zorder=2)
    ax.plot(*caps, color=BOX_EDGE, linewidth=0.7, zorder=2)
    ax.plot(*medians, color="#1b4f8a", linewidth=1.0, zorder=2.1)
    if fliers[0]:
        ax.plot(
            *fliers,
            marker=".",
            markersize=3,
            markeredgecolor=BOX_EDGE,
            markerfacecolor="none",
            linestyle="none",
            zorder=2,
        )


def _shade_thin_months(ax: Axes, monthly: pd.DataFrame) -> None:
    """Grey out the early months whose mean rests on fewer than MIN_SPREAD benchmarks."""
    thin = monthly[monthly["benchmarks"] < MIN_SPREAD]
    enough = monthly[monthly["benchmarks"] >= MIN_SPREAD]
    if thin.empty or enough.empty:
        return
    first = to_num(enough["month_end"].iloc[0])
    earlier = thin[thin["month_end"] < enough["month_end"].iloc[0]]
    if earlier.empty:
        return
    start = to_num(earlier["month_end"].iloc[0]) - 20
    ax.axvspan(start, first - 15, color="#f0f0f0", zorder=0)
    ax.text(
        (start + first) / 2,
        0.97,
        f"fewer than {MIN_SPREAD} benchmarks:\nno spread to show",
        transform=ax.get_xaxis_transform(),
        ha="center",
        va="top",
        fontsize=8,
        color="#666666",
    )


def _zero_crossing(ax: Axes, data: ReportData, dates: list[float]) -> None:
    """Extend the fitted line to the date it reaches zero, when it does."""
    if data.lag_trend.empty or data.lag_monthly.empty:
        return
    zero = data.lag_trend["zero_lag_date"].iloc[0]
    if zero is None or pd.isna(zero):
        return
    z = to_num(zero)
    fitted_last = float(data.lag_monthly["fitted_mean_lag_months"].iloc[-1])
    ax.plot([dates[-1], z], [fitted_last, 0.0], color="#111111", linestyle=":", linewidth=1.2)
    ax.plot([z], [0.0], marker="x", color="#111111", markersize=8)
    ax.annotate(
        f"reaches zero {day(zero)}",
        (z, 0),
        xytext=(-4, 8),
        textcoords="offset points",
        fontsize=8,
        ha="right",
    )


def _early_note(monthly: pd.DataFrame) -> str:
    """Say from when the mean rests on several benchmarks, and which months the line skips."""
    parts = []
    enough = monthly[monthly["benchmarks"] >= MIN_SPREAD]
    if not enough.empty and len(enough) < len(monthly):
        first = pd.Timestamp(enough["month_end"].iloc[0]).strftime("%B %Y")
        parts.append(
            f"Before {first} fewer than {MIN_SPREAD} benchmarks have an open score, so the mean "
            "rests on one or two benchmarks there."
        )
    left_out = int((~monthly["in_fit"].astype(bool)).sum())
    if left_out:
        parts.append(
            f"The fitted line leaves out the {left_out} month{'s' if left_out != 1 else ''} "
            "with too few benchmarks and is drawn only over the months it was fitted on."
        )
    return " ".join(parts) + " " if parts else ""


def wrap(text: str, width: int) -> list[str]:
    """text in lines of at most width characters, broken between words."""
    return textwrap.wrap(text, width)


def _fit_note(data: ReportData) -> str:
    """The fitted line in words: slope with its 90% interval, fit, and the zero-lag date or
    the mart's reason for giving none (a falling line whose interval reaches zero has none)."""
    if data.lag_trend.empty:
        return "No fitted line."
    t = data.lag_trend.iloc[0]
    slope = float(t.slope_months_per_year)
    direction = "falling" if slope < 0 else "rising"
    interval = ""
    if pd.notna(t.slope_ci_low) and pd.notna(t.slope_ci_high):
        interval = f"; 90% interval {t.slope_ci_low:+.2f} to {t.slope_ci_high:+.2f}"
    text = (
        f"Fitted line: {slope:+.2f} months per year ({direction}{interval}), "
        f"R² {t.r_squared:.2f}, over {int(t.months)} months."
    )
    if t.zero_lag_date is not None and not pd.isna(t.zero_lag_date):
        return text + f" It reaches zero on {day(t.zero_lag_date)}."
    reason = t.zero_lag_note if isinstance(t.zero_lag_note, str) else ""
    return text + (f" {reason[:1].upper()}{reason[1:]}." if reason else " No zero-lag date.")
