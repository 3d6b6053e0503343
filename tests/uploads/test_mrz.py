"""The passport MRZ reader: ICAO 9303 arithmetic, real Tesseract on generated passport pages
(bench/passport_samples.py, the OCR-B font of fonts-ocr-b), and the comparison with what the
applicant typed. A few scans only: bench/mrz.py measures the reader on many."""

from __future__ import annotations

import io
import json
import random
import time
from dataclasses import replace
from datetime import date

import numpy as np
import pytest
from PIL import Image

from bench.passport_samples import TODAY, mrz_line1, mrz_line2, sample
from bench.quality import text_pdf
from portal.uploads.mrz import (
    FieldCheck,
    MrzReading,
    TypedPassport,
    checks_from_json,
    checks_to_json,
    compare,
    read_mrz,
)
from portal.uploads.mrz_compare import CHECK, MATCH, MISMATCH, name_matches
from portal.uploads.mrz_format import alpha2, check_digit, failed_checks, parse, resolve_birth, resolve_expiry
from portal.uploads.mrz_reading import NO_ZONE, NOT_AN_IMAGE, NOT_CONFIRMED, READ, TIME_LIMIT, UNREADABLE

SPECIMEN_LINE1 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
SPECIMEN_LINE2 = "L898902C36UTO7408122F1204159ZE184226B<<<<<10"


# --- ICAO 9303 ------------------------------------------------------------------------------

def test_check_digits_of_the_icao_specimen():
    assert check_digit("L898902C3") == "6"
    assert check_digit("740812") == "2"
    assert check_digit("120415") == "9"
    assert check_digit("ZE184226B<<<<<") == "1"
    assert check_digit("L898902C36" + "7408122" + "1204159ZE184226B<<<<<1") == "0"
    assert failed_checks(SPECIMEN_LINE2) == []


@pytest.mark.parametrize(("position", "char", "failed"), [
    (3, "7", ["document_number", "composite"]),
    (15, "1", ["date_of_birth", "composite"]),
    (30, "F", ["optional_data", "composite"]),
    (43, "1", ["composite"]),
])
def test_a_changed_character_fails_its_check_digits(position, char, failed):
    assert failed_checks(SPECIMEN_LINE2[:position] + char + SPECIMEN_LINE2[position + 1:]) == failed


def test_the_specimen_parses():
    fields = parse(SPECIMEN_LINE1, SPECIMEN_LINE2, date(2010, 1, 1))
    assert fields.document_number == "L898902C3"
    assert (fields.surname, fields.given_names) == ("ERIKSSON", "ANNA MARIA")
    assert fields.nationality == "UTO" and fields.nationality_alpha2 is None
    assert fields.date_of_birth == date(1974, 8, 12)
    assert fields.date_of_expiry == date(2012, 4, 15)
    assert fields.sex == "F"
    assert fields.optional_data == "ZE184226B"


def test_a_line_that_fails_a_check_or_names_no_state_does_not_parse():
    assert parse(SPECIMEN_LINE1, SPECIMEN_LINE2[:-1] + "1", TODAY) is None
    unknown = SPECIMEN_LINE2.replace("UTO", "QQQ")
    assert parse(SPECIMEN_LINE1, unknown, TODAY) is None


def test_two_digit_years():
    today = date(2026, 12, 1)
    assert resolve_birth("250101", today) == date(2025, 1, 1)
    assert resolve_birth("261231", today) == date(1926, 12, 31)  # not yet born this year
    assert resolve_birth("740812", today) == date(1974, 8, 12)
    assert resolve_expiry("450101", today) == date(2045, 1, 1)
    assert resolve_expiry("470101", today) == date(1947, 1, 1)  # beyond any passport's term
    assert resolve_expiry("200230", today) is None


@pytest.mark.parametrize(("code", "expected"), [
    ("D", "DE"), ("GBR", "GB"), ("GBD", "GB"), ("AZE", "AZ"), ("RUS", "RU"), ("RKS", "XK"), ("XXA", None),
    ("UNO", None),
])
def test_icao_nationality_codes_as_iso_alpha2(code, expected):
    assert alpha2(code) == expected


# --- reading scans --------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [1, 2, 12])  # a JPEG (Cyrillic name), a JPEG, a PDF (A4 page, long name)
def test_a_generated_scan_is_read_with_confidence(seed):
    scan = sample(seed)
    reading = read_mrz(scan.data, scan.content_type, today=TODAY)
    assert reading.state == READ, reading
    assert (reading.line1, reading.line2) == (scan.line1, scan.line2)
    assert reading.document_number == scan.truth.passport_number
    assert reading.date_of_birth == scan.truth.date_of_birth
    assert reading.date_of_expiry == scan.truth.expires_on
    assert reading.nationality_alpha2 == scan.truth.nationality
    assert reading.sex == scan.truth.sex
    assert [c.outcome for c in compare(reading, scan.truth)] == [MATCH] * 7


def test_the_generated_set_has_what_the_bench_needs():
    scans = [sample(n) for n in range(6)]
    assert [s.content_type for s in scans] == ["application/pdf", "image/jpeg", "image/jpeg", "application/pdf",
                                               "image/jpeg", "image/png"]
    assert all(s.line1.startswith("P<") and len(s.line1) == len(s.line2) == 44 for s in scans)
    assert all(failed_checks(s.line2) == [] for s in scans)
    assert sample(5).data == scans[5].data


def noise_photo(size=(900, 1200)) -> bytes:
    image = Image.fromarray(np.random.default_rng(7).integers(0, 256, size, dtype=np.uint8))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def test_a_photo_of_noise_is_unreadable_quickly():
    started = time.monotonic()
    reading = read_mrz(noise_photo(), "image/jpeg")
    assert reading.state == UNREADABLE and reading.reason == NO_ZONE
    assert time.monotonic() - started < 3
    assert compare(reading, sample(1).truth) == []


def test_a_letter_is_unreadable_after_two_reads():
    reading = read_mrz(text_pdf(random.Random(1)), "application/pdf")
    assert reading.state == UNREADABLE and reading.reason in (NO_ZONE, NOT_CONFIRMED)


def test_bytes_that_are_no_image_are_unreadable():
    assert read_mrz(b"%PDF-1.4 not really", "application/pdf").reason == NOT_AN_IMAGE
    assert read_mrz(b"\xff\xd8\xff garbage", "image/jpeg").reason == NOT_AN_IMAGE


def test_the_time_limit_holds():
    scan = sample(1)
    started = time.monotonic()
    reading = read_mrz(scan.data, scan.content_type, time_limit=0.2, today=TODAY)
    assert reading.state == UNREADABLE and reading.reason == TIME_LIMIT
    assert time.monotonic() - started < 1.5


def test_a_reading_travels_as_json():
    scan = sample(1)
    reading = read_mrz(scan.data, scan.content_type, today=TODAY)
    again = MrzReading.from_dict(json.loads(json.dumps(reading.to_dict())))
    assert again == reading and again.date_of_birth == scan.truth.date_of_birth
    unreadable = MrzReading.unreadable(NO_ZONE, 0.25)
    assert MrzReading.from_dict(json.loads(json.dumps(unreadable.to_dict()))) == unreadable
    with pytest.raises(ValueError):
        MrzReading.from_dict({"state": "guessed"})


# --- comparing with what was typed ----------------------------------------------------------

def reading_of(surname: str, given: str, code: str = "AZE", number: str = "C01234567", sex: str = "F",
               birth: date = date(1998, 3, 14), expiry: date = date(2034, 1, 9)) -> MrzReading:
    line1, line2 = mrz_line1(code, surname, given), mrz_line2(number, code, birth, sex, expiry, "")
    return MrzReading.confident(line1, line2, parse(line1, line2, TODAY), 1.0)


TYPED = TypedPassport(passport_number="C01234567", surname="Məmmədova", given_names="Aysel", nationality="AZ",
                      date_of_birth=date(1998, 3, 14), sex="F", expires_on=date(2034, 1, 9))


def outcomes(checks: list[FieldCheck]) -> dict[str, str]:
    return {check.field: check.outcome for check in checks}


def test_typed_with_diacritics_matches_the_transliterated_scan():
    checks = compare(reading_of("MAMMADOVA", "AYSEL"), TYPED)
    assert outcomes(checks) == dict.fromkeys(
        ["passport_number", "surname", "given_names", "nationality", "date_of_birth", "sex", "expires_on"], MATCH)
    surname = next(c for c in checks if c.field == "surname")
    assert (surname.scan, surname.typed) == ("MAMMADOVA", "Məmmədova")


def test_a_different_expiry_date_is_a_mismatch():
    checks = compare(reading_of("MAMMADOVA", "AYSEL"), replace(TYPED, expires_on=date(2034, 1, 19)))
    expiry = next(c for c in checks if c.field == "expires_on")
    assert (expiry.scan, expiry.typed, expiry.outcome) == ("2034-01-09", "2034-01-19", MISMATCH)


def test_different_given_names_are_to_be_checked_not_an_error():
    assert outcomes(compare(reading_of("MAMMADOVA", "AYSEL"), replace(TYPED, given_names="Aysun")))["given_names"] \
        == CHECK


@pytest.mark.parametrize(("changed", "field"), [
    ({"passport_number": "C01234576"}, "passport_number"),
    ({"nationality": "TR"}, "nationality"),
    ({"date_of_birth": date(1998, 3, 15)}, "date_of_birth"),
    ({"sex": "M"}, "sex"),
])
def test_a_different_protected_field_is_a_mismatch(changed, field):
    assert outcomes(compare(reading_of("MAMMADOVA", "AYSEL"), replace(TYPED, **changed)))[field] == MISMATCH


def test_a_number_typed_with_spaces_or_lower_case_matches():
    assert outcomes(compare(reading_of("MAMMADOVA", "AYSEL"), replace(TYPED, passport_number="c 0123 4567")))[
        "passport_number"] == MATCH


def test_sex_not_given_against_one_on_the_scan_is_to_be_checked():
    assert outcomes(compare(reading_of("MAMMADOVA", "AYSEL"), replace(TYPED, sex=None)))["sex"] == CHECK


def test_fields_not_typed_are_not_compared():
    checks = compare(reading_of("MAMMADOVA", "AYSEL"), replace(TYPED, passport_number=None, expires_on=None))
    assert "passport_number" not in outcomes(checks) and "expires_on" not in outcomes(checks)


@pytest.mark.parametrize(("scan", "typed"), [
    ("MAMMADOVA", "Məmmədova"), ("MEMMEDOVA", "Məmmədova"), ("SHCHERBAKOVA", "Щербакова"), ("IULIIA", "Юлия"),
    ("ZHUKOV", "Жуков"), ("KHARITON", "Харитон"), ("MUELLER", "Müller"), ("MULLER", "Müller"),
    ("OZTURK", "Öztürk"), ("SUKRU CAGLAR", "Şükrü Çağlar"), ("EL SAYED", "El-Sayed"), ("OCONNOR", "O'Connor"),
    ("OEVERGAARD", "Øvergård"), ("NGUYEN", "Nguyễn"), ("LUKASZ", "Łukasz"), ("ALIYEV", "əliyev"),
])
def test_icao_transliterations_match(scan, typed):
    assert name_matches(scan, typed)


def test_other_names_do_not_match():
    assert not name_matches("MAMMADOVA", "Mammadov")
    assert not name_matches("ANNA", "Anne")


def test_names_cut_at_39_characters_match_their_beginning():
    reading = reading_of("DE LA SANTISIMA TRINIDAD", "MARIA DE LOS ANGELES", code="ESP")
    assert reading.names_truncated and reading.given_names == "MARIA DE LOS"
    typed = replace(TYPED, surname="de la Santísima Trinidad", given_names="María de los Ángeles", nationality="ES")
    assert outcomes(compare(reading, typed))["given_names"] == MATCH
    assert outcomes(compare(reading, replace(typed, given_names="María José")))["given_names"] == CHECK


def test_germany_writes_d():
    reading = reading_of("MUELLER", "JUERGEN", code="D", sex="M")
    assert reading.nationality == "D" and reading.nationality_alpha2 == "DE"
    typed = replace(TYPED, surname="Müller", given_names="Jürgen", nationality="DE", sex="M")
    assert set(outcomes(compare(reading, typed)).values()) == {MATCH}


def test_an_unconfident_reading_is_not_compared():
    assert compare(MrzReading.unreadable(NO_ZONE, 1.0), TYPED) == []


def test_checks_travel_as_json():
    checks = compare(reading_of("MAMMADOVA", "AYSEL"), replace(TYPED, expires_on=date(2034, 1, 19)))
    assert checks_from_json(json.loads(json.dumps(checks_to_json(checks)))) == checks
    with pytest.raises(ValueError):
        checks_from_json([{"field": "shoe_size", "scan": "", "typed": "", "outcome": MATCH}])
