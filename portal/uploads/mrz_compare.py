"""What the applicant typed against what the passport's machine-readable zone says.

Why names are compared the way they are: the MRZ holds only A-Z, writes ``<`` for spaces and
hyphens, drops apostrophes and diacritics, transliterates other letters by ICAO 9303 Part 3
(Məmmədova -> MAMMADOVA, Müller -> MUELLER or MULLER, Щербакова -> SHCHERBAKOVA) and cuts the
name field at 39 characters. So the typed name is turned into every spelling ICAO (and the states'
common practice) allows, and the scan must equal one of them, or its beginning when the field was
cut. Even then a difference is only "check": line 1 has no check digit, and people legitimately
type names differently from their passport. A difference in a field that a check digit protects
(number, dates) or that is a code (nationality, sex) is a "mismatch".

Only a confident reading (``MrzReading.is_read``) is compared; anything else yields no checks.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from portal.uploads.mrz_reading import MrzReading

MATCH = "match"
MISMATCH = "mismatch"
CHECK = "check"
OUTCOMES = (MATCH, MISMATCH, CHECK)
FIELDS = ("passport_number", "surname", "given_names", "nationality", "date_of_birth", "sex", "expires_on")

# ICAO 9303 Part 3, 6.A (multinational Latin) where plain removal of the accent is not the rule,
# with the alternatives states use; 6.B (Cyrillic). Anything else: the accent is dropped (NFKD).
LATIN = {
    "Ä": ("AE", "A"), "Å": ("AA", "A"), "Æ": ("AE",), "Ö": ("OE", "O"), "Ø": ("OE", "O"), "Œ": ("OE",),
    "Ü": ("UE", "U"), "Þ": ("TH",), "Ð": ("D",), "Đ": ("D",), "Ħ": ("H",), "Ł": ("L",),
    "Ŀ": ("L",), "Ŋ": ("N",), "Ñ": ("N", "NXX"), "Ĳ": ("IJ",), "İ": ("I",), "Ə": ("A", "E"),
    "Ŧ": ("T",),
}
CYRILLIC = {
    "А": "A", "Б": "B", "В": "V", "Г": ("G", "H"), "Ґ": "G", "Д": "D", "Ѓ": "G", "Ђ": "D", "Е": "E",
    "Ё": "E", "Є": "IE", "Ж": "ZH", "З": "Z", "Ѕ": "DZ", "И": ("I", "Y"), "І": "I", "Ї": "I",
    "Й": ("I", "Y"), "Ј": "J", "К": "K", "Л": "L", "Љ": "LJ", "М": "M", "Н": "N", "Њ": "NJ", "О": "O",
    "П": "P", "Р": "R", "С": "S", "Т": "T", "Ќ": "K", "Ћ": "C", "У": "U", "Ў": "U", "Ф": "F",
    "Х": ("KH", "H"), "Ц": "TS", "Ч": "CH", "Џ": "DZ", "Ш": "SH", "Щ": "SHCH", "Ъ": ("IE", ""), "Ы": "Y",
    "Ь": ("",), "Э": "E", "Ю": "IU", "Я": "IA",
}
SEPARATORS = " -<,"  # become one filler (a space in the parsed name)
DROPPED = "'’`.ʼ"


@dataclass(frozen=True)
class TypedPassport:
    """The passport details the applicant typed in the wizard (None: not given, not compared,
    except ``sex``, where None means "not stated", as the MRZ's filler does)."""

    passport_number: str | None
    surname: str | None
    given_names: str | None
    nationality: str | None  # ISO 3166 alpha-2
    date_of_birth: date | None
    sex: str | None
    expires_on: date | None


@dataclass(frozen=True)
class FieldCheck:
    field: str
    scan: str
    typed: str
    outcome: str

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> FieldCheck:
        check = cls(field=data["field"], scan=data["scan"], typed=data["typed"], outcome=data["outcome"])
        if check.field not in FIELDS or check.outcome not in OUTCOMES:
            raise ValueError(f"not a field check: {data!r}")
        return check


def checks_to_json(checks: list[FieldCheck]) -> list[dict]:
    return [check.to_dict() for check in checks]


def checks_from_json(data: list[dict]) -> list[FieldCheck]:
    return [FieldCheck.from_dict(item) for item in data]


def compare(reading: MrzReading, typed: TypedPassport) -> list[FieldCheck]:
    """One check per field the applicant gave, in FIELDS order; [] unless the reading is confident."""
    if not reading.is_read:
        return []
    checks = [
        _exact("passport_number", reading.document_number, typed.passport_number, normalise_number),
        _name("surname", reading.surname, typed.surname, reading.names_truncated),
        _name("given_names", reading.given_names, typed.given_names, reading.names_truncated),
        _nationality(reading, typed.nationality),
        _exact("date_of_birth", reading.date_of_birth, typed.date_of_birth, _iso),
        _sex(reading.sex, typed.sex),
        _exact("expires_on", reading.date_of_expiry, typed.expires_on, _iso),
    ]
    return [check for check in checks if check is not None]


def normalise_number(value: str) -> str:
    return re.sub(r"[\s<\-]", "", value).upper()


def _iso(value: date) -> str:
    return value.isoformat()


def _exact(field: str, scan, typed, form) -> FieldCheck | None:
    if typed is None or typed == "" or scan is None:
        return None
    outcome = MATCH if form(scan) == form(typed) else MISMATCH
    return FieldCheck(field, form(scan), str(typed), outcome)


def _nationality(reading: MrzReading, typed: str | None) -> FieldCheck | None:
    """Compared as ISO alpha-2 (the scan's ICAO code, e.g. D for Germany, mapped); the scan
    value shown is that alpha-2, or the ICAO code of no country (XXA: stateless)."""
    if not typed:
        return None
    if reading.nationality_alpha2 is None:  # stateless, refugee, UN: no country to compare with
        outcome = CHECK
    else:
        outcome = MATCH if reading.nationality_alpha2 == typed.upper() else MISMATCH
    return FieldCheck("nationality", reading.nationality_alpha2 or reading.nationality or "", typed, outcome)


def _sex(scan: str | None, typed: str | None) -> FieldCheck:
    if scan == typed:
        outcome = MATCH
    else:
        outcome = CHECK if typed is None else MISMATCH
    return FieldCheck("sex", scan or "", typed or "", outcome)


def _name(field: str, scan: str | None, typed: str | None, truncated: bool) -> FieldCheck | None:
    if not typed or scan is None:
        return None
    outcome = MATCH if name_matches(scan, typed, truncated=truncated) else CHECK
    return FieldCheck(field, scan, typed, outcome)


def name_matches(scan: str, typed: str, *, truncated: bool = False) -> bool:
    """Whether ``scan`` (as parsed from the MRZ: A-Z and single spaces) is one of the ICAO spellings
    of ``typed``; when the MRZ cut the names, the beginning of one."""
    tokens = spellings(typed)
    if truncated:
        pattern = ""
        for token in reversed(tokens):
            pattern = f"{token}(?:{pattern})?" if pattern else token
        return bool(scan == "" or re.fullmatch(pattern, scan))
    return re.fullmatch("".join(tokens), scan) is not None


def spellings(name: str) -> list[str]:
    """One regular-expression piece per typed character: the MRZ spellings it may take."""
    tokens: list[str] = []
    for char in re.sub(rf"[{re.escape(SEPARATORS)}]+", " ", name.strip(SEPARATORS + " ")).upper():
        options = _options(char)
        tokens.append(options[0] if len(options) == 1 else "(?:" + "|".join(options) + ")")
    return tokens


def _options(char: str) -> tuple[str, ...]:
    if char == " ":
        return (" ",)
    if char in DROPPED:
        return ("",)
    found = LATIN.get(char) or CYRILLIC.get(char)
    if found is None:
        plain = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        found = plain if plain.isascii() and plain.isalpha() else ""
    return (found,) if isinstance(found, str) else found
