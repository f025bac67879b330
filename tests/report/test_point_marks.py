"""One PointMarks artist draws what one Line2D per point drew: the same SVG and PNG bytes.

Made-up points (not report data), with and without a sideways shift, in three marker shapes.
"""

from __future__ import annotations

import io

import matplotlib
import matplotlib.transforms as transforms
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from report.point_marks import Mark, PointMarks

MARKS = [
    Mark("made-up-pt-0", 1.0, 2.0, 0.0, "o", 7.0, "#0072B2", "#1a1a1a", 0.6),
    Mark("made-up-pt-1", 1.0, 2.0, 6.0, "*", 10.5, "#D55E00", "#1a1a1a", 0.6),
    Mark("made-up-pending-0", 3.0, 4.5, -3.5, "^", 6.5, "#ffffff", "#009E73", 1.4),
    Mark("made-up-pt-2", 9.0, 1.0, 0.0, "o", 7.0, "#CC79A7", "#1a1a1a", 0.6),  # clipped
]


def figure(batched: bool) -> Figure:
    fig = Figure(figsize=(4, 3))
    ax = fig.add_subplot()
    ax.set_xlim(0, 5)
    ax.set_ylim(0, 5)
    if batched:
        marks = PointMarks(zorder=5)
        for mark in MARKS:
            marks.add(mark)
        ax.add_artist(marks)
        return fig
    for mark in MARKS:  # the way the gap charts drew them before
        shifted = transforms.offset_copy(ax.transData, fig=fig, x=mark.shift, units="points")
        ax.add_artist(
            Line2D(
                [mark.x],
                [mark.y],
                marker=mark.marker,
                markersize=mark.size,
                markerfacecolor=mark.face,
                markeredgecolor=mark.edge,
                markeredgewidth=mark.edge_width,
                linestyle="none",
                zorder=5,
                gid=mark.gid,
                transform=ax.transData if mark.shift == 0 else shifted,
            )
        )
    return fig


def saved(fig: Figure, form: str) -> bytes:
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "point-marks", "svg.fonttype": "none"}):
        fig.savefig(buffer, format=form, metadata={"Date": None} if form == "svg" else None)
    return buffer.getvalue()


def test_one_artist_draws_the_same_svg_and_png_as_a_line_per_point() -> None:
    svg = saved(figure(batched=True), "svg")
    assert svg == saved(figure(batched=False), "svg")
    for mark in MARKS:
        assert f'<g id="{mark.gid}">'.encode() in svg  # each mark in a group of its own
    assert saved(figure(batched=True), "png") == saved(figure(batched=False), "png")
