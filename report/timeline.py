"""Figure 4, the delay timelines: per benchmark, each threshold's first closed and first open
model and the gap between them, written straight to SVG (report.sketch).

A timeline is laid out as a matplotlib axes would be (the same figure size, axes box, limits,
date ticks, fonts and alignments), so it reads like the other figures, at a fraction of the
drawing cost; its PNG is the same sketch drawn by matplotlib.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import pandas as pd

from report.data import ReportData
from report.figures import (
    CLOSED_COLOUR,
    GREY,
    MUTED_TEXT,
    OPEN_COLOUR,
    TEXT,
    Drawn,
    HoverArea,
    Notice,
    Panel,
    date_ticks,
    day,
    format_threshold,
    to_num,
    to_nums,
    wrap,
)
from report.sketch import Align, MarkerShape, Sketch, VerticalAlign

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


def row_note(row: Any, full: bool = False) -> str:
    """The words at the right of a timeline row: who crossed, how long it waits, or why not.

    full: the whole reason, in the benchmark's units (wrapped by the figure, never cut).
    """
    if row.status == "pending":
        return f"waiting {row.months_pending:.1f} months since {row.closed_name}"
    if not present(row.first_closed_date) and present(row.first_open_date):
        return f"open first: {row.open_name}; no closed model has reached it"
    if bool(row.accepted):
        return f"{row.closed_name} → {row.open_name}"
    if full:
        return readable_reason(str(row.reason), row.scale)
    return short_reason(str(row.reason))


FLOOR_NUMBER = re.compile(r"((?:validity floor|threshold) )(\d+(?:\.\d+)?)")


def readable_reason(reason: str, scale: Any) -> str:
    """A reason with its floor in the benchmark's units: 'validity floor 30.31%', not 0.3031."""
    text = " ".join(reason.split())
    if scale == "fraction":
        text = FLOOR_NUMBER.sub(
            lambda m: m.group(1) + format_threshold(float(m.group(2)), scale), text
        )
    return text


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
    # in the benchmark's units, as the note beside the row says it: "threshold 50%", not 0.5
    lines.append(f"{verdict}: {readable_reason(str(row.reason), row.scale)}")
    return "\n".join(lines)


NOTE_CHARS = 80
NOTE_LINE_SPACING = 1.15


def note_runs(notes: list[str], rejected: list[bool]) -> list[tuple[int, int]]:
    """(first, last) rows of each run of consecutive rejected rows with the same note.

    Other rows are runs of one: their notes name models, which differ row by row.
    """
    runs: list[tuple[int, int]] = []
    for i, note in enumerate(notes):
        if runs and rejected[i] and rejected[runs[-1][0]] and notes[runs[-1][0]] == note:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def timeline_finding(label: str, records: Sequence[Any]) -> str:
    """One sentence: accepted gaps, their median and range, and what still waits."""
    gaps = [float(row.gap_months) for row in records if bool(row.accepted)]
    pending = [row for row in records if row.status == "pending"]
    parts = [f"{label}: {len(gaps)} accepted datapoint{'s' if len(gaps) != 1 else ''}"]
    if gaps:
        parts[0] += (
            f", median gap {statistics.median(gaps):.1f} months "
            f"(from {min(gaps):.1f} to {max(gaps):.1f})"
        )
    if pending:
        longest = max(float(row.months_pending) for row in pending)
        parts.append(
            f"{len(pending)} threshold{'s' if len(pending) != 1 else ''} still pending, the "
            f"longest for {longest:.1f} months"
        )
    else:
        parts.append("nothing pending")
    return "; ".join(parts) + "."


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


# the figure's geometry, in inches, fractions of its width and points: the axes box and
# matplotlib's default tick, title and font settings, as the other figures are drawn with
FIGURE_WIDTH_IN = 11.5
AXES_LEFT, AXES_RIGHT = 0.07, 0.52
TOP_MARGIN_IN, BOTTOM_MARGIN_IN = 0.42, 0.5
TICK_LENGTH, TICK_PAD, TICK_WIDTH = 3.5, 3.5, 0.8
TITLE_PAD = 6.0
FRAME_WIDTH = 0.8
INK = "#000000"
GRID_COLOUR, GRID_WIDTH = "#eeeeee", 0.6
MARKER_SIZE = 6.0
# the pending arrow: dashes of 4 and 2 line widths; a head 4 points long and 4 wide
ARROW_WIDTH = 1.4
ARROW_HEAD_LENGTH, ARROW_HEAD_HALF_WIDTH = 4.0, 2.0
GAP_LABEL_OFFSET = 6.0  # points right of a bar's end
AS_OF_COLOUR = FLOOR_COLOUR = "#444444"


@dataclass(frozen=True)
class Frame:
    """Where a timeline's axes lie on the sketch (points from its top left) and the data
    range they show: x in day numbers, y in rows (row 0 at the bottom)."""

    left: float
    right: float
    top: float
    bottom: float
    x_low: float
    x_high: float
    y_low: float
    y_high: float

    def x(self, day_number: float) -> float:
        return self.left + (day_number - self.x_low) / (self.x_high - self.x_low) * (
            self.right - self.left
        )

    def y(self, row: float) -> float:
        return self.bottom - (row - self.y_low) / (self.y_high - self.y_low) * (
            self.bottom - self.top
        )

    def across(self, fraction: float) -> float:
        """x of a fraction of the axes' width (1.0 is its right edge)."""
        return self.left + fraction * (self.right - self.left)


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
    # the rows as plain tuples, read once: a row-by-row pandas lookup costs more than a draw;
    # with their dates as day numbers, converted all at once
    records = list(
        rows.assign(
            closed_day=to_nums(rows["first_closed_date"]), open_day=to_nums(rows["first_open_date"])
        ).itertuples(index=False)
    )
    notes = [row_note(row, full=True) for row in records]
    runs = note_runs(notes, [not bool(row.accepted) for row in records])
    wrapped = {start: wrap(notes[start], NOTE_CHARS) for start, _ in runs}
    # rows grow when a run's wrapped reason needs more lines than its rows hold (two each)
    stretch = max(len(wrapped[start]) / (2 * (end - start + 1)) for start, end in runs)
    height = ROW_HEIGHT_IN * max(1.0, stretch) * len(records) + 1.1
    sketch = Sketch(FIGURE_WIDTH_IN * 72, height * 72)
    frame = _frame(sketch, records, as_of)
    marks = TimelineMarks()
    tooltips: dict[str, str] = {}
    for y, row in enumerate(records):
        _timeline_row(frame, row, y, as_of, marks)
        # one hover target per row, over all of it: one tooltip, not one per mark
        tooltips[f"{name}-row-{y}"] = row_tooltip(row, label)
    for start, end in runs:
        first = records[start]
        _run_note(frame, marks, start, end, wrapped[start], bool(first.accepted), first.status)
    _floor_line(frame, marks, records)
    _axes(frame, marks, records, as_of)
    marks.texts.append(Label(frame.left, frame.top - TITLE_PAD, title, 11.0, INK))
    marks.draw(sketch, frame)
    accepted = sum(bool(row.accepted) for row in records)
    pending = sum(row.status == "pending" for row in records)
    rejected = len(records) - accepted - pending
    caption = (
        f"{len(records)} thresholds: {accepted} accepted (bold), {rejected} rejected (grey, "
        "reason at the right, once per run of rows that share it), "
        f"{pending} still waiting for an open model (dashed arrow to the as-of date). "
        "Square: first closed model; circle: first open model; the bar between them is the "
        "gap, labelled in months; the dashed line is the validity floor. Hover or focus a row "
        "for its models, dates and verdict."
    )
    areas = row_areas(sketch, frame, name, len(records))
    finding = timeline_finding(label, records)
    return Drawn(name, title, sketch, caption, tooltips, finding, areas=areas)


def _frame(sketch: Sketch, records: Sequence[Any], as_of: float | None) -> Frame:
    """The axes box and its limits: every date in view with room on the right for the
    newest row's gap label, half a row above the top row and below the bottom one."""
    dates = [
        day_number
        for row in records
        for day_number in (row.closed_day, row.open_day)
        if not math.isnan(day_number)
    ] or [as_of if as_of is not None else 0.0]  # no row dated (not seen): the as-of date alone
    low = min(dates)
    high = max(max(dates), as_of if as_of is not None else -float("inf"))
    span = max(high - low, 90.0)
    return Frame(
        left=AXES_LEFT * sketch.width,
        right=AXES_RIGHT * sketch.width,
        top=TOP_MARGIN_IN * 72,
        bottom=sketch.height - BOTTOM_MARGIN_IN * 72,
        x_low=low - 0.04 * span,
        x_high=high + 0.14 * span,
        y_low=-0.8,
        y_high=len(records) - 0.4,
    )


def row_areas(sketch: Sketch, frame: Frame, name: str, rows: int) -> tuple[HoverArea, ...]:
    """Row y's hover area (id name-row-y): the axes' full width, from y - 0.5 to y + 0.5, in
    fractions of the figure from its lower left corner."""

    def fraction(y: float) -> float:
        return 1 - frame.y(y) / sketch.height

    return tuple(
        HoverArea(
            f"{name}-row-{y}",
            frame.left / sketch.width,
            fraction(y - 0.5),
            frame.right / sketch.width,
            fraction(y + 0.5),
        )
        for y in range(rows)
    )


class Label(NamedTuple):
    """A text to write, with Sketch.text's arguments."""

    x: float
    y: float
    text: str
    size: float
    colour: str
    bold: bool = False
    align: Align = "left"
    valign: VerticalAlign = "baseline"
    linespacing: float | None = None


@dataclass
class TimelineMarks:
    """A timeline's shapes, gathered row by row and written in matplotlib's drawing order:
    grid and ticks, bars, lines, markers (squares before circles), the frame, texts."""

    under: list[tuple[list[float], list[float], str, float]] = field(default_factory=list)
    bars: dict[tuple[str, float], tuple[list[float], list[float]]] = field(default_factory=dict)
    # lines over the bars: x, y, colour, width, dashes
    lines: list[tuple[list[float], list[float], str, float, tuple[float, float] | None]] = field(
        default_factory=list
    )
    heads: list[tuple[float, float]] = field(default_factory=list)  # arrow tips
    markers: dict[tuple[MarkerShape, str], tuple[list[float], list[float]]] = field(
        default_factory=dict
    )
    texts: list[Label] = field(default_factory=list)

    def bar(self, start: float, end: float, y: float, colour: str, width: float) -> None:
        xs, ys = self.bars.setdefault((colour, width), ([], []))
        xs.extend((start, end, float("nan")))
        ys.extend((y, y, float("nan")))

    def marker(self, x: float, y: float, shape: MarkerShape, colour: str) -> None:
        xs, ys = self.markers.setdefault((shape, colour), ([], []))
        xs.append(x)
        ys.append(y)

    def draw(self, sketch: Sketch, frame: Frame) -> None:
        for xs, ys, colour, width in self.under:
            sketch.line(xs, ys, colour, width)
        for (colour, width), (xs, ys) in self.bars.items():
            sketch.line(xs, ys, colour, width)
        for xs, ys, colour, width, dashes in self.lines:
            sketch.line(xs, ys, colour, width, dashes)
        for x, y in self.heads:
            sketch.arrow_head(
                x, y, ARROW_HEAD_LENGTH, ARROW_HEAD_HALF_WIDTH, PENDING_COLOUR, ARROW_WIDTH
            )
        for (shape, colour), (xs, ys) in sorted(
            self.markers.items(), key=lambda item: item[0][0] != "s"
        ):
            sketch.markers(shape, xs, ys, MARKER_SIZE, colour)
        left, right, top, bottom = frame.left, frame.right, frame.top, frame.bottom
        sketch.line(
            [left, right, right, left, left], [bottom, bottom, top, top, bottom], INK, FRAME_WIDTH
        )
        for label in self.texts:
            sketch.text(*label)


def _timeline_row(
    frame: Frame, row: Any, y: int, as_of: float | None, marks: TimelineMarks
) -> None:
    """One threshold's row: its markers, the gap bar or the pending arrow."""
    accepted = bool(row.accepted)
    level = frame.y(y)
    has_closed, has_open = not math.isnan(row.closed_day), not math.isnan(row.open_day)
    pending = row.status == "pending" and has_closed
    if not pending and not (has_closed and has_open):
        # one side only (open led, or nothing): a lone marker, no gap to draw
        if has_closed:
            marks.marker(frame.x(row.closed_day), level, "s", GREY)
        if has_open:
            marks.marker(frame.x(row.open_day), level, "o", GREY)
        return
    closed = frame.x(row.closed_day)
    if pending:
        end = frame.x(as_of) if as_of is not None else closed
        tip = end - ARROW_WIDTH / 2  # the head's outline ends at the as-of line
        if tip - closed > ARROW_HEAD_LENGTH:
            dashes = (4 * ARROW_WIDTH, 2 * ARROW_WIDTH)
            shaft = [closed, tip - ARROW_HEAD_LENGTH]
            marks.lines.append((shaft, [level, level], PENDING_COLOUR, ARROW_WIDTH, dashes))
            marks.heads.append((tip, level))
        marks.marker(closed, level, "s", CLOSED_COLOUR)
        return
    opened = frame.x(row.open_day)
    closed_c, open_c = (CLOSED_COLOUR, OPEN_COLOUR) if accepted else (GREY, GREY)
    colour = TEXT if accepted else MUTED_TEXT
    marks.bar(closed, opened, level, "#9fb7d3" if accepted else "#cccccc", 3.2 if accepted else 2.0)
    marks.marker(closed, level, "s", closed_c)
    marks.marker(opened, level, "o", open_c)
    marks.texts.append(
        Label(
            max(closed, opened) + GAP_LABEL_OFFSET,
            level,
            f"{row.gap_months:.1f} mo",
            7.5,
            colour,
            accepted,
            "left",
            "center",
        )
    )


def _run_note(
    frame: Frame,
    marks: TimelineMarks,
    start: int,
    end: int,
    lines: list[str],
    accepted: bool,
    status: str,
) -> None:
    """A run's note at the right, centred on its rows, with a bracket when it spans several."""
    colour = TEXT if accepted or status == "pending" else MUTED_TEXT
    if end > start:
        near, far = frame.across(1.012), frame.across(1.017)
        low, high = frame.y(start - 0.3), frame.y(end + 0.3)
        marks.lines.append(([near, far, far, near], [low, low, high, high], MUTED_TEXT, 0.8, None))
    marks.texts.append(
        Label(
            frame.across(1.025),
            frame.y((start + end) / 2),
            "\n".join(lines),
            7.0,
            colour,
            accepted,
            "left",
            "center",
            NOTE_LINE_SPACING,
        )
    )


def _floor_line(frame: Frame, marks: TimelineMarks, records: Sequence[Any]) -> None:
    """A dashed line between the last threshold below the validity floor and the first above."""
    floors = [float(row.validity_floor) for row in records if present(row.validity_floor)]
    if not floors:
        return
    value = floors[0]
    below = sum(float(row.threshold) < value - 1e-9 for row in records)
    if below == 0 or below == len(records):
        return
    level = frame.y(below - 0.5)
    marks.lines.append(([frame.left, frame.right], [level, level], FLOOR_COLOUR, 0.9, (4.5, 2.7)))
    marks.texts.append(
        Label(
            frame.across(0.995),
            frame.y(below - 0.5 + 0.08),
            f"validity floor {format_threshold(value, records[0].scale)}",
            7.0,
            FLOOR_COLOUR,
            False,
            "right",
            "bottom",
        )
    )


def _axes(frame: Frame, marks: TimelineMarks, records: Sequence[Any], as_of: float | None) -> None:
    """Threshold labels (bold when accepted), date ticks with grid lines, the as-of line."""
    for y, row in enumerate(records):
        level = frame.y(y)
        marks.under.append(
            ([frame.left - TICK_LENGTH, frame.left], [level, level], INK, TICK_WIDTH)
        )
        accepted = bool(row.accepted)
        marks.texts.append(
            Label(
                frame.left - TICK_LENGTH - TICK_PAD,
                level,
                format_threshold(row.threshold, row.scale),
                8.0,
                INK if accepted else MUTED_TEXT,
                accepted,
                "right",
                "center_baseline",
            )
        )
    locations, labels = date_ticks(frame.x_low, frame.x_high)
    for location, text in zip(locations, labels, strict=True):
        x = frame.x(location)
        marks.under.insert(0, ([x, x], [frame.top, frame.bottom], GRID_COLOUR, GRID_WIDTH))
        marks.under.append(([x, x], [frame.bottom, frame.bottom + TICK_LENGTH], INK, TICK_WIDTH))
        marks.texts.append(
            Label(x, frame.bottom + TICK_LENGTH + TICK_PAD, text, 8.0, INK, False, "center", "top")
        )
    if as_of is not None:
        x = frame.x(as_of)
        # matplotlib's dotted style: dots of one line width, 1.65 apart
        marks.lines.insert(0, ([x, x], [frame.top, frame.bottom], AS_OF_COLOUR, 0.8, (0.8, 1.32)))
        marks.texts.append(
            Label(x, frame.y(-0.75), "as of ", 7.0, AS_OF_COLOUR, False, "right", "bottom")
        )
