"""The PNG canvas draws each text as one bitmap where matplotlib's own Agg puts its glyphs.

Hand-made figures, not report data: the same figure is saved by matplotlib's FigureCanvasAgg and
by WholeTextCanvas, and each text's ink is compared (where it sits, how much of it there is);
everything that is not text comes out pixel for pixel the same.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from report.png_canvas import WholeTextCanvas, lay_out
from report.render import PNG_DPI

# (x, y in figure fractions, text, rotation, horizontal alignment): far enough apart that each
# text's ink lies in its own window
TEXTS = [
    (0.10, 0.85, "Frontier lag (months)", 0, "left"),
    (0.90, 0.85, "right-aligned 0.35", 0, "right"),
    (0.50, 0.62, "centred, two\nlines of it", 0, "center"),
    (0.08, 0.30, "rotated ninety", 90, "center"),
    (0.40, 0.25, "thirty degrees", 30, "left"),
    (0.80, 0.30, r"math $\sigma^2$ too", 0, "center"),
]
WINDOW = 0.11  # half the side of the square (in figure widths) around each text's anchor


def saved(canvas: type[FigureCanvasAgg], texts: bool = True) -> np.ndarray:
    figure = Figure(figsize=(6, 4), dpi=PNG_DPI)
    # an axes with its spines, ticks and a line, and no tick labels (text)
    axes = figure.add_axes((0.3, 0.05, 0.3, 0.1))
    axes.plot([0, 1], [0, 1], color="#1f77b4")
    axes.tick_params(labelbottom=False, labelleft=False)
    if texts:
        for x, y, text, rotation, align in TEXTS:
            figure.text(x, y, text, rotation=rotation, ha=align, va="center", fontsize=11)
    canvas(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=PNG_DPI)
    return np.asarray(Image.open(buffer).convert("L"), dtype=np.float64)


def ink(image: np.ndarray, x: float, y: float) -> tuple[float, tuple[int, int, int, int]]:
    """How much ink the window around (x, y) holds, and the box of its inked pixels."""
    height, width = image.shape
    half = int(WINDOW * width)
    left, top = max(int(x * width) - half, 0), max(int((1 - y) * height) - half, 0)
    window = 255 - image[top : top + 2 * half, left : left + 2 * half]
    rows, columns = np.nonzero(window > 64)
    assert len(rows), f"no ink near ({x}, {y})"
    box = (left + columns.min(), top + rows.min(), left + columns.max(), top + rows.max())
    return float(window.sum()), box


@pytest.mark.parametrize(("x", "y", "text", "rotation", "align"), TEXTS)
def test_each_text_lands_where_matplotlib_draws_it(
    x: float, y: float, text: str, rotation: int, align: str
) -> None:
    own, whole = saved(FigureCanvasAgg), saved(WholeTextCanvas)
    assert own.shape == whole.shape
    own_ink, own_box = ink(own, x, y)
    whole_ink, whole_box = ink(whole, x, y)
    # glyphs may sit a pixel apart (matplotlib 3.11 places each at its sub-pixel position)
    assert max(abs(a - b) for a, b in zip(own_box, whole_box, strict=True)) <= 2, (
        own_box,
        whole_box,
    )
    assert whole_ink == pytest.approx(own_ink, rel=0.05)


def test_what_is_not_text_is_the_same_pixels() -> None:
    assert np.array_equal(saved(FigureCanvasAgg, texts=False), saved(WholeTextCanvas, texts=False))


def test_a_kept_layout_draws_the_same_pixels_as_a_fresh_one() -> None:
    lay_out.cache_clear()
    fresh = saved(WholeTextCanvas)
    assert lay_out.cache_info().currsize >= len(TEXTS) - 1  # the math text is not kept
    assert np.array_equal(saved(WholeTextCanvas), fresh)
