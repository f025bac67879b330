"""The report's figures, one function each, drawn with matplotlib (Agg, no pyplot state).

Each function returns a Drawn figure (with hover texts keyed by SVG group id) or a Notice
that says in words why there is nothing to draw: an empty axis misleads more than a sentence.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates
import matplotlib.transforms as transforms
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from report.data import ReportData
from transforms.method import BANDWIDTH_DAYS, GRID_STEP_DAYS

# colours for benchmarks, in a fixed order: distinct hues first, no greys (greys mean
# "rejected" in the timelines and "band" in the gap charts)
PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#bcbd22",
    "#17becf",
    "#393b79",
    "#637939",
    "#8c6d31",
    "#843c39",
    "#7b4173",
    "#5254a3",
    "#e7ba52",
    "#ad494a",
    "#3182bd",
)
ACCESS_MARKERS = {"public": "o", "private": "^"}


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
GREY = "#9a9a9a"
NOTABLE_RELEASES = 8
# a trend is drawn between two consecutive datapoints at most this far apart (two kernel
# bandwidths: beyond, the kernel weight is under 14% and the value is carried, not measured)
TREND_MAX_GAP_DAYS = 2 * BANDWIDTH_DAYS


@dataclass
class Drawn:
    """A figure to render, with hover texts: SVG group id -> text."""

    name: str
    title: str
    figure: Figure
    caption: str
    tooltips: dict[str, str] = field(default_factory=dict)


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
    """One colour per benchmark name, stable across every figure of the page.

    Public and private benchmarks are told apart by marker shape, so each access group gets
    the palette's most distinct colours to itself: eight clear hues beat sixteen muddy ones.
    """
    colours: dict[str, str] = {}
    if benchmarks.empty:
        return colours
    pairs = benchmarks[["benchmark_name", "access"]].drop_duplicates()
    for _, group in pairs.groupby("access", sort=True):
        for i, name in enumerate(sorted(group["benchmark_name"].unique())):
            colours.setdefault(str(name), PALETTE[i % len(PALETTE)])
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
    ax: Axes, points: pd.DataFrame, colours: dict[str, str], prefix: str, tooltips: dict[str, str]
) -> None:
    """Each datapoint as its own artist with an SVG group id, so it can carry a hover text."""
    offsets = dodge(points)
    for i, row in enumerate(points.itertuples(index=False)):
        gid = f"{prefix}-pt-{i}"
        shift = offsets[i]
        transform = (
            ax.transData
            if shift == 0
            else transforms.offset_copy(
                ax.transData, fig=ax.get_figure(root=True), x=shift, units="points"
            )
        )
        ax.plot(
            [to_num(row.open_date)],
            [row.gap_months],
            marker=ACCESS_MARKERS.get(str(row.access), "s"),
            markersize=7,
            markerfacecolor=colours.get(str(row.benchmark_name), GREY),
            markeredgecolor="white",
            markeredgewidth=0.6,
            linestyle="none",
            alpha=0.9,
            zorder=5,
            gid=gid,
            transform=transform,
        )
        tooltips[gid] = point_tooltip(row)


def notable_releases(points: pd.DataFrame, limit: int = NOTABLE_RELEASES) -> pd.DataFrame:
    """The open models behind the most accepted datapoints (at least two), by model family.

    A release is notable here for what it did in this chart: it is the first open model over
    several thresholds. Its date is the family's first release among those datapoints.
    """
    if points.empty:
        return pd.DataFrame(columns=["open_family", "open_date", "points"])
    grouped = (
        points.groupby("open_family", as_index=False)
        .agg(open_date=("open_date", "min"), points=("gap_point_id", "count"))
        .query("points >= 2")
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


def date_axis(ax: Axes) -> None:
    """Dates on a time axis that stay readable for spans of months or of years."""
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    # every tick names its year ("Jul '23", "2024"): no offset label to look for
    formats = ["%Y", "%b '%y", "%d %b '%y", "%H:%M", "%H:%M", "%S.%f"]
    ax.xaxis.set_major_formatter(
        mdates.ConciseDateFormatter(  # type: ignore[no-untyped-call]
            locator, formats=formats, show_offset=False
        )
    )


def gap_figure(
    data: ReportData,
    name: str,
    title: str,
    points: pd.DataFrame,
    trends: dict[str, tuple[str, TrendStyle]],
    colours: dict[str, str],
) -> Panel:
    """Accepted datapoints at the open release date, smoothed trends, notable releases."""
    if points.empty:
        return Notice(
            name,
            title,
            "No accepted datapoints: no open model has crossed a threshold a closed model "
            "crossed first (or every such crossing was rejected), so there is no gap to draw.",
        )
    tooltips: dict[str, str] = {}
    width = 11.5
    fig = Figure(figsize=(width, 6.8))
    left, right = 0.08, 0.74
    fig.subplots_adjust(left=left, right=right, top=0.93, bottom=0.07, hspace=0.05)
    grid = fig.add_gridspec(2, 1, height_ratios=[5, 1.25])
    ax = fig.add_subplot(grid[0])
    strip = fig.add_subplot(grid[1], sharex=ax)
    ax.axhline(0, color="#444444", linewidth=0.8, zorder=2)
    trend_handles = []
    for label, (series, style) in trends.items():
        rows = data.trend[data.trend["series"] == series]
        if draw_trend(ax, rows, _series_points(points, series), style):
            trend_handles.append(_trend_handle(label, style))
    draw_points(ax, points, colours, name, tooltips)
    ax.set_ylabel("gap (months): open release − first closed release")
    ax.grid(axis="y", color="#e5e5e5", linewidth=0.6)
    ax.tick_params(axis="x", labelbottom=False)
    date_axis(strip)
    low, high = _date_span(points["open_date"])
    ax.set_xlim(low, high)
    draw_releases(strip, notable_releases(points), high - low, width * (right - left))
    ax.set_title(title, loc="left", fontsize=12)
    _gap_legends(ax, points, colours, trend_handles)
    benchmarks = points["benchmark_name"].nunique()
    caption = (
        f"{len(points)} accepted datapoints from {benchmarks} benchmark"
        f"{'s' if benchmarks != 1 else ''}, each at its open model's release date; colour is "
        "the benchmark, shape its test set (circle public, triangle private). Lines: the "
        f"smoothed gap (Gaussian kernel, {BANDWIDTH_DAYS:.0f}-day bandwidth) with its 90% "
        f"bootstrap band where datapoints support it; across a stretch of more than "
        f"{TREND_MAX_GAP_DAYS:.0f} days without datapoints the line is dotted and has no "
        "band. Hover a "
        "point for the benchmark, threshold, models and dates; identical points are set side "
        "by side. Under the axis: the open models "
        "behind the most datapoints (how many in brackets)."
    )
    if benchmarks == 1:
        only = points["benchmark_name"].iloc[0]
        caption = (
            f"Only one benchmark ({only}) has accepted datapoints: this is that benchmark's "
            "gap, not a cross-benchmark one. " + caption
        )
    return Drawn(name, title, fig, caption, tooltips)


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


def benchmark_handles(points: pd.DataFrame, colours: dict[str, str], size: float) -> list[Any]:
    """Legend entries with each benchmark's own colour and shape, public ones first."""
    pairs = points[["benchmark_name", "access"]].drop_duplicates()
    pairs = pairs.assign(order=pairs["access"].map({"public": 0, "private": 1}).fillna(2))
    return [
        Line2D(
            [],
            [],
            marker=ACCESS_MARKERS.get(str(access), "s"),
            linestyle="none",
            markersize=size,
            markerfacecolor=colours.get(str(name), GREY),
            markeredgecolor="white",
            label=str(name),
        )
        for name, access in pairs.sort_values(["order", "benchmark_name"])[
            ["benchmark_name", "access"]
        ].itertuples(index=False)
    ]


def _gap_legends(
    ax: Axes,
    points: pd.DataFrame,
    colours: dict[str, str],
    trend_handles: list[tuple[Line2D, Patch]],
) -> None:
    """Legends outside the axes: benchmarks (colour and shape), then the trends."""
    first = ax.legend(
        handles=benchmark_handles(points, colours, 7),
        title="benchmark (● public, ▲ private test set)",
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
    labels = [f"{line.get_label()}, 90% band" for line, _ in trend_handles]
    handles.append(Line2D([], [], color="#555555", linestyle=":", linewidth=1.2))
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
    low, high = _date_span(points["open_date"])
    for index, category in enumerate(categories):
        ax = axes[index // columns][index % columns]
        own = points[points["category"] == category]
        series = f"category:{category}"
        ax.axhline(0, color="#444444", linewidth=0.8, zorder=2)
        draw_trend(ax, data.trend[data.trend["series"] == series], own, TREND_STYLES["private"])
        draw_points(ax, own, colours, f"{name}-{index}", tooltips)
        ax.set_title(_category_title(data, category, series, own), fontsize=9, loc="left")
        ax.grid(axis="y", color="#e5e5e5", linewidth=0.6)
        date_axis(ax)
        ax.tick_params(axis="x", labelbottom=True, labelsize=8)
        ax.set_xlim(low, high)
        ax.legend(
            handles=benchmark_handles(own, colours, 6),
            loc="upper left",
            bbox_to_anchor=(0.0, -0.09),
            ncol=2,
            fontsize=7.5,
            frameon=False,
            handletextpad=0.2,
            columnspacing=1.0,
            borderaxespad=0.0,
        )
    for index in range(len(categories), rows * columns):
        axes[index // columns][index % columns].set_visible(False)
    for row in axes:
        row[0].set_ylabel("gap (months)")
    fig.suptitle(title, x=0.07, ha="left", fontsize=12)
    caption = (
        "Each panel: the accepted datapoints of one category's benchmarks (circles public, "
        "triangles private test sets) and that category's smoothed gap with its 90% band, "
        "dotted and without a band across stretches with no datapoints. The heading gives the "
        "latest estimate and its band. "
        "All panels share both axes."
    )
    return Drawn(name, title, fig, caption, tooltips)


def _category_title(data: ReportData, category: str, series: str, own: pd.DataFrame) -> str:
    row = data.summary[data.summary["series"] == series]
    n = len(own)
    head = f"{category.replace('_', ' ')}: {n} point{'s' if n != 1 else ''}"
    if row.empty or pd.isna(row["gap_months"].iloc[0]):
        return head + ", no estimate"
    r = row.iloc[0]
    return f"{head}, now {r.gap_months:.1f} mo [{r.ci_low:.1f}, {r.ci_high:.1f}]"


# ---- delay timelines -------------------------------------------------------------------

ROW_HEIGHT_IN = 0.27
REASON_CHARS = 92
PENDING_COLOUR = "#6a8fb8"


def short_reason(reason: str, limit: int = REASON_CHARS) -> str:
    """A reason cut to fit one line of the figure; the hover has it all.

    Reasons read "what: why" ("below the validity floor 0.30 (...): the first crossers...");
    the "what" is the part a row needs. Short prefixes ("untested model: ...") are kept whole.
    """
    text = " ".join(str(reason).split())
    head, colon, _ = text.partition(": ")
    if colon and len(head) >= 24:
        text = head
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def present(value: Any) -> bool:
    """A cell that holds something (not None, NaN or NaT)."""
    return value is not None and not (not isinstance(value, str) and pd.isna(value))


def row_note(row: Any) -> str:
    """The words at the right of a timeline row: who crossed, how long it waits, or why not."""
    if row.status == "pending":
        return f"waiting {row.months_pending:.1f} months since {row.closed_name}"
    if not present(row.first_closed_date) and present(row.first_open_date):
        return f"open first: {row.open_name}; no closed model has reached it"
    if bool(row.accepted):
        return f"{row.closed_name} → {row.open_name}"
    return short_reason(str(row.reason))


def row_tooltip(row: Any, benchmark: str) -> str:
    """Hover text of a timeline row: benchmark, threshold, both models and dates, verdict."""
    threshold = format_threshold(row.threshold, row.scale)
    lines = [f"{benchmark}, threshold {threshold}"]
    if present(row.first_closed_date):
        lines.append(
            f"first closed model: {row.closed_name}, released {day(row.first_closed_date)}"
        )
    else:
        lines.append("no closed model has reached it")
    if present(row.first_open_date):
        lines.append(f"first open model: {row.open_name}, released {day(row.first_open_date)}")
        if present(row.gap_months):
            lines.append(f"gap: {row.gap_months:.1f} months")
    elif present(row.months_pending):
        lines.append(f"no open model yet: waiting {row.months_pending:.1f} months")
    else:
        lines.append("no open model yet")
    verdict = "accepted" if bool(row.accepted) else "not accepted"
    lines.append(f"{verdict}: {row.reason}")
    return "\n".join(lines)


def delay_timeline(data: ReportData, benchmark_id: str) -> Panel:
    """Figure 4: one benchmark's thresholds, first closed and first open release, the gap."""
    rows = data.crossings[data.crossings["benchmark_id"] == benchmark_id]
    catalog = data.benchmarks[data.benchmarks["benchmark_id"] == benchmark_id]
    label = str(catalog["name"].iloc[0]) if len(catalog) else benchmark_id
    name, title = f"timeline-{benchmark_id}", f"Delay timeline: {label}"
    if rows.empty:
        loaded = bool(catalog["is_loaded"].iloc[0]) if len(catalog) else False
        why = "" if loaded else " (its file is not in the current bundle)"
        return Notice(
            name, title, f"No threshold of {label} has been crossed{why}: nothing to draw."
        )
    rows = rows.sort_values("threshold").reset_index(drop=True)
    as_of = to_num(data.as_of) if data.as_of else None
    height = ROW_HEIGHT_IN * len(rows) + 1.1
    fig = Figure(figsize=(11.5, height))
    fig.subplots_adjust(left=0.07, right=0.52, top=1 - 0.42 / height, bottom=0.5 / height)
    ax = fig.add_subplot()
    tooltips: dict[str, str] = {}
    previous_reason = None
    for y, row in enumerate(rows.itertuples(index=False)):
        note = row_note(row)
        rejected = not bool(row.accepted) and row.status != "pending"
        # the full reasons are compared: two different ones may share their shortened start
        same = rejected and row.reason == previous_reason
        shown = "(same reason as the row below)" if same else note
        previous_reason = row.reason if rejected else None
        text = row_tooltip(row, label)
        for gid in _timeline_row(ax, row, y, as_of, f"{name}-row-{y}", shown):
            tooltips[gid] = text
    _timeline_axes(ax, rows, as_of)
    ax.set_title(title, loc="left", fontsize=11)
    accepted = int(rows["accepted"].sum())
    pending = int((rows["status"] == "pending").sum())
    rejected = len(rows) - accepted - pending
    caption = (
        f"{len(rows)} thresholds: {accepted} accepted (bold), {rejected} rejected (grey, reason "
        f"at the right), {pending} still waiting for an open model (dashed arrow to the as-of "
        "date). Square: first closed model; circle: first open model; the bar between them is "
        "the gap, labelled in months. Hover a row for the full reason."
    )
    return Drawn(name, title, fig, caption, tooltips)


def uncrossed_benchmarks(data: ReportData) -> Panel:
    """One sentence for the tracked benchmarks with no timeline, and why, instead of empty axes."""
    name, title = "timeline-none", "Tracked benchmarks without a timeline"
    crossed = set(data.crossings["benchmark_id"])
    missing = data.benchmarks[~data.benchmarks["benchmark_id"].isin(crossed)]
    if missing.empty:
        return Notice(name, title, "None: every tracked benchmark has a timeline above.")
    parts = [
        f"{r.name} ({'no threshold crossed yet' if bool(r.is_loaded) else 'not in the bundle'})"
        for r in missing.itertuples(index=False)
    ]
    return Notice(name, title, "; ".join(parts) + ".")


def _timeline_axes(ax: Axes, rows: pd.DataFrame, as_of: float | None) -> None:
    """Threshold labels (bold when accepted), a date axis, and the as-of line."""
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(
        [format_threshold(t, s) for t, s in zip(rows["threshold"], rows["scale"], strict=True)],
        fontsize=8,
    )
    for tick, accepted in zip(ax.get_yticklabels(), rows["accepted"], strict=True):
        if bool(accepted):
            tick.set_fontweight("bold")
        else:
            tick.set_color("#777777")
    ax.set_ylim(-0.8, len(rows) - 0.4)
    dates = pd.concat([rows["first_closed_date"], rows["first_open_date"]]).dropna()
    low = to_num(dates.min())
    high = max(to_num(dates.max()), as_of or -math.inf)
    span = max(high - low, 90.0)
    # room on the right for the gap label of the newest row
    ax.set_xlim(low - 0.04 * span, high + 0.14 * span)
    date_axis(ax)
    ax.tick_params(axis="x", labelsize=8)
    ax.grid(axis="x", color="#eeeeee", linewidth=0.6)
    if as_of is not None:
        ax.axvline(as_of, color="#444444", linewidth=0.8, linestyle=":")
        ax.text(as_of, -0.75, "as of ", fontsize=7, color="#444444", va="bottom", ha="right")


def _timeline_row(
    ax: Axes, row: Any, y: int, as_of: float | None, gid: str, note: str
) -> list[str]:
    """Draw one threshold's row; returns the group ids of its artists (for hover texts)."""
    accepted = bool(row.accepted)
    pending = row.status == "pending" and present(row.first_closed_date)
    group: list[Any] = []
    if not pending and not (present(row.first_closed_date) and present(row.first_open_date)):
        # one side only (open led, or nothing): a lone marker, no gap to draw
        for date_, marker in ((row.first_closed_date, "s"), (row.first_open_date, "o")):
            if present(date_):
                group.append(ax.plot([to_num(date_)], [y], marker=marker, color=GREY)[0])
        return _finish_row(ax, group, y, gid, note, "#777777", "normal")
    closed = to_num(row.first_closed_date)
    if pending:
        end = as_of if as_of is not None else closed
        group.append(
            ax.annotate(
                "",
                xy=(end, y),
                xytext=(closed, y),
                arrowprops={
                    "arrowstyle": "-|>",
                    "color": PENDING_COLOUR,
                    "linewidth": 1.4,
                    "linestyle": (0, (4, 2)),
                    "shrinkA": 0,
                    "shrinkB": 0,
                },
            )
        )
        group.append(ax.plot([closed], [y], marker="s", color=CLOSED_COLOUR, markersize=6)[0])
        colour, weight = "#333333", "normal"
    else:
        opened = to_num(row.first_open_date)
        closed_c, open_c = (CLOSED_COLOUR, OPEN_COLOUR) if accepted else (GREY, GREY)
        colour, weight = ("#111111", "bold") if accepted else ("#777777", "normal")
        group.append(
            ax.plot(
                [closed, opened],
                [y, y],
                color="#9fb7d3" if accepted else "#cccccc",
                linewidth=3.2 if accepted else 2.0,
                solid_capstyle="butt",
                zorder=2,
            )[0]
        )
        group.append(ax.plot([closed], [y], marker="s", color=closed_c, markersize=6)[0])
        group.append(ax.plot([opened], [y], marker="o", color=open_c, markersize=6)[0])
        group.append(
            ax.annotate(
                f"{row.gap_months:.1f} mo",
                (max(closed, opened), y),
                xytext=(6, 0),
                textcoords="offset points",
                fontsize=7.5,
                fontweight=weight,
                color=colour,
                va="center",
                ha="left",
            )
        )
    return _finish_row(ax, group, y, gid, note, colour, weight)


def _finish_row(
    ax: Axes, group: list[Any], y: int, gid: str, note: str, colour: str, weight: str
) -> list[str]:
    """The row's note at the right, and a group id on each of its artists."""
    group.append(
        ax.text(
            1.02,
            y,
            note,
            transform=ax.get_yaxis_transform(),
            fontsize=7.5,
            fontweight=weight,
            color=colour,
            va="center",
            ha="left",
            clip_on=False,
        )
    )
    gids = [f"{gid}-{k}" for k in range(len(group))]
    for artist, artist_gid in zip(group, gids, strict=True):
        artist.set_gid(artist_gid)
    return gids


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
    ax.plot(
        dates,
        monthly["fitted_mean_lag_months"],
        color="#111111",
        linestyle="--",
        linewidth=1.4,
        label="least-squares line through the mean",
    )
    ax.axhline(0, color="#444444", linewidth=0.8)
    _zero_crossing(ax, data, dates)
    ax.set_ylabel("lag (months)")
    ax.grid(axis="y", color="#e5e5e5", linewidth=0.6)
    ax.tick_params(axis="x", labelbottom=False)
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
    ax.text(
        1.02, 0.62, "\n".join(_wrap(fit_note, 34)), transform=ax.transAxes, fontsize=8, va="top"
    )
    ax.set_title(title, loc="left", fontsize=12)
    count_ax.bar(dates, monthly["benchmarks"], width=20, color="#bbbbbb")
    count_ax.set_ylabel("benchmarks", fontsize=8)
    count_ax.tick_params(axis="y", labelsize=7)
    date_axis(count_ax)
    caption = (
        "Per month-end and tracked benchmark: how many months before that month the closed "
        "frontier first reached the best open score so far (0 when open leads). Boxes show "
        f"the spread across benchmarks, drawn for months with at least {MIN_SPREAD} of them; "
        "the bars below count the benchmarks behind each month. " + _early_note(monthly) + fit_note
    )
    return Drawn(name, title, fig, caption)


def _lag_boxes(ax: Axes, lag: pd.DataFrame) -> None:
    """One box per month with enough benchmarks for a spread to mean something."""
    counts = lag.groupby("month_end")["lag_months"].count()
    months = [m for m, n in counts.items() if n >= MIN_SPREAD]
    if not months:
        return
    positions = [to_num(m) for m in months]
    groups = [lag.loc[lag["month_end"] == m, "lag_months"].to_numpy(float) for m in months]
    ax.boxplot(
        groups,
        positions=positions,
        widths=18,
        patch_artist=True,
        manage_ticks=False,
        boxprops={"facecolor": "#dfe8f3", "edgecolor": "#7d98b8", "linewidth": 0.7},
        medianprops={"color": "#1b4f8a", "linewidth": 1.0},
        whiskerprops={"color": "#7d98b8", "linewidth": 0.7},
        capprops={"color": "#7d98b8", "linewidth": 0.7},
        flierprops={"marker": ".", "markersize": 3, "markeredgecolor": "#7d98b8"},
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
    """Say from when the mean rests on several benchmarks, not one or two."""
    enough = monthly[monthly["benchmarks"] >= MIN_SPREAD]
    if enough.empty or len(enough) == len(monthly):
        return ""
    first = pd.Timestamp(enough["month_end"].iloc[0]).strftime("%B %Y")
    return (
        f"Before {first} fewer than {MIN_SPREAD} benchmarks have an open score, so the mean "
        "(and the line fitted through it) rests on one or two benchmarks there. "
    )


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width)


def _fit_note(data: ReportData) -> str:
    if data.lag_trend.empty:
        return "No fitted line."
    t = data.lag_trend.iloc[0]
    slope = float(t.slope_months_per_year)
    direction = "falling" if slope < 0 else "rising"
    text = (
        f"Fitted line: {slope:+.2f} months per year ({direction}), R² {t.r_squared:.2f}, over "
        f"{int(t.months)} months."
    )
    if t.zero_lag_date is not None and not pd.isna(t.zero_lag_date):
        return text + f" It reaches zero on {day(t.zero_lag_date)}."
    return text + " It does not reach zero: the lag is not shrinking."
