"""The outcome of reading a passport's machine-readable zone, as the document keeps it.

Why a flat record with a state: "we could not read the scan automatically" is a normal outcome
(a photo at an angle, glare, a PDF of something else), not an error, and the document stores the
reading in a JSON column next to the file. ``to_dict`` / ``from_dict`` are exact inverses; dates
travel as ISO strings.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

from portal.uploads.mrz_format import FILLER, LINE_LENGTH, MrzFields

READ = "read"
UNREADABLE = "unreadable"
STATES = (READ, UNREADABLE)

# Why a reading is unreadable (for logs and the office; the applicant sees one message).
NOT_AN_IMAGE = "not_an_image"
NO_ZONE = "no_zone"
NOT_CONFIRMED = "not_confirmed"
TIME_LIMIT = "time_limit"
NO_OCR = "no_ocr"

DATE_FIELDS = ("date_of_birth", "date_of_expiry")


@dataclass(frozen=True)
class MrzReading:
    """``state`` is READ only when every check digit passed and independent reads agreed; the
    fields are then filled. Otherwise UNREADABLE with a ``reason`` and no fields."""

    state: str
    seconds: float
    reason: str | None = None
    line1: str | None = None
    line2: str | None = None
    document_number: str | None = None
    surname: str | None = None
    given_names: str | None = None
    issuing_state: str | None = None
    nationality: str | None = None
    nationality_alpha2: str | None = None
    date_of_birth: date | None = None
    sex: str | None = None
    date_of_expiry: date | None = None
    optional_data: str | None = None

    @classmethod
    def confident(cls, line1: str, line2: str, fields: MrzFields, seconds: float) -> MrzReading:
        return cls(state=READ, seconds=round(seconds, 3), line1=line1, line2=line2, **dataclasses.asdict(fields))

    @classmethod
    def unreadable(cls, reason: str, seconds: float) -> MrzReading:
        return cls(state=UNREADABLE, seconds=round(seconds, 3), reason=reason)

    @property
    def is_read(self) -> bool:
        return self.state == READ

    @property
    def names_truncated(self) -> bool:
        """The name field is full (no two fillers at its end): ICAO 9303 may have cut the names to
        fit 39 characters, so the scan may hold only the beginning of them."""
        return bool(self.line1) and len(self.line1) == LINE_LENGTH and self.line1[-2] != FILLER

    def to_dict(self) -> dict:
        data = dataclasses.asdict(self)
        for name in DATE_FIELDS:
            data[name] = data[name].isoformat() if data[name] else None
        return data

    @classmethod
    def from_dict(cls, data: dict) -> MrzReading:
        if data.get("state") not in STATES:
            raise ValueError(f"not an MRZ reading: state {data.get('state')!r}")
        known = {f.name for f in dataclasses.fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        for name in DATE_FIELDS:
            if values.get(name):
                values[name] = date.fromisoformat(values[name])
        return cls(**values)
