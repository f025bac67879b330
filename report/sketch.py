"""A figure written straight to SVG: lines, markers, triangles and texts, placed in points.

The delay timelines are some twenty small figures made of these few shapes. Drawn through
matplotlib, each of their texts, lines and axes went through its artist machinery (property
setters, transforms, clip paths, layout), about 45 ms a timeline and a third of a report's
CPU; written directly they cost a few milliseconds. A sketch becomes a matplotlib figure only
when a PNG is asked for (--png, the nightly publish), so both files show the same drawing.

Coordinates are points from the top left corner, as in SVG. A text is placed by its baseline;
`Sketch.text` turns matplotlib's vertical alignments into baselines with the font's own
ascent and descent, as matplotlib's text layout does, so a sketched text sits where a
matplotlib text of the same alignment would.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Literal

from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon
from matplotlib.text import Text
from matplotlib.transforms import Affine2D, Transform

from report.svg_canvas import font_height_metrics, text_extent

Align = Literal["left", "center", "right"]
VerticalAlign = Literal["top", "center", "center_baseline", "baseline", "bottom"]
MarkerShape = Literal["s", "o"]  # a square, a circle
ANCHORS = {"left": "start", "center": "middle", "right": "end"}


@dataclass(frozen=True)
class Stroke:
    """How a line is drawn: colour, width in points, and a dash pattern in points."""

    colour: str
    width: float
    dashes: tuple[float, float] | None = None


@dataclass(frozen=True)
class Polyline:
    """Connected points; a NaN coordinate breaks the line, as in matplotlib."""

    xs: tuple[float, ...]
    ys: tuple[float, ...]
    stroke: Stroke


@dataclass(frozen=True)
class Markers:
    """Squares ("s") or circles ("o") of one size (points across) and colour, at points."""

    shape: MarkerShape
    xs: tuple[float, ...]
    ys: tuple[float, ...]
    size: float
    colour: str
    edge: float = 1.0  # outline width, in the fill colour (matplotlib's default marker edge)


@dataclass(frozen=True)
class Triangle:
    """A filled triangle (an arrow head), outlined in its colour with round corners."""

    points: tuple[tuple[float, float], tuple[float, float], tuple[float, float]]
    colour: str
    edge: float = 0.0


@dataclass(frozen=True)
class Words:
    """One line of text, by its baseline: anchor "left" starts there, "right" ends there."""

    x: float
    y: float
    text: str
    size: float
    colour: str
    bold: bool
    align: Align


Shape = Polyline | Markers | Triangle | Words


@dataclass
class Sketch:
    """A drawing of width x height points; shapes are drawn in the order they were added."""

    width: float
    height: float
    shapes: list[Shape] = field(default_factory=list)

    def line(
        self,
        xs: Sequence[float],
        ys: Sequence[float],
        colour: str,
        width: float,
        dashes: tuple[float, float] | None = None,
    ) -> None:
        self.shapes.append(Polyline(tuple(xs), tuple(ys), Stroke(colour, width, dashes)))

    def markers(
        self,
        shape: MarkerShape,
        xs: Sequence[float],
        ys: Sequence[float],
        size: float,
        colour: str,
    ) -> None:
        if xs:
            self.shapes.append(Markers(shape, tuple(xs), tuple(ys), size, colour))

    def arrow_head(
        self, x: float, y: float, length: float, half_width: float, colour: str, edge: float
    ) -> None:
        """A head pointing right, its tip at (x, y), outlined edge points wide."""
        corners = ((x, y), (x - length, y - half_width), (x - length, y + half_width))
        self.shapes.append(Triangle(corners, colour, edge))

    def text(
        self,
        x: float,
        y: float,
        text: str,
        size: float,
        colour: str,
        bold: bool = False,
        align: Align = "left",
        valign: VerticalAlign = "baseline",
        linespacing: float | None = None,
    ) -> None:
        """Text anchored at (x, y) as matplotlib anchors a text with ha=align, va=valign and
        linespacing (None: matplotlib's "normal"), its lines laid out as matplotlib lays them."""
        lines = text.split("\n")
        font = _font(size, bold)
        font_ascent, font_descent, gap = font_height_metrics(font)
        least_ascent = font_ascent if font_ascent is not None else 0.0
        least_descent = font_descent if font_descent is not None else 0.0
        gap = gap if len(lines) > 1 else 0.0
        extents = []  # each line's (ascent, descent) in the block
        for line in lines:
            ascent, descent = text_extent(line, font) if line else (0.0, 0.0)
            if linespacing is None:
                extents.append(
                    (max(ascent, least_ascent) + gap / 2, max(descent, least_descent) + gap / 2)
                )
            else:
                leading = linespacing * (least_ascent + least_descent) - (ascent + descent)
                extents.append((ascent + leading / 2, descent + leading / 2))
        baselines, depth = [], 0.0  # from the block's top
        for ascent, descent in extents:
            baselines.append(depth + ascent)
            depth += ascent + descent
        top = {
            "top": y,
            "center": y - depth / 2,
            "center_baseline": y - baselines[-1] / 2,
            "baseline": y - baselines[-1],
            "bottom": y - depth,
        }[valign]
        for line, baseline in zip(lines, baselines, strict=True):
            if line:
                self.shapes.append(Words(x, top + baseline, line, size, colour, bold, align))

    def svg(self) -> str:
        """The drawing as an SVG document (sized in points, as matplotlib writes its own)."""
        parts = [
            '<svg xmlns="http://www.w3.org/2000/svg" version="1.1" '
            f'width="{self.width:.2f}pt" height="{self.height:.2f}pt" '
            f'viewBox="0 0 {self.width:.2f} {self.height:.2f}">',
            f'<rect width="{self.width:.1f}" height="{self.height:.1f}" style="fill: #ffffff"/>',
        ]
        parts.extend(_svg_shape(shape) for shape in self.shapes)
        parts.append("</svg>")
        return "".join(parts)

    def figure(self) -> Figure:
        """The drawing as a matplotlib figure of the same size, for a PNG."""
        figure = Figure(figsize=(self.width / 72, self.height / 72))
        # points from the top left -> the figure's inches from its bottom left
        points = Affine2D().scale(1 / 72, -1 / 72).translate(0, self.height / 72)
        place = points + figure.dpi_scale_trans
        for shape in self.shapes:
            figure.add_artist(_artist(shape, place))
        return figure


@functools.cache
def _font(size: float, bold: bool) -> FontProperties:
    """The font of a sketched text: matplotlib's default family (never changed once made)."""
    return FontProperties(size=size, weight="bold" if bold else "normal")


def _number(value: float) -> str:
    return f"{value:.1f}"


def _path(xs: tuple[float, ...], ys: tuple[float, ...]) -> str:
    """SVG path data; a NaN point ends one run of segments and the next point starts another."""
    commands: list[str] = []
    move = True
    for x, y in zip(xs, ys, strict=True):
        if math.isnan(x) or math.isnan(y):
            move = True
            continue
        commands.append(f"{'M' if move else 'L'}{_number(x)} {_number(y)}")
        move = False
    return " ".join(commands)


def _svg_shape(shape: Shape) -> str:
    if isinstance(shape, Polyline):
        stroke = shape.stroke
        dashes = (
            f"; stroke-dasharray: {stroke.dashes[0]:.2f},{stroke.dashes[1]:.2f}"
            if stroke.dashes
            else ""
        )
        return (
            f'<path d="{_path(shape.xs, shape.ys)}" style="fill: none; stroke: {stroke.colour}; '
            f'stroke-width: {stroke.width:g}{dashes}"/>'
        )
    if isinstance(shape, Markers):
        style = (
            f'style="fill: {shape.colour}; stroke: {shape.colour}; stroke-width: {shape.edge:g}"'
        )
        half = shape.size / 2
        if shape.shape == "s":
            return "".join(
                f'<rect x="{_number(x - half)}" y="{_number(y - half)}" '
                f'width="{shape.size:g}" height="{shape.size:g}" {style}/>'
                for x, y in zip(shape.xs, shape.ys, strict=True)
            )
        return "".join(
            f'<circle cx="{_number(x)}" cy="{_number(y)}" r="{half:g}" {style}/>'
            for x, y in zip(shape.xs, shape.ys, strict=True)
        )
    if isinstance(shape, Triangle):
        points = " ".join(f"{_number(x)},{_number(y)}" for x, y in shape.points)
        return (
            f'<polygon points="{points}" style="fill: {shape.colour}; stroke: {shape.colour}; '
            f'stroke-width: {shape.edge:g}; stroke-linejoin: round"/>'
        )
    weight = "font-weight: 700; " if shape.bold else ""
    return (
        f'<text x="{_number(shape.x)}" y="{_number(shape.y)}" style="{weight}'
        f"font-size: {shape.size:g}px; text-anchor: {ANCHORS[shape.align]}; "
        f'fill: {shape.colour}">{escape(shape.text, quote=False)}</text>'
    )


def _artist(shape: Shape, place: Transform) -> Line2D | Polygon | Text:
    """The matplotlib artist that draws shape (place: points -> display)."""
    if isinstance(shape, Polyline):
        stroke = shape.stroke
        line = Line2D(
            shape.xs,
            shape.ys,
            color=stroke.colour,
            linewidth=stroke.width,
            solid_capstyle="butt",
            dash_capstyle="butt",
            transform=place,
        )
        if stroke.dashes:
            # points as given: matplotlib would scale a pattern by the line's width
            line.set_dashes([d / stroke.width for d in stroke.dashes])
        return line
    if isinstance(shape, Markers):
        return Line2D(
            shape.xs,
            shape.ys,
            linestyle="none",
            marker=shape.shape,
            markersize=shape.size,
            markeredgewidth=shape.edge,
            color=shape.colour,
            transform=place,
        )
    if isinstance(shape, Triangle):
        return Polygon(
            shape.points,
            closed=True,
            color=shape.colour,
            linewidth=shape.edge,
            joinstyle="round",
            transform=place,
        )
    return Text(
        shape.x,
        shape.y,
        shape.text,
        fontsize=shape.size,
        fontweight="bold" if shape.bold else "normal",
        color=shape.colour,
        ha=shape.align,
        va="baseline",
        transform=place,
    )
