"""The gap charts' datapoints and pending triangles: one artist draws them all, each in its own
SVG group (the group id its hover text is keyed by).

A chart has hundreds of these marks and each needs its own group, so each used to be a Line2D
of one point: its construction (properties, clip path, cached paths) and its drawing cost
about a third of a gap chart's time. This artist keeps a plain list and draws every mark
through the renderer's own marker call, in the same group, clip, colours and edge as that
Line2D, so the SVG and the PNG come out the same, byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Real
from typing import Any, cast

import matplotlib.colors as mcolors
import matplotlib.transforms as transforms
from matplotlib.artist import Artist
from matplotlib.markers import MarkerStyle
from matplotlib.path import Path


@dataclass(frozen=True)
class Mark:
    """One marker at (x, y) in data units, shifted sideways by shift points."""

    gid: str
    x: float
    y: float
    shift: float
    marker: str
    size: float  # points across
    face: str
    edge: str
    edge_width: float


class PointMarks(Artist):
    """Single markers, each drawn in a group of its own; add it to an axes with add_artist."""

    def __init__(self, zorder: float) -> None:
        super().__init__()
        self.set_zorder(zorder)
        self.marks: list[Mark] = []

    def add(self, mark: Mark) -> None:
        self.marks.append(mark)
        self.stale = True

    def draw(self, renderer: Any) -> None:
        if not self.get_visible() or self.axes is None:
            return
        figure = self.axes.get_figure(root=True)
        assert figure is not None  # added to an axes on a figure
        data = self.axes.transData
        styles: dict[str, MarkerStyle] = {}
        for mark in self.marks:
            style = styles.setdefault(mark.marker, MarkerStyle(mark.marker))
            place = (
                data
                if mark.shift == 0
                else data + transforms.ScaledTranslation(mark.shift / 72, 0, figure.dpi_scale_trans)
            )
            renderer.open_group("line2d", mark.gid)
            gc = renderer.new_gc()
            if self.get_clip_on():  # the axes' box, as add_artist set it
                box = self.get_clip_box()
                if box is not None:
                    gc.set_clip_rectangle(box)
                gc.set_clip_path(self.get_clip_path())
            gc.set_url(None)
            gc.set_linewidth(mark.edge_width)
            gc.set_antialiased(True)
            gc.set_foreground(mcolors.to_rgba(mark.edge), isRGBA=True)
            snap = style.get_snap_threshold()
            if isinstance(snap, Real):
                snap = renderer.points_to_pixels(mark.size) >= snap
            gc.set_snap(snap)
            gc.set_joinstyle(style.get_joinstyle())
            gc.set_capstyle(style.get_capstyle())
            size = renderer.points_to_pixels(mark.size)
            renderer.draw_markers(
                gc,
                style.get_path(),
                # an Affine2D (a frozen copy), which its stubs call a Transform
                cast(transforms.Affine2D, style.get_transform()).scale(size),
                Path([[mark.x, mark.y]]),
                place.frozen(),
                mcolors.to_rgba(mark.face),
            )
            gc.restore()
            renderer.close_group("line2d")
        self.stale = False
