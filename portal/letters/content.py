"""What a letter says, as plain values: the one input of the PDF renderer.

Why a frozen dataclass and not the models: a letter is rendered from the snapshot stored when it
was issued (models/letter.py ``content``), so it prints the same on every download whatever
happens to the application later; and the renderer stays testable without a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

KINDS = ("admission", "visa_invitation")
SECOND_LANGUAGES = ("az", "ru")  # printed after the English text, never alone


@dataclass(frozen=True)
class LetterContent:
    kind: str  # one of KINDS
    code: str  # canonical form, codes.new_code()
    verify_url: str  # the public page for this code; the QR code holds exactly this
    issued_on: date
    reference: str  # the application's reference, e.g. AMU-26-000123
    surname: str  # as in the passport
    given_names: str  # as in the passport
    passport_number: str
    citizenship: str  # country name, already in the letter's language (or English)
    date_of_birth: date
    programme: str
    instruction_language: str  # e.g. "English"
    course_start: date
    institution_name: str
    institution_address: str  # one line per line of the letterhead
    signatory_name: str
    signatory_title: str
    languages: tuple[str, ...] = ("en",)  # ("en",), ("en", "az") or ("en", "ru")

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown letter kind {self.kind!r}")
        first, second = self.languages[:1], self.languages[1:]
        if first != ("en",) or len(second) > 1 or not set(second) <= set(SECOND_LANGUAGES):
            raise ValueError(f"letter languages must be English, then optionally az or ru: {self.languages!r}")

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.surname}".strip()
