"""Figures to files: an inline SVG (real text, one hover title per mark) and, on request, a PNG."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import matplotlib

# loaded here, before any drawing process is forked, so no child has to import them
from matplotlib.backends import backend_agg, backend_svg  # noqa: F401
from matplotlib.figure import Figure

from report.figures import Drawn, HoverArea
from report.png_canvas import WholeTextCanvas
from report.sketch import Sketch
from report.svg_canvas import SVG_DPI, MeasuredOnceCanvas

PNG_DPI = 110
# settings read while saving: text stays text (searchable, read by screen readers, a fifth of
# the bytes of glyph outlines); the page names DejaVu Sans first, matplotlib's own font
STYLE: dict[str, Any] = {"svg.fonttype": "none", "text.usetex": False}
SVG_ROOT = re.compile(r'<svg([^>]*?)\swidth="([\d.]+)pt"\s+height="([\d.]+)pt"')
PROLOGUE = re.compile(r"^.*?(?=<svg)", re.DOTALL)


@dataclass(frozen=True)
class Rendered:
    """One figure as the page embeds it (SVG text) and as a file (PNG path)."""

    name: str
    title: str
    caption: str
    svg: str
    png: Path | None
    finding: str = ""


def render(drawn: Drawn, directory: Path, png: bool = False) -> Rendered:
    """Return the SVG, and write the PNG when asked; the salt keeps ids unique on the page."""
    path = None
    if isinstance(drawn.figure, Sketch):
        text, width, height = drawn.figure.svg(), drawn.figure.width, drawn.figure.height
        if png:
            path = write_png(drawn.figure.figure(), directory, drawn.name)
    else:
        figure = drawn.figure
        settings: Any = {**STYLE, "svg.hashsalt": drawn.name}
        with matplotlib.rc_context(settings):
            buffer = io.StringIO()
            MeasuredOnceCanvas(figure)  # the figure's canvas from now on: see svg_canvas
            figure.savefig(buffer, format="svg", metadata={"Date": None})
            if png:
                path = write_png(figure, directory, drawn.name)
        text = buffer.getvalue()
        width, height = (float(size) for size in figure.get_size_inches() * SVG_DPI)
    svg = add_areas(inline(text), drawn.areas, width, height)
    svg = add_titles(svg, drawn.tooltips, drawn.marks)
    return Rendered(drawn.name, drawn.title, drawn.caption, svg, path, drawn.finding)


def write_png(figure: Figure, directory: Path, name: str) -> Path:
    """directory/name.png, at PNG_DPI."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.png"
    WholeTextCanvas(figure)  # the figure's canvas from now on: see png_canvas
    figure.savefig(
        path,
        format="png",
        dpi=PNG_DPI,
        metadata={"Software": None},
        # zlib level 3: files 2% larger than the default 6, written in a third less time
        pil_kwargs={"compress_level": 3},
    )
    return path


GEOMETRY = re.compile(r'(\s(?:d|x|y|x1|x2|y1|y2|width|height|transform|points)=")([^"]*)(")')
# the digits after a number's first decimal: dropped with a plain replacement, which the regex
# engine does in C (a group reference in the replacement costs a Python call per number)
LONG_DECIMAL = re.compile(r"(?<=\d\.\d)\d+")
BETWEEN_TAGS = re.compile(r">\s+<")
GROUP = re.compile(r'<g id="([^"]*)">')


def compact(svg: str) -> str:
    """Geometry to 0.1 pt (a tenth of a pixel on screen) and no indentation between tags.

    matplotlib writes six decimals of every coordinate; a page of figures is a third smaller
    without them. Only geometry attributes are touched: text and hover texts keep every digit.
    """
    svg = GEOMETRY.sub(lambda m: m.group(1) + LONG_DECIMAL.sub("", m.group(2)) + m.group(3), svg)
    return BETWEEN_TAGS.sub("><", svg)


def inline(svg: str) -> str:
    """Drop the XML prologue and let the SVG scale to the page width, keeping its ratio."""
    body = compact(PROLOGUE.sub("", svg, count=1))
    return SVG_ROOT.sub(
        lambda m: (
            f'<svg{m.group(1)} width="100%" '
            f'style="max-width:{float(m.group(2)) * 4 / 3:.0f}px;height:auto"'
        ),
        body,
        count=1,
    )


def add_areas(svg: str, areas: tuple[HoverArea, ...], width: float, height: float) -> str:
    """The hover areas as transparent rectangles, last in the SVG so they lie on top.

    Filled (at zero opacity), so a pointer hits them: a browser skips `fill: none` when it
    looks for what is under the pointer. width, height: the figure's size in points, the
    SVG's user units; y grows downwards in SVG, upwards in figure fractions.
    """
    if not areas:
        return svg
    rectangles = "".join(
        f'<g id="{escape(area.gid)}"><rect x="{area.left * width:.1f}" '
        f'y="{(1 - area.top) * height:.1f}" width="{(area.right - area.left) * width:.1f}" '
        f'height="{(area.top - area.bottom) * height:.1f}" '
        'style="fill: #ffffff; fill-opacity: 0"/></g>'
        for area in areas
    )
    end = svg.rindex("</svg>")
    return svg[:end] + rectangles + svg[end:]


def add_titles(
    svg: str, tooltips: dict[str, str], marks: dict[str, dict[str, str]] | None = None
) -> str:
    """Give each hover target its text: one SVG <title> per mark, focusable by keyboard.

    marks: per group id, data attributes (benchmark, access, ...) the page's filter reads.
    One pass over the SVG (a figure has hundreds of marks); a group id's first group only.
    """
    marks = marks or {}
    opening: dict[str, str] = {}
    for gid, text in tooltips.items():
        attributes = "".join(
            f' data-{key}="{escape(value)}"' for key, value in marks.get(gid, {}).items()
        )
        opening.setdefault(
            escape(gid),
            f'<g id="{escape(gid)}" class="mark" tabindex="0" role="img" '
            f'aria-label="{escape(text)}"{attributes}><title>{escape(text)}</title>',
        )

    def titled(match: re.Match[str]) -> str:
        return opening.pop(match.group(1), match.group(0))

    return GROUP.sub(titled, svg) if opening else svg
