"""A sketch places its texts where matplotlib places them, and draws to SVG and PNG.

Hand-made shapes and strings, not report data: each text is laid out by Sketch.text and by a
matplotlib text of the same alignment on a figure of the same size, and the baselines of both
SVGs are compared.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import matplotlib
import pytest
from matplotlib.figure import Figure
from PIL import Image

from report.render import PNG_DPI, write_png
from report.sketch import Markers, Polyline, Sketch, Triangle, Words

WIDTH, HEIGHT = 400.0, 300.0
# matplotlib's SVG text: the anchor of a one-line text, the start of each line of several
ANCHORED = re.compile(r'<text[^>]*x="([-\d.]+)" y="([-\d.]+)"[^>]*>([^<]*)</text>')
LINE = re.compile(r'<text[^>]*transform="translate\(([-\d.]+) ([-\d.]+)\)[^"]*"[^>]*>([^<]*)<')


def matplotlib_baselines(
    text: str, size: float, bold: bool, align: str, valign: str, linespacing: float | None
) -> list[tuple[str, float, float]]:
    """(line, x, baseline) of each line as matplotlib writes the text anchored at (100, 150)
    on a WIDTH x HEIGHT point figure."""
    figure = Figure(figsize=(WIDTH / 72, HEIGHT / 72), dpi=72)
    figure.text(
        100 / WIDTH,
        1 - 150 / HEIGHT,
        text,
        fontsize=size,
        fontweight="bold" if bold else "normal",
        ha=align,
        va=valign,
        linespacing=linespacing,
    )
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        figure.savefig(buffer, format="svg")
    svg = buffer.getvalue()
    found = LINE.findall(svg) if "\n" in text else ANCHORED.findall(svg)
    return [(line, float(x), float(y)) for x, y, line in found]


def sketch_baselines(
    text: str, size: float, bold: bool, align: str, valign: str, linespacing: float | None
) -> list[tuple[str, float, float]]:
    sketch = Sketch(WIDTH, HEIGHT)
    sketch.text(100, 150, text, size, "#000000", bold, align, valign, linespacing)  # type: ignore[arg-type]
    return [(w.text, w.x, w.y) for w in sketch.shapes if isinstance(w, Words)]


@pytest.mark.parametrize("valign", ["top", "center", "center_baseline", "baseline", "bottom"])
@pytest.mark.parametrize(
    ("text", "size", "bold", "linespacing"),
    [
        ("8.4 mo", 7.5, True, None),
        ("validity floor 32.5%", 7.0, False, None),
        ("Sep '24", 8.0, False, None),
        ("gypsy jumped", 11.0, False, None),
        ("a reason in\ntwo lines, wrapped", 7.0, False, 1.15),
        ("three\nbold\nlines", 7.0, True, 1.15),
    ],
)
def test_text_sits_where_matplotlib_puts_it(
    text: str, size: float, bold: bool, linespacing: float | None, valign: str
) -> None:
    ours = sketch_baselines(text, size, bold, "left", valign, linespacing)
    theirs = matplotlib_baselines(text, size, bold, "left", valign, linespacing)
    assert [line for line, _, _ in ours] == [line for line, _, _ in theirs] == text.split("\n")
    for (_, x, y), (_, their_x, their_y) in zip(ours, theirs, strict=True):
        # matplotlib writes positions to 0.1 pt or finer; ours are exact
        assert x == pytest.approx(their_x, abs=0.06)
        assert y == pytest.approx(their_y, abs=0.06)


@pytest.mark.parametrize("align", ["left", "center", "right"])
def test_one_line_is_anchored_as_matplotlib_anchors_it(align: str) -> None:
    ours = sketch_baselines("2 min", 8.0, True, align, "center_baseline", None)
    theirs = matplotlib_baselines("2 min", 8.0, True, align, "center_baseline", None)
    assert ours[0][1:] == pytest.approx(theirs[0][1:], abs=0.06)
    anchor = {"left": "start", "center": "middle", "right": "end"}[align]
    sketch = Sketch(WIDTH, HEIGHT)
    sketch.text(100, 150, "2 min", 8.0, "#000000", align=align)  # type: ignore[arg-type]
    assert f"text-anchor: {anchor}" in sketch.svg()


def test_a_nan_breaks_a_line_and_shapes_keep_their_order() -> None:
    sketch = Sketch(WIDTH, HEIGHT)
    sketch.line([10, 20, float("nan"), 30, 40], [5, 5, float("nan"), 6, 6], "#123456", 2.0)
    sketch.markers("s", [10], [5], 6.0, "#1b4f8a")
    sketch.markers("o", [], [], 6.0, "#d95f02")  # nothing to draw: no shape
    sketch.arrow_head(50, 6, 4.0, 2.0, "#6a8fb8", 1.4)
    sketch.text(60, 6, "a < b & c", 7.0, "#1a1a1a")
    assert [type(s) for s in sketch.shapes] == [Polyline, Markers, Triangle, Words]
    svg = sketch.svg()
    assert 'd="M10.0 5.0 L20.0 5.0 M30.0 6.0 L40.0 6.0"' in svg
    assert '<rect x="7.0" y="2.0" width="6" height="6"' in svg
    assert 'points="50.0,6.0 46.0,4.0 46.0,8.0"' in svg
    assert ">a &lt; b &amp; c</text>" in svg
    assert svg.index("<path") < svg.index("<rect x=") < svg.index("<polygon") < svg.index("<text")


def test_the_same_sketch_becomes_a_png(tmp_path: Path) -> None:
    sketch = Sketch(WIDTH, HEIGHT)
    sketch.line([0, WIDTH], [HEIGHT / 2, HEIGHT / 2], "#ff0000", 4.0, (6.0, 3.0))
    sketch.markers("o", [WIDTH / 2], [HEIGHT / 4], 20.0, "#0000ff")
    sketch.arrow_head(WIDTH - 10, 30, 8.0, 4.0, "#00ff00", 1.0)
    sketch.text(10, HEIGHT - 10, "words", 12.0, "#000000", bold=True)
    path = write_png(sketch.figure(), tmp_path, "sketch")
    image = Image.open(path).convert("RGB")
    scale = PNG_DPI / 72
    assert image.size == (round(WIDTH * scale), round(HEIGHT * scale))
    # the circle is blue at its centre, the dashed line red where a dash starts (x = 0)
    assert image.getpixel((round(WIDTH / 2 * scale), round(HEIGHT / 4 * scale))) == (0, 0, 255)
    red = image.getpixel((2, round(HEIGHT / 2 * scale)))
    assert red[0] > 200 and red[1] < 60 and red[2] < 60
