"""The measured-once SVG canvas writes what matplotlib's own SVG canvas writes.

A small hand-made figure (not report data): plain, bold, multi-line, rotated and math texts,
a legend and ticks, each laid out from the measurements and font line metrics the canvas
caches. And the per-glyph measurement gives FreeType's own numbers on made-up strings.
"""

from __future__ import annotations

import io
import itertools
import random

import matplotlib
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

from report.svg_canvas import (
    SIMPLE_CHARACTERS,
    MeasuredOnceCanvas,
    font_height_metrics,
    simple_text_metrics,
    text_extent,
    text_metrics,
)

SETTINGS = {"svg.fonttype": "none", "svg.hashsalt": "canvas-test"}


def made_up_figure() -> Figure:
    figure = Figure(figsize=(5, 3))
    ax = figure.add_subplot()
    ax.plot([0, 1, 2], [3, 1, 2], label="a line")
    ax.text(0.5, 2.5, "two\nlines", fontweight="bold", va="center", ha="left")
    ax.text(1.5, 1.5, "turned", rotation=30, fontsize=7)
    ax.set_title(r"math $\alpha^2$ and text", loc="left")
    ax.set_ylabel("value")
    ax.legend(title="legend")
    return figure


def svg(figure: Figure) -> str:
    buffer = io.StringIO()
    with matplotlib.rc_context(SETTINGS):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def test_same_svg_as_matplotlib_canvas_twice() -> None:
    expected = svg(made_up_figure())
    text_metrics.cache_clear()
    font_height_metrics.cache_clear()
    figure = made_up_figure()
    MeasuredOnceCanvas(figure)
    first = svg(figure)
    assert text_metrics.cache_info().misses > 0  # the cache did the measuring
    again = made_up_figure()
    MeasuredOnceCanvas(again)
    second = svg(again)  # every measurement from the cache now
    assert text_metrics.cache_info().hits > 0
    assert font_height_metrics.cache_info().hits > 0  # line metrics read once per font too
    assert first == expected
    assert second == expected


def test_png_still_saved_by_matplotlib() -> None:
    figure = made_up_figure()
    MeasuredOnceCanvas(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=40)
    assert buffer.getvalue().startswith(b"\x89PNG")


FONTS = (
    FontProperties(family="sans-serif", size=7),
    FontProperties(family="sans-serif", weight="bold", size=8),
    FontProperties(family="sans-serif", style="italic", size=11),
)


def test_simple_texts_measure_as_freetype_lays_them_out() -> None:
    """Random strings of the simple characters, and every triple of letters that kern or join,
    measure to the very floats of FreeType's layout, or are left to it."""
    rng = random.Random(7)
    alphabet = sorted(SIMPLE_CHARACTERS)
    corpus = [
        "".join(rng.choice(alphabet) for _ in range(rng.choice([1, 2, 5, 20, 80])))
        for _ in range(200)
    ]
    corpus += ["".join(t) for t in itertools.product("filTAVo. ", repeat=3)]
    measure = TextToPath()
    left_to_layout = 0
    for font in FONTS:
        for text in corpus:
            fast = simple_text_metrics(text, font)
            if fast is None:
                left_to_layout += 1
                continue
            laid_out = measure.get_text_width_height_descent(text, font, False)
            assert fast == tuple(float(v) for v in laid_out), (text, font)
    assert left_to_layout < len(corpus)  # most strings are measured from the tables


def test_what_the_tables_cannot_measure_goes_to_the_layout() -> None:
    plain, bold = FONTS[0], FONTS[1]
    assert simple_text_metrics("first", bold) is None  # DejaVu Sans Bold joins f and i
    assert simple_text_metrics("", plain) is None
    assert simple_text_metrics("soft\xadhyphen", plain) is None  # the layout gives it no width
    assert simple_text_metrics("模型", plain) is None  # not simple: another font draws it
    assert simple_text_metrics("e\u0301", plain) is None  # a combining accent
    assert simple_text_metrics("GPT-4o → Qwen2.5: 3.6 months", plain) is not None


def test_a_text_extent_is_its_measured_ascent_and_descent() -> None:
    """text_extent reads only glyph extents; without ligatures it gives text_metrics' own
    numbers (height - descent, descent), on random plain strings and on texts the layout
    measures (Greek, a combining accent)."""
    rng = random.Random(11)
    alphabet = sorted(SIMPLE_CHARACTERS)
    corpus = [
        "".join(rng.choice(alphabet) for _ in range(rng.choice([1, 3, 12, 60]))) for _ in range(150)
    ]
    corpus += ["Δ gap αβ", "e\u0301", "gypsy", "—", "°"]
    for font in FONTS:
        for text in corpus:
            _, height, descent = text_metrics(text, font, False)
            assert text_extent(text, font) == (height - descent, descent), (text, font)
