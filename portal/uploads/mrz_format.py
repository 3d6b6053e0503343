"""The passport machine-readable zone (ICAO Doc 9303, TD3: two lines of 44 characters) as text:
check digits, the layout of both lines, and the fields they hold.

Why it is written here rather than taken from a library: the arithmetic is a few lines, and the
libraries that do it (``mrz``, ``fastmrz``) are GPL/AGPL. Why it is strict: only line 2 is
protected by check digits; a reading is trusted only when every one of them passes (document
number, birth, expiry, optional data, composite) and the dates are real dates. Line 1 (the names)
has no check digit, which is why ``mrz_ocr`` also wants two independent reads to agree.

Two-digit years are resolved the way people expect: a birth date lies in the past, an expiry date
at most ``EXPIRY_HORIZON_YEARS`` ahead (passports run for 10 years, a few for longer).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pycountry

LINE_LENGTH = 44
FILLER = "<"
EXPIRY_HORIZON_YEARS = 20
WEIGHTS = (7, 3, 1)

# (start, end) of each line-2 field, end exclusive; the check digit follows at ``end``.
DOCUMENT_NUMBER = (0, 9)
NATIONALITY = (10, 13)
BIRTH = (13, 19)
SEX = 20
EXPIRY = (21, 27)
OPTIONAL = (28, 42)
COMPOSITE = 43
COMPOSITE_SPANS = ((0, 10), (13, 20), (21, 43))

# ICAO codes that are not ISO 3166 alpha-3 (Doc 9303 Part 3, 5): Germany writes D; the British
# nationality classes share GB; Kosovo is XK by common use. Organisations, stateless persons and
# refugees (UNO, XXA, XXB ...) have no country at all, so they map to None below.
SPECIAL_NATIONALITIES = {
    "D": "DE", "GBR": "GB", "GBD": "GB", "GBN": "GB", "GBO": "GB", "GBP": "GB", "GBS": "GB", "RKS": "XK",
}
NO_COUNTRY = {"UNO", "UNA", "UNK", "XOM", "XXA", "XXB", "XXC", "XXX", "EUE", "XPO", "XCC", "XES", "XMP",
              "XBA", "XIM", "XCE", "XEC", "XDC", "XAA", "UTO"}  # UTO: Utopia, of ICAO's specimens

# What each position may hold: D digit, L letter, A letter or digit, S sex (M, F or filler); a
# lower-case kind allows the filler too.
LINE1_KINDS = "LllllL" + "l" * 38
LINE2_KINDS = "a" * 9 + "D" + "lll" + "D" * 7 + "S" + "D" * 7 + "a" * 14 + "d" + "D"

LINE1_PATTERN = re.compile(r"P[A-Z<][A-Z<]{3}[A-Z][A-Z<]{38}")
LINE2_PATTERN = re.compile(r"[A-Z0-9<]{9}\d[A-Z<]{3}\d{7}[MFX<]\d{7}[A-Z0-9<]{14}[\d<]\d")


def check_value(char: str) -> int:
    """ICAO 9303 Part 3, 4.9: digits count as themselves, A-Z as 10-35, the filler as 0."""
    if char.isdigit():
        return int(char)
    if "A" <= char <= "Z":
        return ord(char) - ord("A") + 10
    if char == FILLER:
        return 0
    raise ValueError(f"{char!r} cannot appear in a machine-readable zone")


def check_digit(field: str) -> str:
    """The weights 7, 3, 1 repeat over the field; the sum of the weighted values modulo 10."""
    return str(sum(check_value(char) * WEIGHTS[position % 3] for position, char in enumerate(field)) % 10)


def failed_checks(line2: str) -> list[str]:
    """The names of the line-2 check digits that do not hold (an empty list: all pass)."""
    failed = []
    for name, (start, end) in (("document_number", DOCUMENT_NUMBER), ("date_of_birth", BIRTH),
                               ("date_of_expiry", EXPIRY)):
        if check_digit(line2[start:end]) != line2[end]:
            failed.append(name)
    optional, digit = line2[OPTIONAL[0]:OPTIONAL[1]], line2[OPTIONAL[1]]
    # An empty optional-data field may carry "<" instead of 0 as its check digit (Part 4, 4.2.2).
    if not (digit == FILLER and set(optional) == {FILLER}) and check_digit(optional) != digit:
        failed.append("optional_data")
    if check_digit("".join(line2[a:b] for a, b in COMPOSITE_SPANS)) != line2[COMPOSITE]:
        failed.append("composite")
    return failed


def valid_line2(line2: str) -> bool:
    """Line 2 has the TD3 shape, a known nationality code, and every check digit passes."""
    return bool(LINE2_PATTERN.fullmatch(line2)) and not failed_checks(line2) \
        and known_code(line2[NATIONALITY[0]:NATIONALITY[1]].strip(FILLER))


def well_formed(line1: str, line2: str) -> bool:
    """Both lines have the TD3 shape: the right length and the right kind of character at each
    position (the check digits are judged by ``failed_checks``)."""
    return bool(LINE1_PATTERN.fullmatch(line1) and LINE2_PATTERN.fullmatch(line2))


@dataclass(frozen=True)
class MrzFields:
    """What the two lines say, decoded."""

    document_number: str
    surname: str
    given_names: str
    issuing_state: str
    nationality: str
    nationality_alpha2: str | None
    date_of_birth: date
    sex: str | None
    date_of_expiry: date
    optional_data: str


def parse(line1: str, line2: str, today: date) -> MrzFields | None:
    """The fields of a well-formed pair of lines whose check digits all pass, or None (also when
    a date is not a real date, or a country code is unknown: a sign of a misread)."""
    if not well_formed(line1, line2) or failed_checks(line2):
        return None
    issuing_state, nationality = line1[2:5].strip(FILLER), line2[NATIONALITY[0]:NATIONALITY[1]].strip(FILLER)
    if not (known_code(issuing_state) and known_code(nationality)):
        return None
    birth = resolve_birth(line2[BIRTH[0]:BIRTH[1]], today)
    expiry = resolve_expiry(line2[EXPIRY[0]:EXPIRY[1]], today)
    if birth is None or expiry is None:
        return None
    surname, given_names = split_names(line1[5:])
    sex = line2[SEX]
    return MrzFields(
        document_number=line2[DOCUMENT_NUMBER[0]:DOCUMENT_NUMBER[1]].strip(FILLER),
        surname=surname, given_names=given_names, issuing_state=issuing_state, nationality=nationality,
        nationality_alpha2=alpha2(nationality), date_of_birth=birth, sex=sex if sex in "MF" else None,
        date_of_expiry=expiry, optional_data=line2[OPTIONAL[0]:OPTIONAL[1]].strip(FILLER))


def split_names(field: str) -> tuple[str, str]:
    """``ERIKSSON<<ANNA<MARIA<<<`` -> ("ERIKSSON", "ANNA MARIA"): fillers become spaces."""
    surname, _, given = field.rstrip(FILLER).partition(FILLER * 2)
    return surname.replace(FILLER, " ").strip(), given.replace(FILLER, " ").strip()


def known_code(code: str) -> bool:
    return code in SPECIAL_NATIONALITIES or code in NO_COUNTRY or pycountry.countries.get(alpha_3=code) is not None


def alpha2(code: str) -> str | None:
    """The ISO 3166 alpha-2 code for an ICAO nationality code; None for the codes of no country
    (stateless, refugee, United Nations ...)."""
    if code in SPECIAL_NATIONALITIES:
        return SPECIAL_NATIONALITIES[code]
    country = pycountry.countries.get(alpha_3=code) if code not in NO_COUNTRY else None
    return country.alpha_2 if country else None


def resolve_birth(yymmdd: str, today: date) -> date | None:
    """The latest century that puts the birth date on or before today."""
    for century in (2000, 1900):
        found = _date(century + int(yymmdd[:2]), yymmdd)
        if found is not None and found <= today:
            return found
    return None


def resolve_expiry(yymmdd: str, today: date) -> date | None:
    """This century unless that is further ahead than any passport runs (then the last one)."""
    horizon = today.year + EXPIRY_HORIZON_YEARS
    year = 2000 + int(yymmdd[:2])
    return _date(year if year <= horizon else year - 100, yymmdd)


def _date(year: int, yymmdd: str) -> date | None:
    try:
        return date(year, int(yymmdd[2:4]), int(yymmdd[4:6]))
    except ValueError:
        return None
