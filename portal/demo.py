"""Demo data for ``flask --app wsgi seed-demo``: every function is idempotent (it looks rows up
by their natural key first) and returns a line to print per thing it created or found."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from portal.extensions import db
from portal.models import DocumentType, Intake, Programme, ProgrammeLanguage
from portal.services import accounts

DEMO_ACCOUNTS = (
    ("officer@demo.example.org", "officer", "Officer tulip harbour 2027"),
    ("admin@demo.example.org", "admin", "Admin cedar lantern 2027"),
    ("applicant@demo.example.org", "applicant", "Applicant river compass 2027"),
)

PROGRAMMES = (
    # code, en, ru, az, languages of instruction
    ("general-medicine", "General Medicine", "Лечебное дело", "Müalicə işi", ("en", "ru", "az")),
    ("dentistry", "Dentistry", "Стоматология", "Stomatologiya", ("en", "ru", "az")),
    ("pharmacy", "Pharmacy", "Фармация", "Əczaçılıq", ("en", "ru")),
    ("public-health", "Public Health", "Общественное здравоохранение", "İctimai səhiyyə", ("en", "az")),
)

DOCUMENT_TYPES = (
    # code, requirement, condition, en, ru, az
    ("passport", "required", None, "Passport (photo page)", "Паспорт (страница с фотографией)",
     "Pasport (şəkilli səhifə)"),
    ("school-certificate", "required", None, "Secondary school certificate",
     "Аттестат о среднем образовании", "Orta təhsil haqqında attestat"),
    ("transcript", "required", None, "Transcript of grades", "Приложение с оценками", "Qiymət cədvəli"),
    ("notarised-translation", "required", None, "Notarised translation of certificate and transcript",
     "Нотариально заверенный перевод аттестата и приложения",
     "Attestatın və qiymət cədvəlinin notarial qaydada təsdiqlənmiş tərcüməsi"),
    ("medical-certificate", "required", None, "Medical certificate (general health)",
     "Медицинская справка (общее состояние здоровья)", "Tibbi arayış (ümumi sağlamlıq)"),
    ("hiv-hepatitis", "required", None, "HIV and hepatitis test results",
     "Результаты анализов на ВИЧ и гепатит", "HİV və hepatit analizlərinin nəticələri"),
    ("photo", "required", None, "Photo 3x4 cm", "Фотография 3x4 см", "Foto 3x4 sm"),
    ("birth-certificate", "conditional", "under_18", "Birth certificate (required only under 18)",
     "Свидетельство о рождении (только для лиц младше 18 лет)",
     "Doğum haqqında şəhadətnamə (yalnız 18 yaşdan kiçiklər üçün)"),
    ("language-certificate", "optional", None, "Language certificate", "Языковой сертификат",
     "Dil sertifikatı"),
    ("interview-fee-receipt", "conditional", "interview", "Interview fee receipt",
     "Квитанция об оплате собеседования", "Müsahibə haqqının ödənişi barədə qəbz"),
)


def seed_accounts() -> list[str]:
    lines = []
    for email, role, password in DEMO_ACCOUNTS:
        if accounts.find_by_email(email) is None:
            accounts.create_user(email, password, role=role, verified=True)
            state = "created"
        else:
            state = "exists, password unchanged"
        lines.append(f"  {role:<10} {email:<30} {password}   ({state})")
    return lines


def seed_reference_data() -> list[str]:
    lines = []
    if db.session.scalar(select(Intake).where(Intake.code == "FC27")) is None:
        db.session.add(Intake(code="FC27", name="Foundation Course 2027/2028",
                              opens_at=datetime(2026, 11, 1, tzinfo=UTC),
                              closes_at=datetime(2027, 6, 30, 20, 0, tzinfo=UTC),
                              course_starts_on=date(2027, 9, 15)))
        lines.append("  intake FC27 Foundation Course 2027/2028 (created)")
    for position, (code, en, ru, az, languages) in enumerate(PROGRAMMES):
        if db.session.scalar(select(Programme).where(Programme.code == code)) is None:
            db.session.add(Programme(code=code, name_en=en, name_ru=ru, name_az=az, position=position,
                                     languages=[ProgrammeLanguage(language=lang) for lang in languages]))
            lines.append(f"  programme {en} (created)")
    for position, (code, requirement, condition, en, ru, az) in enumerate(DOCUMENT_TYPES):
        if db.session.scalar(select(DocumentType).where(DocumentType.code == code)) is None:
            db.session.add(DocumentType(code=code, requirement=requirement, condition=condition,
                                        name_en=en, name_ru=ru, name_az=az, position=position))
            lines.append(f"  document type {en} (created)")
    return lines
