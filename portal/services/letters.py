"""Admission and visa-invitation letters: issued on acceptance, re-issued or revoked by the office,
downloaded by the applicant, checked by anyone who holds one at ``/verify/<code>``.

A letter stores a snapshot of what it certifies; the PDF (portal/letters) is rendered from the
snapshot on each download, so a letter reads the same whenever it is opened, and the public check
shows only the few facts a consulate needs (``PublicFacts``), never the whole snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.database import utcnow
from portal.extensions import db
from portal.i18n import country_name
from portal.letters import LetterContent, new_code, normalise_code, render_letter
from portal.models import INSTRUCTION_LANGUAGES, Application, Letter, User
from portal.services import audit, country_rules, notifications
from portal.services.errors import ServiceError


class LetterError(ServiceError):
    """A refused re-issue or revocation."""


KIND_TEXT = {"admission": _l("Admission letter"), "visa_invitation": _l("Visa invitation letter")}
STATE_TEXT = {"valid": _l("Valid"), "superseded": _l("Superseded by a newer letter"), "revoked": _l("Revoked")}


def kinds_for(application: Application) -> list[str]:
    kinds = ["admission"]
    if country_rules.needs_visa_invitation(application.citizenship):
        kinds.append("visa_invitation")
    return kinds


def issue_on_acceptance(application: Application, officer: User) -> list[Letter]:
    """Every letter the rules call for, unless a valid one of that kind exists."""
    held = {letter.kind for letter in application.letters if letter.state == "valid"}
    issued = [_issue(application, kind, officer) for kind in kinds_for(application) if kind not in held]
    if issued:
        _notify(application, "letter_issued", letters=issued)
    return issued


def reissue(letter: Letter, officer: User) -> Letter:
    """A fresh letter (new code, current data) in place of a valid one, which becomes superseded."""
    if not officer.is_staff:
        raise LetterError(_l("Only the admissions office can do this."))
    if letter.state != "valid":
        raise LetterError(_l("Only a valid letter can be re-issued."))
    letter.state = "superseded"
    new = _issue(letter.application, letter.kind, officer)
    _notify(letter.application, "letter_issued", letters=[new])
    return new


def revoke(letter: Letter, officer: User, reason: str) -> None:
    if not officer.is_staff:
        raise LetterError(_l("Only the admissions office can do this."))
    reason = (reason or "").strip()[:1000]
    if not reason:
        raise LetterError(_l("Give the reason for the revocation; the applicant reads it."), field="reason")
    if letter.state != "valid":
        raise LetterError(_l("Only a valid letter can be revoked."))
    letter.state, letter.revoke_reason = "revoked", reason
    letter.revoked_at, letter.revoked_by_id = utcnow(), officer.id
    audit.record(officer, "letter.revoke", "letter", letter.id,
                 {"reference": letter.application.reference, "kind": letter.kind})
    _notify(letter.application, "letter_revoked", letter=letter, reason=reason)
    db.session.flush()


def _issue(application: Application, kind: str, officer: User) -> Letter:
    if not officer.is_staff:
        raise LetterError(_l("Only the admissions office can do this."))
    letter = Letter(application=application, kind=kind, code=new_code(), content=_snapshot(application),
                    languages=current_app.config["LETTER_LANGUAGES"], issued_by_id=officer.id)
    db.session.add(letter)
    db.session.flush()
    audit.record(officer, "letter.issue", "letter", letter.id, {"reference": application.reference, "kind": kind})
    return letter


def _snapshot(application: Application) -> dict:
    programme = application.programme
    return {
        "reference": application.reference, "surname": application.surname,
        "given_names": application.given_names, "passport_number": application.passport_number,
        "citizenship": application.citizenship, "date_of_birth": _iso(application.date_of_birth),
        "programme": programme.name_en if programme else "",
        "instruction_language": application.instruction_language or "en",
        "course_start": _iso(application.intake.course_starts_on), "issued_on": utcnow().date().isoformat(),
    }


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def pdf(letter: Letter) -> bytes:
    cfg = current_app.config
    data = letter.content
    with force_locale("en"):  # the country and the language are named in the English text
        citizenship = country_name(data["citizenship"])
        language = str(INSTRUCTION_LANGUAGES[data["instruction_language"]])
    return render_letter(LetterContent(
        kind=letter.kind, code=letter.code, verify_url=verify_url(letter.code),
        issued_on=date.fromisoformat(data["issued_on"]), reference=data["reference"],
        surname=data["surname"], given_names=data["given_names"], passport_number=data["passport_number"],
        citizenship=citizenship, date_of_birth=date.fromisoformat(data["date_of_birth"]),
        programme=data["programme"], instruction_language=language,
        course_start=date.fromisoformat(data["course_start"]), institution_name=cfg["INSTITUTION_NAME"],
        institution_address=cfg["INSTITUTION_ADDRESS"], signatory_name=cfg["LETTER_SIGNATORY_NAME"],
        signatory_title=cfg["LETTER_SIGNATORY_TITLE"], languages=tuple(letter.languages.split(","))))


def file_name(letter: Letter) -> str:
    return f"{letter.kind.replace('_', '-')}-letter-{letter.content['reference']}.pdf"


def verify_url(code: str) -> str:
    return notifications.external_url("public.verify_code", code=code)


def current_letters(application: Application) -> list[Letter]:
    """What the applicant may download: the valid letters, and the revoked ones to say so."""
    return [letter for letter in application.letters if letter.state != "superseded"]


# --- public verification -------------------------------------------------------------------

@dataclass(frozen=True)
class PublicFacts:
    """All that /verify shows: enough for a consulate or a border officer, nothing more."""

    state: str
    kind: str
    name: str
    passport: str
    programme: str
    course_start: date
    issued_on: date


def by_code(typed: str) -> Letter | None:
    code = normalise_code(typed or "")
    if code is None:
        return None
    return db.session.scalar(select(Letter).where(Letter.code == code))


def public_facts(letter: Letter) -> PublicFacts:
    data = letter.content
    return PublicFacts(state=letter.state, kind=letter.kind,
                       name=f"{data['given_names'] or ''} {data['surname'] or ''}".strip(),
                       passport=mask(data["passport_number"]), programme=data["programme"],
                       course_start=date.fromisoformat(data["course_start"]),
                       issued_on=date.fromisoformat(data["issued_on"]))


def mask(passport_number: str | None) -> str:
    """Every character but the last three hidden: ``*****567``."""
    value = passport_number or ""
    return "*" * max(len(value) - 3, 0) + value[-3:]


def _notify(application: Application, template: str, **context) -> None:
    notifications.queue_for_user(application.applicant, template, application=application,
                                 link=notifications.external_url("apply.home"), **context)
