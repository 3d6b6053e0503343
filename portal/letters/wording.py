"""The words of a letter, in each of its languages, before anything is drawn.

Why apart from the drawing: the text comes from the translation catalogs (``gettext`` inside
``force_locale``, dates in that locale's long form), so a translator's change never touches the
layout, and the renderer knows every character it will print before it picks the fonts
(fonts.install). Needs an application context, as all of Flask-Babel does.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import force_locale, format_date
from flask_babel import gettext as _

from portal.letters.content import LetterContent


@dataclass(frozen=True)
class Wording:
    """One language's text of a letter."""

    title: str
    addressee: str
    paragraphs: tuple[str, ...]
    labels: tuple[str, ...]  # one per row of ``particulars()``
    reference_label: str
    date_label: str
    issued_on: str
    closing: str
    verify: str
    genuine_only_if: str


def compose(letter: LetterContent) -> tuple[Wording, ...]:
    """The letter's text in each of its languages, English first."""
    return tuple(_in_language(letter, language) for language in letter.languages)


def particulars(letter: LetterContent) -> tuple[str, ...]:
    """The applicant's data printed in the table, in the order of ``Wording.labels``; dates in English,
    the letter's first language."""
    with force_locale(letter.languages[0]):
        return (letter.surname, letter.given_names, letter.passport_number, letter.citizenship,
                format_date(letter.date_of_birth, "long"), letter.programme, letter.instruction_language,
                format_date(letter.course_start, "long"), letter.reference)


def _in_language(letter: LetterContent, language: str) -> Wording:
    with force_locale(language):
        admission = letter.kind == "admission"
        return Wording(
            title=_("Admission letter") if admission else _("Invitation for a study visa"),
            addressee=_("To whom it may concern") if admission
            else _("To the Embassy or Consulate of the Republic of Azerbaijan"),
            paragraphs=_admission_paragraphs(letter) if admission else _visa_paragraphs(letter),
            labels=(_("Surname"), _("Given names"), _("Passport number"), _("Citizenship"), _("Date of birth"),
                    _("Programme"), _("Language of instruction"), _("Course starts on"), _("Reference")),
            reference_label=_("Reference"),
            date_label=_("Date of issue"),
            issued_on=format_date(letter.issued_on, "long"),
            closing=_("Yours faithfully,"),
            verify=_("Verify this letter at %(url)s — code %(code)s", url=letter.verify_url, code=letter.code),
            genuine_only_if=_("This letter is genuine only if the verification page shows the same details."),
        )


def _admission_paragraphs(letter: LetterContent) -> tuple[str, ...]:
    return (
        _("%(institution)s confirms that %(name)s, whose details are given below, is admitted to the "
          "%(programme)s.", institution=letter.institution_name, name=letter.full_name,
          programme=letter.programme),
        _("The course starts on %(start)s and is taught in %(language)s.",
          start=format_date(letter.course_start, "long"), language=letter.instruction_language),
    )


def _visa_paragraphs(letter: LetterContent) -> tuple[str, ...]:
    return (
        _("%(institution)s invites %(name)s, whose details are given below, to enter the Republic of "
          "Azerbaijan for study. The applicant is admitted to the %(programme)s, which starts on %(start)s "
          "and is taught in %(language)s.", institution=letter.institution_name, name=letter.full_name,
          programme=letter.programme, start=format_date(letter.course_start, "long"),
          language=letter.instruction_language),
        _("Please issue the applicant a study visa for entry to the Republic of Azerbaijan."),
    )
