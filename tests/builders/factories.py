"""factory_boy factories bound to the per-test session: accounts, reference data, applications,
notices and inquiries. Files (real and hostile) are in files.py beside this module."""

from datetime import timedelta
from decimal import Decimal

import factory
from factory.alchemy import SQLAlchemyModelFactory

from portal.database import utcnow
from portal.extensions import db
from portal.models import (
    Application,
    DocumentType,
    Inquiry,
    Intake,
    Notice,
    NoticeTranslation,
    Programme,
    ProgrammeLanguage,
    User,
)
from portal.services.accounts import hash_password

PASSWORD = "Quiet meadow lantern 1972"


class UserFactory(SQLAlchemyModelFactory):
    class Meta:
        model = User
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731  (replaced per test)
        sqlalchemy_session_persistence = "flush"

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    password_hash = factory.LazyFunction(lambda: hash_password(PASSWORD))
    role = "applicant"
    locale = "en"
    email_verified_at = factory.LazyFunction(utcnow)

    class Params:
        unverified = factory.Trait(email_verified_at=None)
        officer = factory.Trait(role="officer")
        admin = factory.Trait(role="admin")


class IntakeFactory(SQLAlchemyModelFactory):
    class Meta:
        model = Intake
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"

    code = factory.Sequence(lambda n: f"T{n:02d}")
    name = factory.Sequence(lambda n: f"Foundation Course test intake {n}")
    opens_at = factory.LazyFunction(lambda: utcnow() - timedelta(days=30))
    closes_at = factory.LazyFunction(lambda: utcnow() + timedelta(days=90))
    course_starts_on = factory.LazyFunction(lambda: (utcnow() + timedelta(days=200)).date())
    interview_required = False  # the interview stage's own tests turn it on


class ProgrammeFactory(SQLAlchemyModelFactory):
    class Meta:
        model = Programme
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"

    code = factory.Sequence(lambda n: f"track-{n}")
    name_en = "General Medicine"
    name_ru = "Лечебное дело"
    name_az = "Müalicə işi"
    languages = factory.LazyFunction(lambda: [ProgrammeLanguage(language=c) for c in ("en", "ru")])


class DocumentTypeFactory(SQLAlchemyModelFactory):
    class Meta:
        model = DocumentType
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"

    code = factory.Sequence(lambda n: f"doc-{n}")
    name_en = factory.Sequence(lambda n: f"Document {n}")
    requirement = "required"
    position = factory.Sequence(int)


class ApplicationFactory(SQLAlchemyModelFactory):
    """A draft; ``ApplicationFactory(complete=True)`` has every form step answered validly."""

    class Meta:
        model = Application
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"

    applicant = factory.SubFactory(UserFactory)
    intake = factory.SubFactory(IntakeFactory)
    completed_steps = factory.LazyFunction(list)
    reopened_steps = factory.LazyFunction(list)

    class Params:
        complete = factory.Trait(
            programme=factory.SubFactory(ProgrammeFactory),
            instruction_language="en",
            surname="ALIYEVA", given_names="LEYLA", sex="F",
            date_of_birth=factory.LazyAttribute(
                lambda o: o.intake.course_starts_on.replace(year=o.intake.course_starts_on.year - 19)),
            place_of_birth="Tabriz", citizenship="IR",
            passport_number=factory.Sequence(lambda n: f"K{n:08d}"), passport_country="IR",
            passport_issued_on=factory.LazyFunction(lambda: (utcnow() - timedelta(days=400)).date()),
            passport_expires_on=factory.LazyFunction(lambda: (utcnow() + timedelta(days=3000)).date()),
            phone="+989121234567", address="12 Azadi Street", city="Tabriz", country="IR",
            emergency_name="Mina Aliyeva", emergency_phone="+989121234568",
            school_name="Tabriz High School No. 3", school_country="IR",
            graduation_year=factory.LazyFunction(lambda: utcnow().year),
            certificate_number="TB-2026-0042", grade_scale="100",
            biology_grade=Decimal("91"), chemistry_grade=Decimal("88"), language_certificate="none",
            completed_steps=["programme", "personal", "passport", "contact", "education"],
        )


class NoticeFactory(SQLAlchemyModelFactory):
    """A published notice, visible since yesterday, in English (``texts`` adds languages)."""

    class Meta:
        model = Notice
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"

    slug = factory.Sequence(lambda n: f"notice-{n}")
    kind = "news"
    published = True
    pinned = False
    publish_at = factory.LazyFunction(lambda: utcnow() - timedelta(days=1))
    expire_at = None

    @factory.post_generation
    def texts(obj, create, extracted, **kwargs):
        texts = extracted or {"en": (f"Title of {obj.slug}", f"Summary of {obj.slug}", f"Body of **{obj.slug}**")}
        for code, (title, summary, body) in texts.items():
            obj.translations.append(NoticeTranslation(locale=code, title=title, summary=summary, body=body))
        if create:
            db.session.flush()


class InquiryFactory(SQLAlchemyModelFactory):
    class Meta:
        model = Inquiry
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"

    kind = "contact"
    status = "new"
    name = factory.Sequence(lambda n: f"Sender {n}")
    email = factory.Sequence(lambda n: f"sender{n}@example.com")
    country = "NG"
    subject = factory.Sequence(lambda n: f"Question {n}")
    body = "A question about the documents I need to send."
    locale = "en"

    @factory.post_generation
    def numbered(obj, create, extracted, **kwargs):
        if create:
            db.session.flush()
            obj.reference = f"Q{obj.created_at:%y}-{obj.id:06d}"
            db.session.flush()


# --- PDFs ----------------------------------------------------------------------------------
