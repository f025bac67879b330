"""PNG through Agg with each text laid out once and drawn as one bitmap: the nightly publish
draws every figure as a PNG too, and matplotlib 3.11's Agg is slow at text.

For every glyph, matplotlib 3.11 sets the font's size again, moves its transform and renders
that glyph alone (some 24,000 renderings on the 2026-04-19 report), and it lays each text out
twice, once to measure it and once to draw it, at about 25 microseconds a character: together
most of the CPU its PNGs cost. WholeTextRenderer lays a text out once, renders it into one
bitmap and pastes that, as Agg did up to matplotlib 3.10; a text's layout and bitmap depend only
on its fonts, size, resolution and string (it is laid out at the origin and pasted at a whole
pixel), so each one is kept for the texts that repeat (tick labels, "as of", the same model
names) and for the drawing that follows its measuring. Sizes, positions and alignment stay
matplotlib's own; the pixels differ only where a glyph sat a fraction of a pixel apart. Math
text goes through matplotlib's own path.
"""

from __future__ import annotations

from functools import lru_cache
from math import cos, radians, sin
from typing import Any, NamedTuple

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.font_manager import fontManager, get_font
from matplotlib.ft2font import LoadFlags


class LaidOut(NamedTuple):
    """A text laid out at the origin: its bitmap and metrics, in pixels."""

    bitmap: np.ndarray
    width: float
    height: float
    descent: float
    left: float  # where the bitmap starts, from the origin
    top: float


@lru_cache(maxsize=4096)
def lay_out(
    fonts: tuple[Any, ...], size: float, dpi: float, text: str, flags: LoadFlags, antialiased: bool
) -> LaidOut:
    """The text in these fonts (the first, then its fallbacks), unrotated: draw_text_image
    turns the bitmap."""
    font = get_font(list(fonts))
    font.clear()
    font.set_size(size, dpi)
    font.set_text(text, 0.0, flags=flags)
    width, height = font.get_width_height()
    left, top = font.get_bitmap_offset()
    descent = font.get_descent()
    font.draw_glyphs_to_bitmap(antialiased=antialiased)
    bitmap = np.array(font.get_image())  # a copy: the font's own buffer is reused
    return LaidOut(bitmap, width / 64, height / 64, descent / 64, left / 64, top / 64)


def laid_out(prop: Any, dpi: float, text: str, antialiased: bool = True) -> LaidOut:
    fonts = tuple(fontManager._find_fonts_by_props(prop))
    flags: LoadFlags = get_hinting_flag()  # type: ignore[no-untyped-call]
    return lay_out(fonts, prop.get_size_in_points(), dpi, text, flags, antialiased)


class WholeTextRenderer(RendererAgg):
    """RendererAgg measuring and drawing each plain text from one layout, as one bitmap."""

    def get_text_width_height_descent(
        self, s: str, prop: Any, ismath: bool | str
    ) -> tuple[float, float, float]:
        if ismath:
            measured: tuple[float, float, float] = super().get_text_width_height_descent(  # type: ignore[no-untyped-call]
                s, prop, ismath
            )
            return measured
        text = laid_out(prop, self.dpi, s)
        return text.width, text.height, text.descent

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
        text = laid_out(prop, self.dpi, s, bool(gc.get_antialiased()))
        # the bitmap's corner, from the text's baseline point (x, y; y runs down the image)
        column = round(x + text.left + text.descent * sin(radians(angle)))
        row = round(y + text.top + text.descent * cos(radians(angle)))
        self._renderer.draw_text_image(text.bitmap, column, row + 1, angle, gc)


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
