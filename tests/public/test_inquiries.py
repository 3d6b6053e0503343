"""Contact Us and Letter to the Rector: storing, acknowledging (over real SMTP too), the honeypot,
the rate limit, CSRF, errors per field, PDF attachments judged by content; the office inbox."""

from __future__ import annotations

import io
import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from portal.extensions import db, limiter
from portal.models import AuditLog, Inquiry, InquiryReply, OutboundEmail
from portal.services import inquiries
from tests.builders import files
from tests.builders.factories import PASSWORD, InquiryFactory, UserFactory
from tests.helpers import Forms, text_of
from tests.test_pages import make_app

REFERENCE = re.compile(r"^Q\d{2}-\d{6}$")
RU_FOOTER = "Это письмо отправлено приёмной комиссией"


def message_form(**overrides) -> dict:
    data = {"name": "Leyla Mammadova", "email": "Leyla@Example.com", "country": "TR",
            "subject": "Question about the interview", "message": "When are the interviews held?",
            "homepage": ""}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def stored_files(app) -> list[Path]:
    root = Path(app.config["UPLOAD_DIR"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def clean_uploads(app):
    import shutil

    shutil.rmtree(app.config["UPLOAD_DIR"], ignore_errors=True)
    yield
    shutil.rmtree(app.config["UPLOAD_DIR"], ignore_errors=True)


# --- sending ---------------------------------------------------------------------------------

def test_contact_message_is_stored_numbered_and_acknowledged(client, forms, ctx, outbox):
    response = forms.post("/contact", message_form(), headers={"Accept-Language": "ru"})
    assert response.status_code == 302 and response.headers["Location"] == "/contact"
    inquiry = db.session.scalars(select(Inquiry)).one()
    assert REFERENCE.match(inquiry.reference) and inquiry.reference.endswith(f"{inquiry.id:06d}")
    assert (inquiry.kind, inquiry.status, inquiry.email, inquiry.country, inquiry.locale) == (
        "contact", "new", "leyla@example.com", "TR", "ru")
    row = db.session.scalars(select(OutboundEmail)).one()
    assert row.template == "inquiry_received" and row.recipient == "leyla@example.com"
    assert row.locale == "ru" and inquiry.reference in row.subject and row.state == "sent"
    assert RU_FOOTER in row.body_html  # rendered in the sender's language
    assert "When are the interviews held?" not in row.body_text  # the message is not echoed
    assert len(outbox) == 1 and outbox[0].to == ["leyla@example.com"]
    page = client.get("/contact")
    assert inquiry.reference in text_of(page)  # the flash message names the reference


def test_rector_letter_without_attachment(forms, ctx, outbox):
    assert forms.post("/rector", message_form()).status_code == 302
    inquiry = db.session.scalars(select(Inquiry)).one()
    assert inquiry.kind == "rector" and inquiry.attachment_key is None
    assert "Letter to the Rector" in outbox[0].body


def test_honeypot_silently_succeeds_without_storing_or_mailing(client, forms, ctx, outbox):
    response = forms.post("/contact", message_form(homepage="http://spam.example.com"), follow=True)
    assert response.status_code == 200
    assert "Thank you. Your message has been sent." in text_of(response)
    assert count(Inquiry) == 0 and count(OutboundEmail) == 0 and outbox == []


def test_honeypot_is_hidden_from_people(client):
    html = client.get("/contact").get_data(as_text=True)
    block = re.search(r'<div class="hp-field" aria-hidden="true">(.*?)</div>', html, re.S).group(1)
    assert 'tabindex="-1"' in block and 'autocomplete="off"' in block
    assert '<label for="homepage">' in block


def test_csrf_is_refused(client, ctx, outbox):
    response = client.post("/contact", data=message_form())
    assert response.status_code == 400 and "nothing was saved" in text_of(response)
    assert count(Inquiry) == 0 and outbox == []


@pytest.mark.parametrize("field, value, message", [
    ("name", "", "Enter your name."),
    ("name", "x" * 121, "Use at most 120 characters."),
    ("email", "", "Enter your e-mail address."),
    ("email", "not-an-address", "Enter a valid e-mail address"),
    ("country", "", "Choose your country."),
    ("country", "XX", "Choose a country from the list."),
    ("subject", "", "Enter a subject."),
    ("subject", "s" * 201, "Use at most 200 characters."),
    ("message", "", "Write your message."),
    ("message", "too short", "Write between 10 and 5000 characters."),
    ("message", "m" * 5001, "Write between 10 and 5000 characters."),
])
@pytest.mark.parametrize("path", ["/contact", "/rector"])
def test_bad_input_is_shown_next_to_its_field_and_nothing_is_saved(forms, ctx, outbox, path, field,
                                                                   value, message):
    response = forms.post(path, message_form(**{field: value}))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    error = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', html, re.S)
    assert error and message in error.group(1)
    assert re.search(rf'<(input|select|textarea)[^>]*aria-describedby="[^"]*{field}-error"[^>]*aria-invalid="true"'
                     rf'|<(input|select|textarea)[^>]*aria-invalid="true"[^>]*id="{field}"', html) or \
        f'aria-describedby="{field}-error"' in html
    assert html.count('class="error"') == 1  # only that field is wrong
    assert count(Inquiry) == 0 and outbox == []
    if field != "message":  # what the person typed is kept
        assert "When are the interviews held?" in html


def test_countries_are_localised(client):
    ru = client.get("/contact", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    az = client.get("/contact", headers={"Accept-Language": "az"}).get_data(as_text=True)
    assert '<option value="DE">Германия</option>' in ru
    assert '<option value="DE">Almaniya</option>' in az


def test_rate_limit_refuses_the_next_submission_with_a_clear_page(database_url, tmp_path, ctx):
    app = make_app(database_url, tmp_path, RATELIMIT_ENABLED=True, INQUIRY_RATE_LIMIT="5 per hour")
    try:
        forms = Forms(app.test_client())
        codes = [forms.post("/contact", message_form(subject=f"Question {i}")).status_code for i in range(5)]
        assert codes == [302] * 5
        refused = forms.post("/contact", message_form(subject="Question 6"))
        assert refused.status_code == 429
        assert "too many requests" in text_of(refused).lower() and "Letter to the Rector" in text_of(refused)
        assert forms.post("/rector", message_form()).status_code == 429  # one limit for both forms
        assert forms.client.get("/contact").status_code == 200  # reading the form is not limited
        refused_ru = forms.post("/contact", message_form(), headers={"Accept-Language": "ru"})
        assert "Слишком много запросов" in text_of(refused_ru)
        assert count(Inquiry) == 5
    finally:
        limiter.enabled = False


# --- PDF attachments -------------------------------------------------------------------------

def upload(data: bytes, name: str = "letter.pdf"):
    return (io.BytesIO(data), name)


def test_rector_letter_with_a_pdf_is_stored_through_the_storage(app, forms, ctx, clean_uploads):
    data = files.pdf()
    response = forms.post("/rector", {**message_form(), "attachment": upload(data, "../../My letter.pdf")},
                          content_type="multipart/form-data")
    assert response.status_code == 302
    inquiry = db.session.scalars(select(Inquiry)).one()
    assert inquiry.attachment_name == "My letter.pdf" and inquiry.attachment_size == len(data)
    import hashlib

    assert inquiry.attachment_sha256 == hashlib.sha256(data).hexdigest()
    stored = stored_files(app)
    assert len(stored) == 1 and stored[0].read_bytes() == data
    assert "My letter" not in str(stored[0])  # the key is random, never the sender's name


@pytest.mark.parametrize("make, message", [
    (lambda: b"GIF89a this is an image, not a PDF", "must be a PDF"),
    (lambda: files.jpeg(), "must be a PDF"),
    (lambda: b"%PDF-1.7\nthis only looks like a PDF", "could not be read"),
    (lambda: files.pdf()[:150], "could not be read"),
    (files.pdf_encrypted, "protected with a password"),
    (files.pdf_with_names_javascript, "JavaScript or other active content"),
    (files.pdf_with_open_action_uri, "JavaScript or other active content"),
    (files.pdf_with_link_launch, "JavaScript or other active content"),
    (files.pdf_with_attachment, "attached files"),
    (files.pdf_with_hex_escaped_js_name, "JavaScript or other active content"),
    (files.pdf_with_bookmark_js, "JavaScript or other active content"),
    (files.pdf_with_indirect_script, "JavaScript or other active content"),
    (files.pdf_with_hex_escaped_launch, "JavaScript or other active content"),
    (files.pdf_with_compressed_bookmark_js, "JavaScript or other active content"),
], ids=["not-pdf", "jpeg", "fake-magic", "truncated", "encrypted", "javascript", "open-action", "launch",
        "embedded-file", "hex-escaped-name", "bookmark-action", "script-in-another-object", "hex-escaped-launch",
        "bookmark-in-object-stream"])
def test_bad_attachments_are_refused_leaving_no_file_and_no_row(app, forms, ctx, outbox, clean_uploads,
                                                                make, message):
    response = forms.post("/rector", {**message_form(), "attachment": upload(make())},
                          content_type="multipart/form-data")
    assert response.status_code == 200
    error = re.search(r'<p class="error" id="attachment-error">(.*?)</p>', response.get_data(as_text=True), re.S)
    assert error and message in error.group(1)
    assert count(Inquiry) == 0 and outbox == [] and stored_files(app) == []


def test_attachment_over_the_size_limit_is_refused(database_url, tmp_path, ctx):
    app = make_app(database_url, tmp_path, MAX_UPLOAD_MB=1)
    forms = Forms(app.test_client())
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10)
    response = forms.post("/rector", {**message_form(), "attachment": upload(big)},
                          content_type="multipart/form-data")
    assert "larger than 1 MB" in text_of(response)
    assert count(Inquiry) == 0 and stored_files(app) == []


def test_failure_after_storing_leaves_no_file_and_no_row(app, forms, ctx, clean_uploads, monkeypatch):
    def broken_mail(*args, **kwargs):
        raise RuntimeError("template broke")

    monkeypatch.setattr(inquiries.notifications, "queue_email", broken_mail)
    response = forms.post("/rector", {**message_form(), "attachment": upload(files.pdf())},
                          content_type="multipart/form-data")
    assert response.status_code == 500
    assert count(Inquiry) == 0 and stored_files(app) == []


def test_failed_commit_leaves_no_file_and_no_row(app, forms, ctx, clean_uploads, monkeypatch):
    token = forms.token("/rector")

    def broken_commit():
        raise RuntimeError("database went away")

    monkeypatch.setattr(db.session, "commit", broken_commit)
    response = forms.client.post("/rector", data={**message_form(), "csrf_token": token,
                                                  "attachment": upload(files.pdf())},
                                 content_type="multipart/form-data")
    monkeypatch.undo()
    assert response.status_code == 500
    assert count(Inquiry) == 0 and stored_files(app) == []


def test_contact_form_takes_no_attachment(app, forms, ctx, clean_uploads):
    forms.post("/contact", {**message_form(), "attachment": upload(files.pdf())},
               content_type="multipart/form-data")
    assert db.session.scalars(select(Inquiry)).one().attachment_key is None and stored_files(app) == []


# --- e-mail over real SMTP ---------------------------------------------------------------------

@pytest.mark.smtp
def test_acknowledgement_and_reply_arrive_over_real_smtp(smtp_app, smtp_server, ctx):
    _host, _port, sink = smtp_server
    public = Forms(smtp_app.test_client())
    assert public.post("/contact", message_form(), headers={"Accept-Language": "ru"}).status_code == 302
    inquiry = db.session.scalars(select(Inquiry)).one()
    assert len(sink.messages) == 1
    ack = sink.messages[0]
    assert ack["To"] == "leyla@example.com" and inquiry.reference in ack["Subject"]
    assert inquiry.reference in ack.get_body(("plain",)).get_content()
    assert RU_FOOTER in ack.get_body(("html",)).get_content() and 'lang="ru"' in ack.get_body(("html",)).get_content()

    officer = UserFactory(officer=True)
    office = Forms(smtp_app.test_client())
    office.login(officer.email, PASSWORD)
    answer = "The interviews are held every Tuesday.\nPlease book a slot <b>online</b>."
    response = office.post(f"/office/inbox/{inquiry.id}/reply", {"body": answer},
                           page=f"/office/inbox/{inquiry.id}")
    assert response.status_code == 302
    assert len(sink.messages) == 2
    reply = sink.messages[1]
    assert reply["To"] == "leyla@example.com"
    assert inquiry.reference in reply["Subject"] and "Question about the interview" in reply["Subject"]
    assert answer in reply.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = reply.get_body(("html",)).get_content()
    assert "&lt;b&gt;online&lt;/b&gt;" in html and RU_FOOTER in html  # escaped; the sender's language
    db.session.expire_all()
    stored = db.session.get(Inquiry, inquiry.id)
    assert stored.status == "answered" and stored.handled_by_id == officer.id
    assert [r.body for r in stored.replies] == [answer]


# --- the office inbox --------------------------------------------------------------------------

@pytest.fixture
def officer(ctx, forms):
    user = UserFactory(officer=True)
    forms.login(user.email, PASSWORD)
    return user


def audit(action: str) -> list[AuditLog]:
    return list(db.session.scalars(select(AuditLog).where(AuditLog.action == action)))


def test_inbox_refuses_anonymous_and_applicants(client, forms, ctx):
    inquiry = InquiryFactory()
    paths = ["/office/inbox", f"/office/inbox/{inquiry.id}", f"/office/inbox/{inquiry.id}/attachment"]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")
    forms.login(UserFactory().email, PASSWORD)
    for path in paths:
        assert client.get(path).status_code == 403, path
    assert forms.post(f"/office/inbox/{inquiry.id}/reply", {"body": "x"}, page="/").status_code == 403
    assert forms.post(f"/office/inbox/{inquiry.id}/status", {"status": "answered"}, page="/").status_code == 403
    assert count(InquiryReply) == 0 and audit("inquiry.view") == []


def test_inbox_lists_and_filters_by_kind_and_status(client, officer):
    InquiryFactory(kind="contact", status="new", subject="Contact new")
    InquiryFactory(kind="rector", status="new", subject="Rector new")
    InquiryFactory(kind="rector", status="answered", subject="Rector answered")
    everything = text_of(client.get("/office/inbox"))
    assert all(s in everything for s in ("Contact new", "Rector new", "Rector answered"))
    rector = text_of(client.get("/office/inbox?kind=rector"))
    assert "Contact new" not in rector and "Rector new" in rector and "Rector answered" in rector
    answered = text_of(client.get("/office/inbox?kind=rector&status=answered"))
    assert "Rector answered" in answered and "Rector new" not in answered and "Contact new" not in answered
    assert "No messages match." in text_of(client.get("/office/inbox?kind=contact&status=answered"))


@contextmanager
def counted_queries():
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def test_inbox_query_count_stays_flat_as_rows_grow(client, officer):
    handler = UserFactory(officer=True)
    InquiryFactory.create_batch(2, handled_by_id=handler.id)
    with counted_queries() as few:
        assert client.get("/office/inbox").status_code == 200
    InquiryFactory.create_batch(15, handled_by_id=handler.id)
    with counted_queries() as many:
        assert client.get("/office/inbox").status_code == 200
    assert len(many) == len(few), (few, many)


def test_inbox_is_paginated(client, officer):
    InquiryFactory.create_batch(21)
    assert "Page 1 of 2" in text_of(client.get("/office/inbox"))
    assert client.get("/office/inbox?page=2").status_code == 200
    assert client.get("/office/inbox?page=3").status_code == 404


def test_opening_an_inquiry_is_audited(client, officer):
    inquiry = InquiryFactory(subject="Dormitory", body="Is there a dormitory?")
    page = client.get(f"/office/inbox/{inquiry.id}")
    assert page.status_code == 200 and "Is there a dormitory?" in text_of(page)
    [entry] = audit("inquiry.view")
    assert entry.actor_id == officer.id and entry.target_id == str(inquiry.id)
    assert entry.details["reference"] == inquiry.reference


def test_unknown_inquiry_is_404(client, forms, officer):
    assert client.get("/office/inbox/999999").status_code == 404
    assert client.get("/office/inbox/999999/attachment").status_code == 404
    assert forms.post("/office/inbox/999999/reply", {"body": "x"}, page="/office/inbox").status_code == 404


def test_reply_is_kept_mailed_in_the_inquiry_language_and_audited(client, forms, officer, outbox):
    inquiry = InquiryFactory(locale="ru", status="in_progress")
    response = forms.post(f"/office/inbox/{inquiry.id}/reply", {"body": "Ответ на ваш вопрос."},
                          page=f"/office/inbox/{inquiry.id}")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Inquiry, inquiry.id).status == "answered"
    row = db.session.scalars(select(OutboundEmail)).one()
    assert row.template == "inquiry_reply" and row.locale == "ru" and RU_FOOTER in row.body_html
    [entry] = audit("inquiry.reply")
    assert entry.actor_id == officer.id and entry.details["from"] == "in_progress"
    assert "Ответ на ваш вопрос." in text_of(client.get(f"/office/inbox/{inquiry.id}"))


def test_empty_reply_is_refused_next_to_its_field(client, forms, officer, outbox):
    inquiry = InquiryFactory()
    response = forms.post(f"/office/inbox/{inquiry.id}/reply", {"body": "   "}, page=f"/office/inbox/{inquiry.id}")
    assert response.status_code == 200
    assert re.search(r'<p class="error" id="body-error">.*Write the reply\.', response.get_data(as_text=True), re.S)
    assert count(InquiryReply) == 0 and outbox == [] and audit("inquiry.reply") == []


def test_reply_without_csrf_is_refused(client, officer, outbox):
    inquiry = InquiryFactory()
    assert client.post(f"/office/inbox/{inquiry.id}/reply", data={"body": "hello"}).status_code == 400
    assert count(InquiryReply) == 0 and outbox == []


def test_status_change_is_audited(client, forms, officer):
    inquiry = InquiryFactory()
    forms.post(f"/office/inbox/{inquiry.id}/status", {"status": "in_progress"}, page=f"/office/inbox/{inquiry.id}")
    db.session.expire_all()
    assert db.session.get(Inquiry, inquiry.id).status == "in_progress"
    [entry] = audit("inquiry.status")
    assert entry.details == {"reference": inquiry.reference, "from": "new", "to": "in_progress"}
    bad = forms.post(f"/office/inbox/{inquiry.id}/status", {"status": "deleted"}, page=f"/office/inbox/{inquiry.id}")
    assert bad.status_code == 200 and 'id="status-error"' in bad.get_data(as_text=True)


def test_attachment_download_is_audited(app, client, officer, clean_uploads):
    from portal.uploads import get_storage

    data = files.pdf()
    key = get_storage().save(io.BytesIO(data))
    inquiry = InquiryFactory(kind="rector", attachment_key=key, attachment_name="letter.pdf",
                             attachment_size=len(data))
    response = client.get(f"/office/inbox/{inquiry.id}/attachment")
    assert response.status_code == 200 and response.data == data
    assert response.mimetype == "application/pdf"
    assert 'attachment; filename=letter.pdf' in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"
    assert len(audit("inquiry.attachment")) == 1
    plain = InquiryFactory()
    assert client.get(f"/office/inbox/{plain.id}/attachment").status_code == 404
