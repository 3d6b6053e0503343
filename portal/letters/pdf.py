"""Admission and visa-invitation letters as A4 PDFs (fpdf2), with a verification QR code.

The layout is that of an official letter: letterhead, reference and date, addressee, title, the
text, the applicant's particulars as a table, the signatory. A bilingual letter prints each part
in English, then the same in the second language in a quieter tone, and still fits one page. The
verification block (the QR code of the public page, its address and the code) is the footer of
every page: it is what lets an embassy check a printout, and what a broker's fake cannot pass.

Why the text is placed line by line rather than with fpdf2's flowing ``multi_cell``: that
re-measures the line for every character it adds; measuring each word once is several times
faster, and the layout is fixed anyway. Rendering speed matters because a letter is rendered from
its snapshot on every download (bench/letters.py).
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, time

import segno
from fpdf import FPDF

from portal.letters import fonts
from portal.letters.content import LetterContent
from portal.letters.embedding import WholeFontOutput
from portal.letters.wording import Wording, compose, particulars

PAGE_WIDTH, PAGE_HEIGHT = 210.0, 297.0  # A4, mm
MARGIN = 20.0
TOP = 14.0
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
FOOTER_HEIGHT = 33.0  # the verification block, above the bottom margin
BOTTOM = 12.0
LABEL_WIDTH = 62.0  # the particulars table's first column
LABEL_SIZE, VALUE_SIZE = 8.0, 10.5  # pt
QR_SIZE = 25.0
# Any of the eight masks is valid and every reader decodes it; letting segno score all eight to
# pick the "best" (pure Python) takes longer than the rest of the letter, for no reader's gain.
QR_MASK = 0
PT = 25.4 / 72  # one point in mm
LEADING = 1.32  # line height / font size

INK = (25, 25, 25)
MUTED = (96, 96, 96)
ACCENT = (17, 50, 98)
RULE = (200, 200, 200)


class LetterDocument(FPDF):
    """A4 page in millimetres whose footer is the verification block."""

    def __init__(self, letter: LetterContent, wordings: tuple[Wording, ...], text: str):
        """``text``: every character the letter will print (it decides the fonts)."""
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.wordings = wordings
        self.prepared_fonts = fonts.install(self, text)
        self.qr_png = _qr_png(letter.verify_url)
        self.set_auto_page_break(False)
        self.set_margins(MARGIN, TOP, MARGIN)

    def footer(self) -> None:
        top = PAGE_HEIGHT - BOTTOM - FOOTER_HEIGHT
        _rule(self, top, RULE, 0.3)
        self.image(self.qr_png, MARGIN, top + 5.0, QR_SIZE, QR_SIZE)
        x = MARGIN + QR_SIZE + 6.0
        width = PAGE_WIDTH - MARGIN - x
        self.set_y(top + 5.0)
        for index, wording in enumerate(self.wordings):
            _lines(self, _wrap(self, wording.verify, width, 8.5), 8.5, "", _tone(index), x=x)
        self.set_y(self.get_y() + 1.5)
        for wording in self.wordings:
            _lines(self, _wrap(self, wording.genuine_only_if, width, 8.0), 8.0, "", MUTED, x=x)


def render_letter(letter: LetterContent) -> bytes:
    """The letter as a PDF, in its languages (English first). Needs an application context."""
    wordings = compose(letter)
    values = particulars(letter)
    pdf = LetterDocument(letter, wordings, _all_text(letter, wordings, values))
    _describe(pdf, letter, wordings[0])
    pdf.add_page()
    _letterhead(pdf, letter)
    _meta(pdf, wordings, letter.reference)
    _title(pdf, wordings)
    _body(pdf, wordings)
    _particulars(pdf, wordings, values)
    _signature(pdf, letter, wordings)
    return bytes(pdf.output(output_producer_class=WholeFontOutput))


def _all_text(letter: LetterContent, wordings: tuple[Wording, ...], values: tuple[str, ...]) -> str:
    parts = [letter.institution_name, letter.institution_address, letter.signatory_name,
             letter.signatory_title, *values]
    for wording in wordings:
        parts += [wording.title, wording.addressee, *wording.paragraphs, *wording.labels,
                  wording.reference_label, wording.date_label, wording.issued_on, wording.closing,
                  wording.verify, wording.genuine_only_if]
    return "".join(parts)


def _describe(pdf: FPDF, letter: LetterContent, wording: Wording) -> None:
    pdf.set_title(f"{wording.title} {letter.reference}")
    pdf.set_author(letter.institution_name)
    pdf.set_lang(letter.languages[0])
    # The issue date, not the moment of rendering: every download of a letter is the same file.
    pdf.set_creation_date(datetime.combine(letter.issued_on, time(), tzinfo=UTC))


# --- the parts of the page, top to bottom ---------------------------------------------------

def _letterhead(pdf: FPDF, letter: LetterContent) -> None:
    pdf.set_y(TOP)
    _paragraph(pdf, letter.institution_name, 15.0, "B", ACCENT)
    for line in letter.institution_address.splitlines():
        _paragraph(pdf, line, 9.0, "", MUTED)
    _rule(pdf, pdf.get_y() + 2.0, ACCENT, 0.6)
    pdf.set_y(pdf.get_y() + 5.5)


def _meta(pdf: FPDF, wordings: tuple[Wording, ...], reference: str) -> None:
    """Reference on the left, date of issue on the right; a line per language."""
    top = pdf.get_y()
    for index, wording in enumerate(wordings):
        size, style = (9.5, "B") if index == 0 else (8.5, "")
        _paragraph(pdf, f"{wording.reference_label}: {reference}", size, style, _tone(index))
    left_bottom = pdf.get_y()
    pdf.set_y(top)
    for index, wording in enumerate(wordings):
        size, style = (9.5, "B") if index == 0 else (8.5, "")
        _paragraph(pdf, f"{wording.date_label}: {wording.issued_on}", size, style, _tone(index), align="R")
    pdf.set_y(max(left_bottom, pdf.get_y()) + 5.0)
    for index, wording in enumerate(wordings):
        _paragraph(pdf, wording.addressee, 10.0 if index == 0 else 9.0, "B" if index == 0 else "", _tone(index))


def _title(pdf: FPDF, wordings: tuple[Wording, ...]) -> None:
    pdf.set_y(pdf.get_y() + 5.0)
    for index, wording in enumerate(wordings):
        _paragraph(pdf, wording.title, 15.0 if index == 0 else 11.5, "B" if index == 0 else "",
                   ACCENT if index == 0 else MUTED, align="C")
    pdf.set_y(pdf.get_y() + 4.0)


def _body(pdf: FPDF, wordings: tuple[Wording, ...]) -> None:
    """Each paragraph in English, then the same in the second language."""
    for number in range(len(wordings[0].paragraphs)):
        for index, wording in enumerate(wordings):
            _paragraph(pdf, wording.paragraphs[number], 10.5 if index == 0 else 9.5, "", _tone(index))
            pdf.set_y(pdf.get_y() + (1.2 if index + 1 < len(wordings) else 3.5))


def _particulars(pdf: FPDF, wordings: tuple[Wording, ...], values: tuple[str, ...]) -> None:
    pdf.set_y(pdf.get_y() + 1.0)
    _rule(pdf, pdf.get_y(), ACCENT, 0.4)
    for number, value in enumerate(values):
        _table_row(pdf, [wording.labels[number] for wording in wordings], value)
    pdf.set_y(pdf.get_y() + 6.0)


def _table_row(pdf: FPDF, labels: list[str], value: str) -> None:
    """The label (in each language) on the left, the value in bold on the right."""
    padding = 1.3
    label_lines = _wrap(pdf, " / ".join(labels), LABEL_WIDTH - 3.0, LABEL_SIZE)
    value_lines = _wrap(pdf, value, TEXT_WIDTH - LABEL_WIDTH, VALUE_SIZE, "B")
    height = max(len(label_lines) * _line_height(LABEL_SIZE), len(value_lines) * _line_height(VALUE_SIZE))
    height += 2 * padding
    _ensure_room(pdf, height)
    top = pdf.get_y()
    pdf.set_y(top + padding + 0.6)  # the smaller label sits on the value's baseline
    _lines(pdf, label_lines, LABEL_SIZE, "", MUTED, x=MARGIN)
    pdf.set_y(top + padding)
    _lines(pdf, value_lines, VALUE_SIZE, "B", INK, x=MARGIN + LABEL_WIDTH)
    pdf.set_y(top + height)
    _rule(pdf, top + height, RULE, 0.2)


def _signature(pdf: FPDF, letter: LetterContent, wordings: tuple[Wording, ...]) -> None:
    _ensure_room(pdf, 40.0)
    for index, wording in enumerate(wordings):
        _paragraph(pdf, wording.closing, 10.5 if index == 0 else 9.5, "", _tone(index))
    line_y = pdf.get_y() + 12.0
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.25)
    pdf.line(MARGIN, line_y, MARGIN + 60.0, line_y)
    pdf.set_y(line_y + 1.5)
    _paragraph(pdf, letter.signatory_name, 10.5, "B", INK)
    _paragraph(pdf, letter.signatory_title, 9.5, "", MUTED)
    _paragraph(pdf, letter.institution_name, 9.5, "", MUTED)


# --- drawing helpers ------------------------------------------------------------------------

def _tone(index: int) -> tuple[int, int, int]:
    """English in ink, the second language quieter."""
    return INK if index == 0 else MUTED


def _line_height(size: float) -> float:
    return size * PT * LEADING


def _ensure_room(pdf: FPDF, height: float) -> None:
    """A new page when ``height`` would run into the verification block."""
    if pdf.get_y() + height > PAGE_HEIGHT - BOTTOM - FOOTER_HEIGHT - 3.0:
        pdf.add_page()  # y starts again at the top margin


def _paragraph(pdf: FPDF, text: str, size: float, style: str, color: tuple[int, int, int], *,
               x: float = MARGIN, width: float = TEXT_WIDTH, align: str = "L") -> None:
    """Wrapped text from the current y; y ends below it."""
    lines = _wrap(pdf, text, width, size, style)
    _ensure_room(pdf, len(lines) * _line_height(size))
    _lines(pdf, lines, size, style, color, x=x, width=width, align=align)


def _lines(pdf: FPDF, lines: list[str], size: float, style: str, color: tuple[int, int, int], *,
           x: float, width: float = 0.0, align: str = "L") -> None:
    pdf.set_font(fonts.FAMILY, style, size)
    pdf.set_text_color(*color)
    height = _line_height(size)
    y = pdf.get_y()
    for line in lines:
        offset = 0.0 if align == "L" else (width - _width(pdf, line)) / (2.0 if align == "C" else 1.0)
        pdf.text(x + offset, y + height * 0.76, line)  # baseline: the ascent within the line
        y += height
    pdf.set_y(y)


def _wrap(pdf: FPDF, text: str, width: float, size: float, style: str = "") -> list[str]:
    """Greedy word wrap, each word measured once; a word wider than the line is cut."""
    pdf.set_font(fonts.FAMILY, style, size)
    space = _width(pdf, " ")
    lines: list[str] = []
    words: list[str] = []
    used = 0.0
    for word in text.split():
        for piece in _pieces(pdf, word, width):
            piece_width = _width(pdf, piece)
            if words and used + space + piece_width > width:
                lines.append(" ".join(words))
                words, used = [], 0.0
            used += (space if words else 0.0) + piece_width
            words.append(piece)
    if words:
        lines.append(" ".join(words))
    return lines


def _pieces(pdf: FPDF, word: str, width: float) -> list[str]:
    """The word, or slices of it that fit the line (a long web address)."""
    if _width(pdf, word) <= width:
        return [word]
    pieces, start = [], 0
    for end in range(1, len(word) + 1):
        if _width(pdf, word[start:end]) > width and end - 1 > start:
            pieces.append(word[start:end - 1])
            start = end - 1
    return [*pieces, word[start:]]


def _width(pdf: FPDF, text: str) -> float:
    """Width in mm with the current font (FPDF.get_string_width runs the bidi algorithm on every call)."""
    return pdf.current_font.get_text_width(text, pdf.font_size_pt, None)[1] / pdf.k


def _rule(pdf: FPDF, y: float, color: tuple[int, int, int], thickness: float) -> None:
    pdf.set_draw_color(*color)
    pdf.set_line_width(thickness)
    pdf.line(MARGIN, y, PAGE_WIDTH - MARGIN, y)


def _qr_png(url: str) -> io.BytesIO:
    """The QR code as a small black-and-white PNG, four pixels a module (sharp at print size)."""
    image = io.BytesIO()
    segno.make(url, error="m", micro=False, mask=QR_MASK).save(image, kind="png", scale=4, border=0)
    return image
