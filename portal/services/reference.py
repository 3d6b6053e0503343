"""Reference data managed by admins: intakes and programmes (tracks). Nothing an application
refers to is ever deleted: it is deactivated, and every change is in the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Application, DocumentType, Intake, Programme, ProgrammeLanguage, User
from portal.services import audit, content_cache
from portal.services.errors import ServiceError


class ReferenceDataError(ServiceError):
    """An intake, programme or document type that cannot be saved as given."""


def _code_free(model, code: str, editing, message) -> None:
    """Codes are unique per kind of reference data: another row with this code is refused."""
    clash = db.session.scalar(select(model).where(model.code == code))
    if clash is not None and clash is not editing:
        raise ReferenceDataError(message, "code")


def _record(actor: User, item, kind: str, created: bool, details: dict) -> None:
    """Write the row, audit it as created or updated, and tell the page caches it changed."""
    db.session.add(item)
    db.session.flush()
    audit.record(actor, f"{kind}.{'create' if created else 'update'}", kind, item.id, details)
    content_cache.mark_changed()


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def _end_of(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


def save_intake(intake: Intake | None, actor: User, *, code: str, name: str, opens_on: date, closes_on: date,
                course_starts_on: date, active: bool, interview: InterviewSettings | None = None) -> Intake:
    if closes_on < opens_on:
        raise ReferenceDataError(_l("The closing day must not be before the opening day."), "closes_on")
    if course_starts_on <= closes_on:
        raise ReferenceDataError(_l("The course must start after applications close."), "course_starts_on")
    code = code.strip().upper()
    _code_free(Intake, code, intake, _l("Another intake already uses this code."))
    if intake is not None and intake.code != code and _used(Application.intake_id, intake.id):
        raise ReferenceDataError(_l("The code cannot change: reference numbers of this intake use it."), "code")
    created = intake is None
    intake = intake or Intake()
    intake.code, intake.name, intake.active = code, name.strip(), active
    intake.opens_at, intake.closes_at = _start_of(opens_on), _end_of(closes_on)
    intake.course_starts_on = course_starts_on
    if interview is not None:
        _set_interview(intake, interview)
    _record(actor, intake, "intake", created, {"code": code, "active": active})  # home and rules show the dates
    return intake


@dataclass(frozen=True)
class InterviewSettings:
    required: bool
    fee_amount: Decimal | None
    fee_currency: str | None
    fee_instructions: str


def _set_interview(intake: Intake, settings: InterviewSettings) -> None:
    currency = (settings.fee_currency or "").strip().upper() or None
    if settings.fee_amount and not currency:
        raise ReferenceDataError(_l("Give the currency of the fee."), "interview_fee_currency")
    intake.interview_required = settings.required
    intake.interview_fee_amount = settings.fee_amount or None
    intake.interview_fee_currency = currency if settings.fee_amount else None
    intake.interview_fee_instructions = (settings.fee_instructions or "").strip()


def save_programme(programme: Programme | None, actor: User, *, code: str, names: dict[str, str],
                   languages: list[str], position: int, active: bool) -> Programme:
    if not languages:
        raise ReferenceDataError(_l("Choose at least one language of instruction."), "languages")
    _code_free(Programme, code, programme, _l("Another programme already uses this code."))
    created = programme is None
    programme = programme or Programme()
    programme.code, programme.position, programme.active = code, position, active
    programme.name_en, programme.name_ru, programme.name_az = names["en"], names["ru"], names["az"]
    current = {pl.language: pl for pl in programme.languages}
    programme.languages = [current.get(code) or ProgrammeLanguage(language=code) for code in sorted(languages)]
    _record(actor, programme, "programme", created, {"code": code, "languages": sorted(languages), "active": active})
    return programme


def _used(column, value) -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(Application).where(column == value)))


def list_intakes() -> list[Intake]:
    return list(db.session.scalars(select(Intake).order_by(Intake.opens_at.desc())))


def list_programmes() -> list[Programme]:
    return list(db.session.scalars(select(Programme).order_by(Programme.position, Programme.id)))


REQUIREMENTS = ("required", "optional", "conditional")
CONDITIONS = ("under_18", "interview")
KINDS = ("pdf", "jpeg", "png")


def save_document_type(document_type: DocumentType | None, actor: User, *, code: str, texts: dict[str, str],
                       requirement: str, condition: str | None, kinds: list[str], max_size_mb: int,
                       position: int, active: bool) -> DocumentType:
    """Create or edit a document type (names and help text per language, rules, limits)."""
    if requirement not in REQUIREMENTS:
        raise ReferenceDataError(_l("Choose one of the options."), "requirement")
    if requirement == "conditional" and condition not in CONDITIONS:
        raise ReferenceDataError(_l("Choose when the document is required."), "condition")
    if not kinds or any(k not in KINDS for k in kinds):
        raise ReferenceDataError(_l("Choose at least one kind of file."), "kinds")
    _code_free(DocumentType, code, document_type, _l("Another document type already uses this code."))
    created = document_type is None
    document_type = document_type or DocumentType()
    document_type.code, document_type.requirement = code, requirement
    document_type.condition = condition if requirement == "conditional" else None
    for field, value in texts.items():
        setattr(document_type, field, value.strip())
    document_type.allowed_kinds = ",".join(k for k in KINDS if k in kinds)
    document_type.max_size_mb, document_type.position, document_type.active = max_size_mb, position, active
    _record(actor, document_type, "document_type", created,  # the rules page lists the documents
            {"code": code, "requirement": requirement, "active": active})
    return document_type


def list_document_types() -> list[DocumentType]:
    return list(db.session.scalars(select(DocumentType).order_by(DocumentType.position, DocumentType.id)))
