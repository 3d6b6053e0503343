"""Reference data managed by admins: intakes and programmes (tracks). Nothing an application
refers to is ever deleted: it is deactivated, and every change is in the audit log."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Application, DocumentType, Intake, Programme, ProgrammeLanguage, User
from portal.services import audit, content_cache
from portal.services.errors import ServiceError


class ReferenceDataError(ServiceError):
    """An intake, programme or document type that cannot be saved as given."""


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def _end_of(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


def save_intake(intake: Intake | None, actor: User, *, code: str, name: str, opens_on: date, closes_on: date,
                course_starts_on: date, active: bool) -> Intake:
    if closes_on < opens_on:
        raise ReferenceDataError(_l("The closing day must not be before the opening day."), "closes_on")
    if course_starts_on <= closes_on:
        raise ReferenceDataError(_l("The course must start after applications close."), "course_starts_on")
    code = code.strip().upper()
    clash = db.session.scalar(select(Intake).where(Intake.code == code))
    if clash is not None and clash is not intake:
        raise ReferenceDataError(_l("Another intake already uses this code."), "code")
    if intake is not None and intake.code != code and _used(Application.intake_id, intake.id):
        raise ReferenceDataError(_l("The code cannot change: reference numbers of this intake use it."), "code")
    created = intake is None
    intake = intake or Intake()
    intake.code, intake.name, intake.active = code, name.strip(), active
    intake.opens_at, intake.closes_at = _start_of(opens_on), _end_of(closes_on)
    intake.course_starts_on = course_starts_on
    db.session.add(intake)
    db.session.flush()
    audit.record(actor, "intake.create" if created else "intake.update", "intake", intake.id,
                 {"code": code, "active": active})
    content_cache.mark_changed()  # the home and rules pages show intake dates
    return intake


def save_programme(programme: Programme | None, actor: User, *, code: str, names: dict[str, str],
                   languages: list[str], position: int, active: bool) -> Programme:
    if not languages:
        raise ReferenceDataError(_l("Choose at least one language of instruction."), "languages")
    clash = db.session.scalar(select(Programme).where(Programme.code == code))
    if clash is not None and clash is not programme:
        raise ReferenceDataError(_l("Another programme already uses this code."), "code")
    created = programme is None
    programme = programme or Programme()
    programme.code, programme.position, programme.active = code, position, active
    programme.name_en, programme.name_ru, programme.name_az = names["en"], names["ru"], names["az"]
    current = {pl.language: pl for pl in programme.languages}
    programme.languages = [current.get(code) or ProgrammeLanguage(language=code) for code in sorted(languages)]
    db.session.add(programme)
    db.session.flush()
    audit.record(actor, "programme.create" if created else "programme.update", "programme", programme.id,
                 {"code": code, "languages": sorted(languages), "active": active})
    content_cache.mark_changed()
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
    clash = db.session.scalar(select(DocumentType).where(DocumentType.code == code))
    if clash is not None and clash is not document_type:
        raise ReferenceDataError(_l("Another document type already uses this code."), "code")
    created = document_type is None
    document_type = document_type or DocumentType()
    document_type.code, document_type.requirement = code, requirement
    document_type.condition = condition if requirement == "conditional" else None
    for field, value in texts.items():
        setattr(document_type, field, value.strip())
    document_type.allowed_kinds = ",".join(k for k in KINDS if k in kinds)
    document_type.max_size_mb, document_type.position, document_type.active = max_size_mb, position, active
    db.session.add(document_type)
    db.session.flush()
    audit.record(actor, "document_type.create" if created else "document_type.update", "document_type",
                 document_type.id, {"code": code, "requirement": requirement, "active": active})
    content_cache.mark_changed()  # the rules page lists the required documents
    return document_type


def list_document_types() -> list[DocumentType]:
    return list(db.session.scalars(select(DocumentType).order_by(DocumentType.position, DocumentType.id)))
