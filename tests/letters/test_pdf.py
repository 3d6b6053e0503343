"""Letters as PDF, read back the way a person or an embassy reads them: the text extracted from the
page holds the applicant's data (Azerbaijani and Cyrillic names too), every character code draws
the glyph of the character it stands for, the QR code on the rendered page decodes to the
verification address, and a bilingual letter carries its second language."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date

import pypdfium2
import pytest
import zxingcpp
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from portal.letters import LetterContent, render_letter

CODE = "7KQ2-M8XD-4JNB-W0RT-HC9E"
URL = f"https://admission.example.edu/verify/{CODE}"
LETTER = LetterContent(
    kind="admission", code=CODE, verify_url=URL, issued_on=date(2026, 7, 14), reference="AMU-26-000123",
    surname="Məmmədova", given_names="Gülşən Ayşə", passport_number="C01234567", citizenship="Türkiyə",
    date_of_birth=date(2007, 3, 9), programme="Foundation Course (Medicine)", instruction_language="English",
    course_start=date(2026, 9, 15), institution_name="Azerbaijan Medical University",
    institution_address="23 Bakikhanov Street\nBaku AZ1022, Republic of Azerbaijan",
    signatory_name="Leyla Hüseynova", signatory_title="Head of the Admissions Office")
BFCHAR = re.compile(r"beginbfchar\n(.*?)endbfchar", re.S)
MAPPING = re.compile(r"<([0-9A-F]{4})> <([0-9A-F]+)>")


def pages(data: bytes) -> list[str]:
    """Each page's text, with line breaks and runs of spaces as single spaces."""
    return [" ".join(page.get_textpage().get_text_range().split()) for page in pypdfium2.PdfDocument(data)]


def text(data: bytes) -> str:
    return " ".join(pages(data))


def qr_codes(data: bytes, page: int = 0) -> list[str]:
    image = pypdfium2.PdfDocument(data)[page].render(scale=3).to_pil()
    return [barcode.text for barcode in zxingcpp.read_barcodes(image)]


def drawn_and_meant(data: bytes) -> list[tuple[str, str]]:
    """For each character code of each embedded font: (name of the glyph the code draws, name of the
    glyph the font's own cmap gives the character that ToUnicode says the code stands for)."""
    pairs = []
    for reference in PdfReader(io.BytesIO(data)).pages[0]["/Resources"]["/Font"].values():
        font = reference.get_object()
        cid_font = font["/DescendantFonts"][0].get_object()
        program = TTFont(io.BytesIO(cid_font["/FontDescriptor"]["/FontFile2"].get_object().get_data()))
        glyph_map = cid_font["/CIDToGIDMap"].get_object().get_data()
        to_unicode = font["/ToUnicode"].get_object().get_data().decode()
        cmap, order = program.getBestCmap(), program.getGlyphOrder()
        for block in BFCHAR.findall(to_unicode):
            for code_hex, unicode_hex in MAPPING.findall(block):
                code, char = int(code_hex, 16), bytes.fromhex(unicode_hex).decode("utf-16-be")
                if char != "\0":
                    glyph_id = int.from_bytes(glyph_map[2 * code:2 * code + 2], "big")
                    pairs.append((order[glyph_id], cmap.get(ord(char), f"missing {char!r}")))
    return pairs


def test_the_admission_letter_holds_the_applicants_data(ctx):
    data = render_letter(LETTER)
    assert data.startswith(b"%PDF-")
    found = text(data)
    for expected in ("Azerbaijan Medical University", "Admission letter", "To whom it may concern",
                     "Gülşən Ayşə Məmmədova", "is admitted to the Foundation Course (Medicine)",
                     "The course starts on September 15, 2026 and is taught in English.",
                     "Surname Məmmədova", "Given names Gülşən Ayşə", "Passport number C01234567",
                     "Citizenship Türkiyə", "Date of birth March 9, 2007", "Programme Foundation Course (Medicine)",
                     "Language of instruction English", "Course starts on September 15, 2026",
                     "Reference AMU-26-000123", "Date of issue: July 14, 2026", "Leyla Hüseynova",
                     "Head of the Admissions Office", f"Verify this letter at {URL} — code {CODE}"):
        assert expected in found
    assert "invite" not in found
    assert len(pypdfium2.PdfDocument(data)) == 1


def test_the_visa_invitation_asks_for_a_study_visa(ctx):
    found = text(render_letter(replace(LETTER, kind="visa_invitation")))
    for expected in ("Invitation for a study visa", "To the Embassy or Consulate of the Republic of Azerbaijan",
                     "invites Gülşən Ayşə Məmmədova", "to enter the Republic of Azerbaijan for study",
                     "Please issue the applicant a study visa", "Passport number C01234567",
                     "Citizenship Türkiyə", f"code {CODE}"):
        assert expected in found
    assert "Admission letter" not in found


@pytest.mark.parametrize("kind", ["admission", "visa_invitation"])
@pytest.mark.parametrize("languages", [("en",), ("en", "az"), ("en", "ru")])
def test_the_qr_code_reads_as_the_verification_address(ctx, kind, languages):
    assert qr_codes(render_letter(replace(LETTER, kind=kind, languages=languages))) == [URL]


def test_each_character_code_draws_the_glyph_of_its_character(ctx):
    data = render_letter(replace(LETTER, languages=("en", "ru"), surname="Ağayeva Ə", given_names="Мария Ёлкина"))
    pairs = drawn_and_meant(data)
    assert len(pairs) > 60
    assert [pair for pair in pairs if pair[0] != pair[1]] == []


def test_cyrillic_names_print(ctx):
    found = text(render_letter(replace(LETTER, surname="Иванова", given_names="Мария", citizenship="Россия")))
    assert "Surname Иванова" in found and "Given names Мария" in found and "Мария Иванова" in found
    assert "Citizenship Россия" in found


def test_a_name_beyond_the_usual_alphabets_gets_the_complete_font(ctx):
    data = render_letter(replace(LETTER, surname="Nguyễn", given_names="Thị Ánh Παπαδοπούλου"))
    found = text(data)
    assert "Surname Nguyễn" in found and "Thị Ánh Παπαδοπούλου" in found
    assert [pair for pair in drawn_and_meant(data) if pair[0] != pair[1]] == []
    assert qr_codes(data) == [URL]


def test_a_bilingual_letter_adds_the_second_language(ctx):
    english = text(render_letter(LETTER))
    azerbaijani = text(render_letter(replace(LETTER, languages=("en", "az"))))
    russian = text(render_letter(replace(LETTER, languages=("en", "ru"))))
    for bilingual, reference in ((azerbaijani, "Qeydiyyat nömrəsi: AMU-26-000123"), (russian, "Номер: AMU-26-000123")):
        assert english.count(reference) == 0
        assert bilingual.index("Reference: AMU-26-000123") < bilingual.index(reference)  # English first
        assert bilingual.count(URL) == english.count(URL) + 1  # the verification line in both languages
    for label in ("Surname / Soyad", "Passport number / Pasport nömrəsi", "Date of birth / Doğum tarixi"):
        assert label in azerbaijani and label not in english
    for label in ("Surname / Фамилия", "Passport number / Номер паспорта", "Date of birth / Дата рождения"):
        assert label in russian
    assert "15 sentyabr 2026" in azerbaijani and "14 iyul 2026" in azerbaijani  # dates in Azerbaijani
    assert "15 сентября 2026" in russian and "14 июля 2026" in russian
    assert "sentyabr" not in english


def test_the_english_part_stays_english_whatever_the_pages_language(app):
    with app.test_request_context(headers={"Accept-Language": "ru"}):
        found = text(render_letter(LETTER))
    assert "Admission letter" in found and "Фамилия" not in found and "сентября" not in found


def test_both_languages_fit_on_one_page(ctx):
    for kind in ("admission", "visa_invitation"):
        for second in ("az", "ru"):
            data = render_letter(replace(LETTER, kind=kind, languages=("en", second)))
            assert len(pypdfium2.PdfDocument(data)) == 1


def test_a_letter_too_long_for_a_page_goes_on_with_the_verification_on_each_page(ctx):
    address = "\n".join(f"Building {number}, Bakikhanov Street" for number in range(12))
    data = render_letter(replace(LETTER, institution_address=address, programme="Foundation Course " * 30,
                                 languages=("en", "az")))
    texts = pages(data)
    assert len(texts) == 2
    assert all(f"code {CODE}" in page for page in texts)
    assert "Leyla Hüseynova" in texts[1]
    assert qr_codes(data, page=1) == [URL]


def test_a_letter_renders_to_the_same_file_every_time(ctx):
    assert render_letter(LETTER) == render_letter(LETTER)


@pytest.mark.parametrize("changes", [{"kind": "certificate"}, {"languages": ("az",)}, {"languages": ("en", "de")},
                                     {"languages": ("en", "az", "ru")}, {"languages": ()}])
def test_content_refuses_what_no_letter_can_be(changes):
    with pytest.raises(ValueError):
        replace(LETTER, **changes)
