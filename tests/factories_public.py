"""Factories for the public site: notices (with translations) and inquiries, plus test PDFs."""

from __future__ import annotations

import io
from datetime import timedelta

import factory
from factory.alchemy import SQLAlchemyModelFactory

from portal.database import utcnow
from portal.extensions import db
from portal.models import Inquiry, Notice, NoticeTranslation


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

def _writer():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    return writer


def _bytes(writer) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def plain_pdf() -> bytes:
    return _bytes(_writer())


def pdf_with_javascript() -> bytes:
    """A document-level script in the /Names tree (no /OpenAction, so only the script is found)."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    writer = _writer()
    script = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                               NameObject("/JS"): TextStringObject("app.alert('hello');")})
    tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("hello"),
                                                               writer._add_object(script)])})
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})
    return _bytes(writer)


def pdf_with_open_action() -> bytes:
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = _writer()
    action = DictionaryObject({NameObject("/S"): NameObject("/URI"),
                               NameObject("/URI"): TextStringObject("https://example.com/")})
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    return _bytes(writer)


def pdf_with_launch_action() -> bytes:
    """A link annotation whose action launches a program (no /OpenAction, no /JS anywhere)."""
    from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, TextStringObject

    writer = _writer()
    action = DictionaryObject({NameObject("/S"): NameObject("/Launch"),
                               NameObject("/F"): TextStringObject("calc.exe")})
    annotation = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
        NameObject("/Rect"): ArrayObject([FloatObject(0), FloatObject(0), FloatObject(50), FloatObject(50)]),
        NameObject("/A"): action})
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])
    return _bytes(writer)


def pdf_with_embedded_file() -> bytes:
    writer = _writer()
    writer.add_attachment("payload.exe", b"MZ not really a program")
    return _bytes(writer)


def encrypted_pdf() -> bytes:
    writer = _writer()
    writer.encrypt(user_password="secret", owner_password="owner")
    return _bytes(writer)
