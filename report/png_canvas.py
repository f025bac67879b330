"""PNG through Agg with each text drawn as one bitmap: the nightly publish draws every figure
as a PNG too, and matplotlib 3.11's Agg draws text glyph by glyph.

For every glyph, matplotlib 3.11 sets the font's size again, moves its transform and renders
that glyph alone: on the 2026-04-19 report that is some 24,000 renderings, about 2 s of the
4.6 s of CPU its PNGs cost. WholeTextRenderer lays a text out once, renders it into one bitmap
and pastes that (what Agg did up to matplotlib 3.10). Sizes, positions and alignment stay
matplotlib's own; the pixels differ only where a glyph sat a fraction of a pixel apart. Math
text is drawn by matplotlib's own path.
"""

from __future__ import annotations

from math import cos, radians, sin
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag


class WholeTextRenderer(RendererAgg):
    """RendererAgg drawing each plain text as one bitmap."""

    def draw_text(
        self,
        gc: Any,
        x: float,
        y: float,
        s: str,
        prop: Any,
        angle: float,
        ismath: bool | str = False,
        mtext: Any = None,
    ) -> None:
        if ismath:
            super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)  # type: ignore[no-untyped-call]
            return
        font = self._prepare_font(prop)  # type: ignore[no-untyped-call]
        # unrotated: draw_text_image turns the bitmap
        font.set_text(s, 0, flags=get_hinting_flag())  # type: ignore[no-untyped-call]
        font.draw_glyphs_to_bitmap(antialiased=gc.get_antialiased())
        # the bitmap's origin, from the text's baseline point (x, y; y runs down the image)
        descent = font.get_descent() / 64
        left, top = (offset / 64 for offset in font.get_bitmap_offset())
        column = round(x + left + descent * sin(radians(angle)))
        row = round(y + top + descent * cos(radians(angle)))
        self._renderer.draw_text_image(font.get_image(), column, row + 1, angle, gc)


class WholeTextCanvas(FigureCanvasAgg):
    """FigureCanvasAgg with WholeTextRenderer. Attach it with WholeTextCanvas(figure); then
    savefig(..., format="png") draws through it."""

    def get_renderer(self) -> RendererAgg:
        width, height = self.get_width_height(physical=True)
        key = width, height, self.figure.dpi
        if self._lastKey != key:
            self.renderer = WholeTextRenderer(  # type: ignore[no-untyped-call]
                width, height, self.figure.dpi
            )
            self._lastKey = key
        renderer: RendererAgg = self.renderer
        return renderer
