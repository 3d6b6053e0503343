"""/office/settings: intakes and programmes, for admins only; nothing is deleted."""

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditLog, Intake, Programme
from tests.builders.factories import PASSWORD, ApplicationFactory, IntakeFactory, ProgrammeFactory, UserFactory
from tests.helpers import text_of

pytestmark = pytest.mark.usefixtures("ctx")
INTAKE = {"code": "FC28", "name": "Foundation Course 2028/2029", "opens_on": "2027-11-01",
          "closes_on": "2028-06-30", "course_starts_on": "2028-09-15", "active": "y"}
PROGRAMME = {"code": "nursing", "name_en": "Nursing", "name_ru": "Сестринское дело", "name_az": "Tibb bacısı işi",
             "languages": ["en", "az"], "position": "5", "active": "y"}


@pytest.fixture
def admin(forms):
    user = UserFactory(admin=True)
    forms.login(user.email, PASSWORD)
    return user


def test_admin_creates_and_edits_an_intake(client, forms, admin):
    response = forms.post("/office/settings/intakes/new", INTAKE)
    assert response.headers["Location"] == "/office/settings"
    intake = db.session.scalar(select(Intake).where(Intake.code == "FC28"))
    assert intake.closes_at.hour == 23 and intake.course_starts_on.isoformat() == "2028-09-15"
    assert "Foundation Course 2028/2029" in text_of(client.get("/office/settings"))
    forms.post(f"/office/settings/intakes/{intake.id}", {**INTAKE, "active": ""})
    db.session.refresh(intake)
    assert intake.active is False
    actions = db.session.scalars(select(AuditLog.action).where(AuditLog.target_type == "intake")).all()
    assert actions == ["intake.create", "intake.update"]


def test_intake_interview_settings(forms, admin):
    forms.post("/office/settings/intakes/new", {**INTAKE, "interview_required": "y", "interview_fee_amount": "100,50",
                                                "interview_fee_currency": "azn",
                                                "interview_fee_instructions": "Pay at the bank."})
    intake = db.session.scalar(select(Intake).where(Intake.code == "FC28"))
    assert intake.interview_required and str(intake.interview_fee_amount) == "100.50"
    assert intake.interview_fee_currency == "AZN" and intake.interview_fee_instructions == "Pay at the bank."
    forms.post(f"/office/settings/intakes/{intake.id}", {**INTAKE, "interview_fee_amount": ""})
    db.session.refresh(intake)
    assert not intake.interview_required and intake.interview_fee_amount is None


@pytest.mark.parametrize("overrides, message", [
    ({"closes_on": "2027-10-01"}, "must not be before the opening day"),
    ({"course_starts_on": "2028-06-01"}, "must start after applications close"),
    ({"code": "F"}, "2 to 8 letters"),
    ({"opens_on": "not a date"}, "Enter a real date"),
    ({"name": ""}, "Enter a name"),
    ({"interview_fee_amount": "100"}, "Give the currency of the fee"),
    ({"interview_fee_amount": "a lot", "interview_fee_currency": "AZN"}, "Enter a number"),
    ({"interview_fee_amount": "-5", "interview_fee_currency": "AZN"}, "Enter an amount from 0"),
    ({"interview_fee_amount": "100", "interview_fee_currency": "manat"}, "three-letter currency code"),
])
def test_intake_bad_input(forms, admin, overrides, message):
    response = forms.post("/office/settings/intakes/new", {**INTAKE, **overrides})
    assert response.status_code == 200 and message in text_of(response)
    assert db.session.scalar(select(Intake).where(Intake.code == "FC28")) is None


def test_intake_code_is_unique_and_frozen_once_used(forms, admin):
    IntakeFactory(code="FC28")
    assert "already uses this code" in text_of(forms.post("/office/settings/intakes/new", INTAKE))
    used = ApplicationFactory().intake
    db.session.commit()
    response = forms.post(f"/office/settings/intakes/{used.id}", {**INTAKE, "code": "ZZ99"})
    assert "reference numbers of this intake use it" in text_of(response)


def test_admin_creates_and_edits_a_programme(forms, admin):
    forms.post("/office/settings/programmes/new", PROGRAMME)
    programme = db.session.scalar(select(Programme).where(Programme.code == "nursing"))
    assert programme.language_codes == ["az", "en"] and programme.position == 5
    forms.post(f"/office/settings/programmes/{programme.id}", {**PROGRAMME, "languages": ["ru"]})
    db.session.refresh(programme)
    assert programme.language_codes == ["ru"]


@pytest.mark.parametrize("overrides, message", [
    ({"languages": []}, "at least one language"),
    ({"code": "Bad Code"}, "lower-case letters"),
    ({"position": "-1"}, "whole number from 0 to 999"),
    ({"name_ru": ""}, "Enter a name"),
])
def test_programme_bad_input(forms, admin, overrides, message):
    response = forms.post("/office/settings/programmes/new", {**PROGRAMME, **overrides})
    assert message in text_of(response)
    assert db.session.scalar(select(Programme).where(Programme.code == "nursing")) is None


def test_missing_items_are_404(client, admin):
    assert client.get("/office/settings/intakes/999999").status_code == 404
    assert client.get("/office/settings/programmes/999999").status_code == 404


@pytest.mark.parametrize("role", ["officer", "applicant"])
def test_only_admins(client, forms, role):
    forms.login(UserFactory(role=role).email, PASSWORD)
    programme = ProgrammeFactory()
    for url in ("/office/settings", "/office/settings/intakes/new", f"/office/settings/programmes/{programme.id}"):
        assert client.get(url).status_code == 403
    assert forms.post("/office/settings/programmes/new", PROGRAMME, page="/").status_code == 403


def test_anonymous_goes_to_login(client):
    assert client.get("/office/settings").headers["Location"].startswith("/auth/login")


DOCUMENT_TYPE = {"code": "vaccination", "name_en": "Vaccination record", "name_ru": "Прививочный сертификат",
                 "name_az": "Peyvənd sertifikatı", "help_en": "All pages.", "help_ru": "", "help_az": "",
                 "requirement": "conditional", "condition": "under_18", "kinds": ["pdf", "png"], "max_size_mb": "5",
                 "position": "12", "active": "y"}


def test_admin_creates_and_edits_a_document_type(client, forms, admin):
    from portal.models import DocumentType

    assert forms.post("/office/settings/document-types/new", DOCUMENT_TYPE).headers["Location"] == "/office/settings"
    item = db.session.scalar(select(DocumentType).where(DocumentType.code == "vaccination"))
    assert (item.allowed_kinds, item.max_size_mb, item.condition) == ("pdf,png", 5, "under_18")
    assert "Vaccination record" in text_of(client.get("/office/settings"))
    forms.post(f"/office/settings/document-types/{item.id}", {**DOCUMENT_TYPE, "requirement": "optional"})
    db.session.refresh(item)
    assert item.requirement == "optional" and item.condition is None


@pytest.mark.parametrize("overrides, message", [
    ({"kinds": []}, "at least one kind of file"),
    ({"condition": ""}, "Choose when the document is required"),
    ({"max_size_mb": "500"}, "from 1 to 50"),
    ({"code": "Bad"}, "lower-case letters"),
    ({"requirement": "sometimes"}, "Choose one of the options"),
])
def test_document_type_bad_input(forms, admin, overrides, message):
    from portal.models import DocumentType

    response = forms.post("/office/settings/document-types/new", {**DOCUMENT_TYPE, **overrides})
    assert message in text_of(response)
    assert db.session.scalar(select(DocumentType).where(DocumentType.code == "vaccination")) is None
