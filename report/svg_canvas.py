"""An SVG canvas that measures each distinct text once per process, not once per figure.

matplotlib lays out every text by measuring it with FreeType (width, height, descent: about
12 µs a character), and caches the result per renderer only. Every saved figure gets a new
renderer, so the date ticks, thresholds and notes that recur across the report's figures were
measured again in each: measuring was a sixth of the drawing CPU. A measurement depends only
on the string, its font properties and whether it is math text, so one process-wide cache
returns the very numbers FreeType gives, and the SVG is the same byte for byte.
"""

from __future__ import annotations

import functools
from typing import IO, Any, Literal

from matplotlib.backends.backend_mixed import MixedModeRenderer
from matplotlib.backends.backend_svg import FigureCanvasSVG, RendererSVG
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

# every distinct (text, font) of a report is a few hundred entries; bounded all the same
CACHED_TEXTS = 16384

_MEASURE = TextToPath()


@functools.lru_cache(maxsize=CACHED_TEXTS)
def text_metrics(
    text: str, font: FontProperties, ismath: bool | Literal["TeX"]
) -> tuple[float, float, float]:
    """Width, height and descent of text in points, as the SVG renderer measures it."""
    width, height, descent = _MEASURE.get_text_width_height_descent(text, font, ismath)
    return float(width), float(height), float(descent)


class MeasuredOnceRenderer(RendererSVG):
    """RendererSVG whose text measurements come from the process-wide cache."""

    def get_text_width_height_descent(
        self, s: str, prop: FontProperties, ismath: Any
    ) -> tuple[float, float, float]:
        if ismath == "TeX":  # TeX measures it, by settings a cache key would not see
            width, height, descent = _MEASURE.get_text_width_height_descent(s, prop, ismath)
            return float(width), float(height), float(descent)
        # a copy: FontProperties is mutable and hashes by its current state
        return text_metrics(s, prop.copy(), ismath)


class MeasuredOnceCanvas(FigureCanvasSVG):
    """Saves a figure as SVG exactly as FigureCanvasSVG does, with MeasuredOnceRenderer.

    Attach it with MeasuredOnceCanvas(figure) and save as usual: savefig(stream, format="svg")
    uses it; other formats (PNG) still go to matplotlib's own canvas for them.
    """

    def print_svg(
        self,
        filename: IO[str],
        *,
        bbox_inches_restore: Any = None,
        metadata: dict[str, Any] | None = None,
        **settled: Any,
    ) -> None:
        """Draw into a text stream (the report keeps SVG in memory; files are not needed).

        settled: dpi, facecolor, edgecolor, orientation, which savefig passes to every print
        method and has already applied to the figure; FigureCanvasSVG ignores them too.
        """
        figure = self.figure
        dpi = figure.dpi
        figure.dpi = 72  # SVG is in points; print_figure puts the figure's dpi back after
        width, height = figure.get_size_inches()
        vector = MeasuredOnceRenderer(  # type: ignore[no-untyped-call]
            width * 72, height * 72, filename, image_dpi=dpi, metadata=metadata
        )
        renderer = MixedModeRenderer(  # type: ignore[no-untyped-call]
            figure, width, height, dpi, vector, bbox_inches_restore=bbox_inches_restore
        )
        figure.draw(renderer)  # type: ignore[arg-type]  # it stands in for the renderer
        renderer.finalize()
