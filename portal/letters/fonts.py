"""The letters' typeface: DejaVu Sans and DejaVu Sans Bold from ``fonts/``, never the system's.

Why more than ``FPDF.add_font``: fpdf2 parses the TrueType file for every document and subsets it
with fontTools when the PDF is written. DejaVu Sans has 6,000 glyphs (Latin, Greek, Cyrillic,
Arabic, symbols ...): the two fonts would cost about 100 ms a letter. Here the work is done once
per process:

1. each font is reduced to ``REPERTOIRE`` (every Latin letter of Azerbaijani, Turkish and the
   languages of Europe, Cyrillic, typographic punctuation): about 600 glyphs, 35 KB (21 KB
   deflated), without the layout tables (fpdf2 neither shapes Latin or Cyrillic text nor embeds
   them) or hinting;
2. fpdf2 parses the reduced font once (``TTFFont``: metrics and character map), and the font
   program is compressed once;
3. each document gets its own copy of the parsed font, with fresh per-document state, and the
   program is embedded whole (embedding.py), so no letter runs the subsetter.

A letter with a character outside the repertoire (a Vietnamese or Greek name) gets the complete
fonts, which fpdf2 subsets as usual: slower, still correct. Step 3 sets the per-document
attributes of fpdf2 2.8's ``TTFFont`` (those its own ``__deepcopy__`` treats as per-copy); when
fpdf2 is upgraded, tests/letters render, extract and compare the text, and will notice.
"""

from __future__ import annotations

import copy
import functools
import io
import zlib
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

from fontTools import subset as ft_subset
from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

FONT_DIR = Path(__file__).with_name("fonts")
FAMILY = "dejavu"
FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}  # fpdf2 style -> file
REPERTOIRE = frozenset(chain(
    range(0x0020, 0x007F),  # Basic Latin
    range(0x00A0, 0x0180),  # Latin-1 and Latin Extended-A
    (0x018F, 0x0259, 0x0218, 0x0219, 0x021A, 0x021B),  # Ə ə, Romanian Ș ș Ț ț
    (0x02BB, 0x02BC, 0x02C6, 0x02C7, 0x02D8, 0x02D9, 0x02DA, 0x02DB, 0x02DC, 0x02DD),  # ʻ ʼ and accents
    range(0x0400, 0x0460),  # Cyrillic: Russian, Ukrainian, Belarusian, Serbian, Bulgarian ...
    range(0x0490, 0x0500),  # Cyrillic: Kazakh, Kyrgyz, Tajik, Tatar, Azerbaijani, Mongolian ...
    range(0x2000, 0x2028),  # spaces, dashes, quotation marks, bullet, ellipsis
    (0x202F,),  # narrow no-break space (Babel's Russian dates: "14 июля 2026 г.")
    range(0x2030, 0x203B),  # per mille, guillemets
    (0x20AC, 0x20BC, 0x2116),  # euro, manat, numero sign
))
LINE_BREAKS = frozenset({0x09, 0x0A, 0x0D})


@dataclass(frozen=True)
class PreparedFont:
    parsed: TTFFont  # metrics and character map, shared read-only by every document
    program: bytes  # the TrueType file
    compressed: bytes | None  # the reduced program, deflated once; None: the complete font, subset per letter
    glyph_index: dict[str, int]  # glyph name -> glyph id in ``program``


def install(pdf: FPDF, text: str) -> dict[str, PreparedFont]:
    """Make the family ``FAMILY`` (regular and bold) available in ``pdf``, which will print ``text``;
    returns the prepared fonts by fpdf2 font key."""
    reduced = set(map(ord, text)) - LINE_BREAKS <= REPERTOIRE
    installed = {}
    for style in FILES:
        font = prepared(style, reduced)
        copied = _fresh_copy(font, index=len(pdf.fonts) + 1)
        pdf.fonts[copied.fontkey] = copied
        installed[copied.fontkey] = font
    return installed


@functools.cache
def prepared(style: str, reduced: bool) -> PreparedFont:
    """One font, read from ``fonts/``, reduced to ``REPERTOIRE`` (or not) and parsed: once per process."""
    program = (FONT_DIR / FILES[style]).read_bytes()
    if reduced:
        program = _reduce(program)
    parsed = TTFFont(FPDF(), io.BytesIO(program), f"{FAMILY}{style}", style)
    glyph_index = parsed.ttfont.getReverseGlyphMap()
    parsed.ttfont.close()  # every document opens its own copy of the program
    return PreparedFont(parsed, program, zlib.compress(program) if reduced else None, glyph_index)


def _reduce(program: bytes) -> bytes:
    options = ft_subset.Options(layout_features=[], glyph_names=False, hinting=False, notdef_outline=True)
    # Layout tables: fpdf2 neither shapes Latin or Cyrillic nor embeds them; gasp only serves hinting.
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "MATH", "FFTM", "gasp"]
    font = ttLib.TTFont(io.BytesIO(program), recalcTimestamp=False)
    subsetter = ft_subset.Subsetter(options)
    subsetter.populate(unicodes=REPERTOIRE)
    subsetter.subset(font)
    cmap = font["cmap"]
    cmap.tables = [table for table in cmap.tables if (table.platformID, table.platEncID) == (3, 1)]  # Windows Unicode
    reduced = io.BytesIO()
    font.save(reduced)
    return reduced.getvalue()


def _fresh_copy(font: PreparedFont, index: int) -> TTFFont:
    """A document's own font: the shared metrics, with fresh per-document state (see the module)."""
    copied = copy.copy(font.parsed)
    copied.i = index
    copied.ttfont = ttLib.TTFont(io.BytesIO(font.program), lazy=True, recalcTimestamp=False, recalcBBoxes=False)
    copied.desc = copy.copy(font.parsed.desc)  # the writer attaches the embedded font to it
    copied.subset = SubsetMap(copied)
    copied.missing_glyphs = []
    copied.biggest_size_pt = 0
    return copied
