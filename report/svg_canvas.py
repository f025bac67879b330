"""An SVG canvas that measures each distinct text once per process, not once per figure.

matplotlib lays out every text by measuring it with FreeType (width, height, descent: about
12 µs a character), and caches the result per renderer only. Every saved figure gets a new
renderer, so the date ticks, thresholds and notes that recur across the report's figures were
measured again in each: measuring was a sixth of the drawing CPU. A measurement depends only
on the string, its font properties and whether it is math text, so one process-wide cache
returns the very numbers FreeType gives, and the SVG is the same byte for byte.

A text the report draws for the first time is measured from a per-glyph table instead of
FreeType's text layout (libraqm), when every character is a plain left-to-right one the font
holds: each distinct glyph's advance and vertical extent are read once, each pair's kerning
once, and the sums are the integers the layout returns (tested against it). The layout spent
about 11 µs a character shaping each string anew; the long reasons of the delay timelines made
that a tenth of a report's CPU.

The same goes for a font's line metrics (ascent, descent and line gap from its OS/2 or hhea
table), which matplotlib reads anew for every text it lays out: a few thousand table reads
per report for a handful of fonts.
"""

from __future__ import annotations

import functools
import unicodedata
from typing import IO, Any, Literal

import matplotlib
from matplotlib.backends.backend_mixed import MixedModeRenderer
from matplotlib.backends.backend_svg import FigureCanvasSVG, RendererSVG
from matplotlib.font_manager import FontPath, FontProperties, fontManager, get_font
from matplotlib.ft2font import FT2Font, LoadFlags
from matplotlib.textpath import TextToPath

# every distinct (text, font) of a report is a few hundred entries; bounded all the same
CACHED_TEXTS = 16384

_MEASURE = TextToPath()
# the resolution a figure is laid out at while saved as SVG (points: print_svg sets it)
SVG_DPI = 72
# where matplotlib's text layout reads a font's line metrics, in its order of preference
LINE_METRIC_TABLES = (
    ("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
    ("hhea", "lineGap", "ascent", "descent"),
)


@functools.lru_cache(maxsize=CACHED_TEXTS)
def text_metrics(
    text: str, font: FontProperties, ismath: bool | Literal["TeX"]
) -> tuple[float, float, float]:
    """Width, height and descent of text in points, as the SVG renderer measures it."""
    simple = None if ismath else simple_text_metrics(text, font)
    if simple is not None:
        return simple
    width, height, descent = _MEASURE.get_text_width_height_descent(text, font, ismath)
    return float(width), float(height), float(descent)


# characters laid out one after the other with no shaping: the printable ASCII and Latin-1
# ones but the soft hyphen (the layout gives it no width) and the typographic marks the
# report writes; others go to FreeType's layout
SIMPLE_CHARACTERS = frozenset(
    [chr(c) for c in range(0x20, 0x7F)]
    + [chr(c) for c in range(0xA0, 0x100) if c != 0xAD]
    + list("‐‑–—‘’“”•…′″←↑→↓−×÷±≈≠≤≥·°")
)


def simple_text_metrics(text: str, font: FontProperties) -> tuple[float, float, float] | None:
    """What TextToPath measures for text, from per-glyph and per-pair tables; None when text
    needs FreeType's own layout: empty, other characters, a glyph the font lacks (a fallback
    font draws it), or two characters the font joins into one glyph (a ligature: fi in bold).

    As the layout sums it, at TextToPath's size: the width is the pen's advance (glyph
    advances plus each pair's kerning, which the layout itself gives once per pair), the
    height and descent the glyphs' vertical extent about the baseline.
    """
    if not text or not SIMPLE_CHARACTERS.issuperset(text):
        return None
    face, glyphs, pairs = _face(font)
    found = _text_glyphs(text, face, glyphs)
    if found is None:
        return None
    pen, previous, previous_advance = 0, "", 0
    for character, (advance, _, _) in zip(text, found, strict=True):
        if previous:
            pair = previous + character
            if pair not in pairs:
                pairs[pair] = _kerning(face, pair, previous_advance)
            kerning = pairs[pair]
            if kerning is None:
                return None
            pen += kerning
        pen += advance
        previous, previous_advance = character, advance
    low, high = min(glyph[1] for glyph in found), max(glyph[2] for glyph in found)
    scale = font.get_size_in_points() / TextToPath.FONT_SCALE
    width, height, descent = pen / 64.0, (high - low) / 64.0, -low / 64.0
    return width * scale, height * scale, descent * scale


def text_extent(text: str, font: FontProperties) -> tuple[float, float]:
    """Ascent and descent of a non-empty text in points, as text_metrics gives them (height -
    descent, descent), for a caller that needs no width: a plain text's glyph extents are
    read from the per-glyph table without laying out its pairs (the kerning moves glyphs
    sideways only). Two characters the font would join into a ligature count as their own
    glyphs here, a hair's difference at most; other texts are measured as text_metrics does.
    """
    extent = _glyph_extent(text, font) if SIMPLE_CHARACTERS.issuperset(text) else None
    if extent is None:
        _, height, descent = text_metrics(text, font, False)
        return height - descent, descent
    return extent


def _glyph_extent(text: str, font: FontProperties) -> tuple[float, float] | None:
    face, glyphs, _ = _face(font)
    found = _text_glyphs(text, face, glyphs)
    if found is None:
        return None
    low, high = min(glyph[1] for glyph in found), max(glyph[2] for glyph in found)
    # the very arithmetic of simple_text_metrics, so the floats are the same
    scale = font.get_size_in_points() / TextToPath.FONT_SCALE
    height, descent = (high - low) / 64.0 * scale, -low / 64.0 * scale
    return height - descent, descent


def _text_glyphs(
    text: str, face: FT2Font, glyphs: dict[str, tuple[int, int, int] | None]
) -> list[tuple[int, int, int]] | None:
    """Each character's (advance, bottom, top), read from the table (filled on first use);
    None when the font lacks one of them."""
    found = []
    for character in text:
        if character not in glyphs:
            glyphs[character] = _glyph(face, character)
        glyph = glyphs[character]
        if glyph is None:
            return None
        found.append(glyph)
    return found


def _face(
    font: FontProperties,
) -> tuple[FT2Font, dict[str, tuple[int, int, int] | None], dict[str, int | None]]:
    """font's face at TextToPath's size, and its glyph and pair tables."""
    face = get_font(_font_files(font))
    face.set_size(TextToPath.FONT_SCALE, TextToPath.DPI)
    glyphs, pairs = _tables(face.fname, matplotlib.rcParams["text.hinting_factor"])
    return face, glyphs, pairs


@functools.lru_cache(maxsize=CACHED_TEXTS)
def _font_files(font: FontProperties) -> list[FontPath]:
    """The font files matplotlib draws font with (a lookup that costs more than measuring a
    short text), once per font; callers never change a font they pass (text_metrics copies)."""
    return fontManager._find_fonts_by_props(font)


@functools.cache
def _tables(
    fname: str, hinting_factor: int
) -> tuple[dict[str, tuple[int, int, int] | None], dict[str, int | None]]:
    """Per font file (and the hinting factor its size was set with), filled as texts need
    them: character -> (advance, bottom, top) in 26.6 units, None when the font lacks it;
    two characters -> the kerning between them, None when the font joins them."""
    return {}, {}


def _glyph(face: FT2Font, character: str) -> tuple[int, int, int] | None:
    index = face.get_char_index(ord(character))
    if index == 0 or unicodedata.combining(character):
        return None
    glyph = face.load_glyph(index, flags=LoadFlags.NO_HINTING)
    _, bottom, _, top = glyph.bbox
    return int(glyph.horiAdvance), int(bottom), int(top)


def _kerning(face: FT2Font, pair: str, first_advance: int) -> int | None:
    """The pen's move between a pair's two characters beyond the first's advance, as
    FreeType's layout places the pair; None when it draws them as other than two glyphs."""
    positions = face.set_text(pair, 0.0, flags=LoadFlags.NO_HINTING)
    if len(positions) != 2:
        return None
    return int(positions[1][0]) - first_advance


@functools.lru_cache(maxsize=CACHED_TEXTS)
def font_height_metrics(font: FontProperties) -> tuple[float | None, float | None, float]:
    """Minimum ascent, minimum descent and line gap of a font at SVG_DPI, in points.

    As matplotlib's text layout computes them from the font's tables when a renderer does
    not give them (the same expression, so the same floats); (None, None, 0) when the font
    has neither table, which makes matplotlib measure "lp" instead, as it would anyway.
    """
    face = get_font(fontManager._find_fonts_by_props(font))
    for table_name, gap_key, ascent_key, descent_key in LINE_METRIC_TABLES:
        table = face.get_sfnt_table(table_name)  # type: ignore[call-overload]
        if table is None:
            continue
        fontsize = font.get_size_in_points()
        units_per_em = face.get_sfnt_table("head")["unitsPerEm"]  # type: ignore[index]
        scale = 1 / units_per_em * fontsize * SVG_DPI / 72
        line_gap = table[gap_key] * scale
        min_ascent = table[ascent_key] * scale
        min_descent = -table[descent_key] * scale
        return float(min_ascent), float(min_descent), float(line_gap)
    return None, None, 0.0


class MeasuredOnceRenderer(RendererSVG):
    """RendererSVG whose text measurements and font line metrics come from process-wide
    caches."""

    def _get_font_height_metrics(
        self, prop: FontProperties
    ) -> tuple[float | None, float | None, float]:
        """What matplotlib's text layout asks a renderer for before reading the font itself
        (a hook of its own PDF and PS renderers): the same numbers, read once per font."""
        return font_height_metrics(prop.copy())

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
        figure.dpi = SVG_DPI  # SVG is in points; print_figure puts the figure's dpi back after
        width, height = figure.get_size_inches()
        vector = MeasuredOnceRenderer(  # type: ignore[no-untyped-call]
            width * SVG_DPI, height * SVG_DPI, filename, image_dpi=dpi, metadata=metadata
        )
        renderer = MixedModeRenderer(  # type: ignore[no-untyped-call]
            figure, width, height, dpi, vector, bbox_inches_restore=bbox_inches_restore
        )
        figure.draw(renderer)  # type: ignore[arg-type]  # it stands in for the renderer
        renderer.finalize()
