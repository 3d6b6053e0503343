"""Finding 4: an applicant could send messages (each one e-mailed to the office) and uploads
without any limit. Now both are limited per account, the 429 page says when to try again (in the
person's language), and production refuses rate limits that each web worker would count alone."""

from __future__ import annotations

import io
import re

import pytest

from portal import config
from portal.extensions import db
from tests.builders import files
from tests.builders.factories import PASSWORD, ApplicationFactory, DocumentTypeFactory
from tests.helpers import Forms, text_of

PRODUCTION = {"PORTAL_ENV": "production", "SECRET_KEY": "Zq8-production-secret-with-variety-0123456789",
              "PUBLIC_BASE_URL": "https://admissions.example.edu"}


def logged_in(app, application, address="198.51.100.7") -> Forms:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    forms = Forms(client)
    forms.login(application.applicant.email, PASSWORD)
    return forms


def test_messages_are_limited_per_applicant(make_app, ctx):
    app = make_app(RATELIMIT_ENABLED=True, MESSAGE_RATE_LIMIT="2 per hour")
    mine = ApplicationFactory(complete=True, status="submitted", reference="T00-000001")
    theirs = ApplicationFactory(complete=True, status="submitted", reference="T00-000002")
    db.session.commit()
    forms = logged_in(app, mine)
    sent = [forms.post("/apply/messages", {"body": f"Question {n}"}).status_code for n in range(2)]
    refused = forms.post("/apply/messages", {"body": "Question 3"})
    assert sent == [302, 302] and refused.status_code == 429
    assert 3500 <= int(refused.headers["Retry-After"]) <= 3600
    assert re.search(r"Please try again in (59|60) minutes\.", text_of(refused))
    mine.applicant.locale = "ru"  # the page is in the person's language
    db.session.commit()
    ru = forms.post("/apply/messages", {"body": "Вопрос"})
    assert ru.status_code == 429 and "Слишком много запросов" in text_of(ru)
    assert forms.client.get("/apply/messages").status_code == 200  # reading the thread is not limited
    elsewhere = logged_in(app, mine, address="192.0.2.44")  # the same person from another address
    assert elsewhere.post("/apply/messages", {"body": "Question 4"}).status_code == 429
    assert logged_in(app, theirs).post("/apply/messages", {"body": "Hello"}).status_code == 302


def test_uploads_are_limited_per_applicant(make_app, ctx):
    app = make_app(RATELIMIT_ENABLED=True, UPLOAD_RATE_LIMIT="2 per hour")
    DocumentTypeFactory(code="passport", name_en="Passport (photo page)")
    application = ApplicationFactory(complete=True)
    db.session.commit()
    forms = logged_in(app, application)

    def upload(**kwargs):
        return forms.post("/apply/documents/passport", {"file": (io.BytesIO(files.pdf()), "passport.pdf")},
                          page="/apply/documents", **kwargs)

    assert [upload().status_code for _ in range(2)] == [302, 302]
    refused = upload()
    assert refused.status_code == 429 and re.search(r"Please try again in (59|60) minutes\.", text_of(refused))
    scripted = upload(headers={"Accept": "application/json"})  # static/js/upload.js shows "error"
    assert scripted.status_code == 429
    assert re.fullmatch(r"Too many requests\. Please try again in (59|60) minutes\.", scripted.get_json()["error"])


@pytest.mark.parametrize("env, refused", [
    ({"WEB_CONCURRENCY": "4"}, True),
    ({"WEB_CONCURRENCY": "4", "REDIS_URL": "redis://redis.internal:6379/0"}, False),
    ({"WEB_CONCURRENCY": "1"}, False),
    ({"WEB_CONCURRENCY": "4", "RATELIMIT_ENABLED": "0"}, False),
])
def test_production_refuses_per_process_rate_limits_with_several_workers(env, refused):
    settings = config.from_environment({**PRODUCTION, **env})
    if refused:
        with pytest.raises(config.ConfigError, match="REDIS_URL"):
            config.finalise(settings)
    else:
        config.finalise(settings)
