"""Reference data the admissions office manages: intakes, Foundation Course tracks
(programmes) and the document types applicants upload. Names are stored per language."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import TimestampMixin, one_of
from portal.extensions import db

# The languages a track can be taught in, with their names in the page's language. (The
# languages of the interface are another table: portal/i18n.py INTERFACE_LANGUAGES.)
INSTRUCTION_LANGUAGES = {"en": _l("English"), "ru": _l("Russian"), "az": _l("Azerbaijani")}


class LocalizedName:
    """``name_en``/``name_ru``/``name_az`` columns read in the page's language, English fallback."""

    def localized(self, field: str, locale: str) -> str:
        return getattr(self, f"{field}_{locale}", None) or getattr(self, f"{field}_en")


class Intake(TimestampMixin, db.Model):
    __tablename__ = "intakes"
    __table_args__ = (CheckConstraint("closes_at > opens_at", name="window"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)  # prefix of reference numbers: FC27
    name: Mapped[str] = mapped_column(String(120))
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    course_starts_on: Mapped[date]
    active: Mapped[bool] = mapped_column(default=True)
    # The last reference number handed out (FC27-000123); incremented in the submit transaction.
    last_reference: Mapped[int] = mapped_column(default=0)
    # The interview stage (services/interviews.py): whether it is required, and its fee.
    interview_required: Mapped[bool] = mapped_column(default=True)
    interview_fee_amount: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    interview_fee_currency: Mapped[str | None] = mapped_column(String(3))
    interview_fee_instructions: Mapped[str] = mapped_column(Text, default="")


class Programme(LocalizedName, TimestampMixin, db.Model):
    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_en: Mapped[str] = mapped_column(String(120))
    name_ru: Mapped[str] = mapped_column(String(120), default="")
    name_az: Mapped[str] = mapped_column(String(120), default="")
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    languages: Mapped[list[ProgrammeLanguage]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ProgrammeLanguage.language")

    @property
    def language_codes(self) -> list[str]:
        return [pl.language for pl in self.languages]


class ProgrammeLanguage(db.Model):
    """A language of instruction a programme is offered in."""

    __tablename__ = "programme_languages"
    __table_args__ = (
        UniqueConstraint("programme_id", "language", name="uq_programme_languages_programme_language"),
        one_of("language", INSTRUCTION_LANGUAGES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(2))


class DocumentType(LocalizedName, TimestampMixin, db.Model):
    __tablename__ = "document_types"
    __table_args__ = (
        one_of("requirement", ("required", "optional", "conditional")),
        CheckConstraint("max_size_mb > 0", name="max_size"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_en: Mapped[str] = mapped_column(String(160))
    name_ru: Mapped[str] = mapped_column(String(160), default="")
    name_az: Mapped[str] = mapped_column(String(160), default="")
    help_en: Mapped[str] = mapped_column(Text, default="")
    help_ru: Mapped[str] = mapped_column(Text, default="")
    help_az: Mapped[str] = mapped_column(Text, default="")
    requirement: Mapped[str] = mapped_column(String(16), default="required")
    # For 'conditional': when the document is required (see services/documents.py): under_18, interview.
    condition: Mapped[str | None] = mapped_column(String(32))
    allowed_kinds: Mapped[str] = mapped_column(String(40), default="pdf,jpeg,png")
    max_size_mb: Mapped[int] = mapped_column(default=10)
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
