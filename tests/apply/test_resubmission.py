"""A change request reopens named parts; the applicant must change exactly those before resubmitting."""

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Application
from portal.services import transitions
from tests.apply.test_documents import types, upload, upload_dir  # noqa: F401  (fixtures)
from tests.apply.test_wizard import DECLARATIONS, VALID, the_version
from tests.builders import files
from tests.builders.factories import PASSWORD, ApplicationFactory, UserFactory
from tests.helpers import text_of

pytestmark = pytest.mark.usefixtures("ctx")


@pytest.fixture
def reopened(forms, types, upload_dir):  # noqa: F811
    application = ApplicationFactory(complete=True)
    db.session.commit()
    forms.login(application.applicant.email, PASSWORD)
    for code in ("passport", "photo"):
        data, name = (files.pdf(), "passport.pdf") if code == "passport" else (files.png(), "me.png")
        assert upload(forms, code, data, name).status_code == 302
    version = the_version(forms.client)
    assert forms.post("/apply/review", {**DECLARATIONS, "version": version}).status_code == 302
    db.session.expire_all()
    application = db.session.get(Application, application.id)
    officer = UserFactory(officer=True)
    transitions.start_review(application, officer, application.version)
    transitions.request_changes(application, officer, application.version, steps=["contact"],
                                 document_codes=["passport"], message="New address and a clearer passport scan.")
    db.session.commit()
    return application


def test_resubmission_needs_exactly_the_requested_changes(client, forms, reopened):
    home = text_of(client.get("/apply/"))
    assert "The admissions office asks:" in home and "New address and a clearer passport scan." in home
    assert "Contact: change this part" in home and "upload Passport (photo page) again" in home
    refused = forms.post("/apply/review", {**DECLARATIONS, "version": the_version(client)})
    assert "not complete yet" in text_of(refused)
    assert upload(forms, "photo", files.png(), "me.png").status_code == 422  # not reopened: refused
    assert forms.post("/apply/step/contact", {**VALID["contact"], "city": "Tehran", "save": "1"}).status_code == 302
    assert forms.post("/apply/step/personal", {**VALID["personal"], "surname": "Other", "save": "1"}
                      ).status_code == 302
    assert upload(forms, "passport", files.pdf(pages=2), "passport-new.pdf").status_code == 302
    response = forms.post("/apply/review", {**DECLARATIONS, "version": the_version(client)})
    assert response.headers["Location"] == "/apply/"
    application = db.session.scalar(select(Application).where(Application.id == reopened.id))
    db.session.refresh(application)
    assert application.status == "submitted" and application.city == "Tehran"
    assert application.surname == "ALIYEVA"  # the personal step stayed locked
