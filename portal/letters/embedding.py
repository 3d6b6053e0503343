"""Writing the letters' fonts into the PDF: whole, from a program prepared once per process.

Why not fpdf2's own way: it subsets every TrueType font with fontTools when the document is
written, and maps character codes to glyphs through a 128 KB table; for two fonts that is most of
the time a letter takes to render (about 20 of 30 ms). The reduced fonts (fonts.py) are small
enough to embed as they are, deflated once, so a letter writes only what is its own: which
character codes its text uses, their glyphs, widths and Unicode values (for copying and searching
the text), in the objects fpdf2 itself writes for a TrueType font (PDF 1.7, 9.7 and 9.10).
Documents that needed the complete fonts are written by fpdf2 as usual.

This is fpdf2 2.8's public ``output_producer_class`` hook, overriding its font step. tests/letters
extract the text of rendered letters, check that every character code draws the glyph of the
character it stands for, and read the QR codes: an fpdf2 upgrade that changes what this relies on
fails there.
"""

from __future__ import annotations

from typing import TypeVar

from fpdf.fonts import Glyph, SubsetMap, TTFFont
from fpdf.output import CIDSystemInfo, OutputProducer, PDFFont
from fpdf.syntax import Name, PDFArray, PDFContentStream, PDFObject

from portal.letters.fonts import PreparedFont

SUBSET_TAG = "DJVLTR"  # six capitals: the embedded font is a subset of DejaVu (PDF 1.7, 9.6.4)
CMAP_BLOCK = 100  # entries per bfchar block, the most a CMap block may hold
Used = list[tuple[int, Glyph]]  # (character code, glyph) for each character a document prints
Obj = TypeVar("Obj", bound=PDFObject)


class WholeFontOutput(OutputProducer):
    """fpdf2's writer, embedding the prepared fonts whole (``prepared_fonts`` on the document)."""

    def _add_fonts(self, *resources) -> dict[int, PDFFont]:
        prepared: dict[str, PreparedFont] = self.fpdf.prepared_fonts
        if any(font.compressed is None for font in prepared.values()):
            return super()._add_fonts(*resources)
        embedded = {font.i: self._embed(font, prepared[font.fontkey]) for font in self.fpdf.fonts.values()}
        # One cache serves every document's SubsetMap and would keep them all alive; fpdf2 clears it here too.
        SubsetMap.pick.cache_clear()
        SubsetMap.get_glyph.cache_clear()
        return embedded

    def _embed(self, font: TTFFont, prepared: PreparedFont) -> PDFFont:
        name = f"{SUBSET_TAG}+{font.name}"
        used = [(code, glyph) for glyph, code in font.subset.items() if glyph is not None]
        type0 = self._with_id(PDFFont(subtype="Type0", base_font=name, encoding="Identity-H"))
        cid_font = self._with_id(PDFFont(subtype="CIDFontType2", base_font=name, d_w=font.desc.missing_width,
                                         w=_widths(used)))
        type0.descendant_fonts = PDFArray([cid_font])
        type0.to_unicode = self._with_id(PDFContentStream(_to_unicode(used).encode("latin-1"), compress=True))
        cid_font.c_i_d_system_info = self._with_id(CIDSystemInfo())
        cid_font.font_descriptor = self._with_id(font.desc)  # the document's own copy (fonts.py)
        cid_font.font_descriptor.font_name = Name(name)
        cid_font.c_i_d_to_g_i_d_map = self._with_id(PDFContentStream(_glyph_map(used, prepared), compress=True))
        cid_font.font_descriptor.font_file2 = self._with_id(_font_file(prepared))
        return type0

    def _with_id(self, pdf_object: Obj) -> Obj:
        self._add_pdf_obj(pdf_object, "fonts")
        return pdf_object


def _font_file(prepared: PreparedFont) -> PDFContentStream:
    stream = PDFContentStream(prepared.compressed)
    stream.filter = Name("FlateDecode")
    stream.length1 = len(prepared.program)  # the program's own length, before deflation
    return stream


def _widths(used: Used) -> str:
    """The W array: each character code with its glyph's width."""
    return "[" + " ".join(f"{code} [{glyph.glyph_width}]" for code, glyph in sorted(used)) + "]"


def _glyph_map(used: Used, prepared: PreparedFont) -> bytes:
    """CIDToGIDMap: two bytes per character code, up to the highest code used."""
    table = bytearray(2 * (max(code for code, _glyph in used) + 1))
    for code, glyph in used:
        table[2 * code:2 * code + 2] = prepared.glyph_index[glyph.glyph_name].to_bytes(2, "big")
    return bytes(table)


def _to_unicode(used: Used) -> str:
    """The ToUnicode CMap: what each character code stands for."""
    entries = [f"<{code:04X}> <{''.join(chr(point).encode('utf-16-be').hex().upper() for point in glyph.unicode)}>\n"
               for code, glyph in sorted(used) if glyph.unicode]
    blocks = "".join(f"{len(entries[start:start + CMAP_BLOCK])} beginbfchar\n"
                     f"{''.join(entries[start:start + CMAP_BLOCK])}endbfchar\n"
                     for start in range(0, len(entries), CMAP_BLOCK))
    return ("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            "/CIDSystemInfo\n<</Registry (Adobe)\n/Ordering (UCS)\n/Supplement 0\n>> def\n"
            "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
            f"{blocks}endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend")
