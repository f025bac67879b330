"""The measured-once SVG canvas writes what matplotlib's own SVG canvas writes.

A small hand-made figure (not report data): plain, bold, multi-line, rotated and math texts,
a legend and ticks, each laid out from the measurements and font line metrics the canvas
caches.
"""

from __future__ import annotations

import io

import matplotlib
from matplotlib.figure import Figure

from report.svg_canvas import MeasuredOnceCanvas, font_height_metrics, text_metrics

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
