"""The application wizard: saving and resuming, every validation rule, review and submit,
locking, access, duplicates and withdrawal."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Application, ApplicationEvent, OutboundEmail
from portal.services.eligibility import add_months
from tests.builders.factories import PASSWORD, ApplicationFactory, IntakeFactory, ProgrammeFactory, UserFactory
from tests.helpers import text_of

pytestmark = pytest.mark.usefixtures("ctx")

VALID = {
    "personal": {"surname": "Aliyeva", "given_names": "Leyla Nur", "sex": "F", "date_of_birth": "2007-03-14",
                 "place_of_birth": "Tabriz", "citizenship": "IR", "other_citizenship": ""},
    "passport": {"passport_number": "K1234 5678", "passport_country": "IR", "passport_issued_on": "2024-01-10",
                 "passport_expires_on": "2034-01-09"},
    "contact": {"phone": "+98 912 123 4567", "address": "12 Azadi Street", "city": "Tabriz", "country": "IR",
                "emergency_name": "Mina Aliyeva", "emergency_phone": "+98 912 765 4321"},
    "education": {"school_name": "Tabriz High School No. 3", "school_country": "IR", "graduation_year": "2026",
                  "certificate_number": "TB-2026/0042", "grade_scale": "100", "biology_grade": "91.5",
                  "chemistry_grade": "88", "physics_grade": "", "language_certificate": "ielts",
                  "language_certificate_score": "6.5", "previous_studies": ""},
}


@pytest.fixture
def intake():
    return IntakeFactory(code="FC27", course_starts_on=date(2027, 9, 15))


@pytest.fixture
def programme():
    return ProgrammeFactory()


@pytest.fixture
def applicant(forms):
    user = UserFactory()
    forms.login(user.email, PASSWORD)
    return user


def save(forms, step, overrides=None, button="save"):
    data = {**VALID.get(step, {}), **(overrides or {}), button: "1"}
    return forms.post(f"/apply/step/{step}", data)


def start(forms, intake, programme, language="en"):
    return save(forms, "programme", {"intake_id": str(intake.id), "programme_id": str(programme.id),
                                     "instruction_language": language})


def the_application(user) -> Application:
    db.session.expire_all()
    return db.session.scalar(select(Application).where(Application.applicant_id == user.id))


def fill_everything(forms, intake, programme):
    start(forms, intake, programme)
    for step in ("personal", "passport", "contact", "education"):
        response = save(forms, step)
        assert response.status_code == 302, text_of(response)


DECLARATIONS = {"accept_terms": "y", "consent_data": "y", "confirm_true": "y", "no_agent": "y"}


def submit(forms, client, **extra):
    version = the_version(client)
    return forms.post("/apply/review", {**DECLARATIONS, "version": version, **extra})


def the_version(client) -> str:
    import re

    return re.search(r'name="version" type="hidden" value="(\d+)"', client.get("/apply/review").get_data(
        as_text=True)).group(1)


# --- the happy path -------------------------------------------------------------------------

def test_whole_wizard_then_submit(client, forms, outbox, intake, programme, applicant):
    assert "Start my application" in text_of(client.get("/apply/"))
    response = start(forms, intake, programme)
    assert response.headers["Location"] == "/apply/step/personal"
    for step, following in (("personal", "passport"), ("passport", "contact"), ("contact", "education"),
                            ("education", "documents")):
        response = save(forms, step)
        assert response.headers["Location"] == f"/apply/step/{following}", text_of(response)
    application = the_application(applicant)
    assert application.surname == "ALIYEVA" and application.given_names == "LEYLA NUR"
    assert application.passport_number == "K12345678"
    assert application.phone == "+989121234567"
    assert application.completed_steps == ["programme", "personal", "passport", "contact", "education"]
    review = client.get("/apply/review")
    assert "ALIYEVA" in text_of(review) and 'value="Submit application"' in review.get_data(as_text=True)
    response = submit(forms, client)
    assert response.headers["Location"] == "/apply/"
    application = the_application(applicant)
    assert application.status == "submitted" and application.reference == "FC27-000001"
    assert application.submitted_at is not None
    home = text_of(client.get("/apply/"))
    assert "FC27-000001" in home and "Submitted" in home
    assert [m.subject for m in outbox] == ["Application received: FC27-000001"]
    assert "FC27-000001" in outbox[0].body


def test_resume_exactly_where_left(client, forms, intake, programme, applicant):
    start(forms, intake, programme)
    save(forms, "personal", {"place_of_birth": "", "citizenship": ""}, button="save_draft")
    page = client.get("/apply/step/personal").get_data(as_text=True)
    assert 'value="ALIYEVA"' in page and 'value="2007-03-14"' in page
    application = the_application(applicant)
    assert "personal" not in application.completed_steps and application.place_of_birth is None
    home = text_of(client.get("/apply/"))
    assert "Continue my application" in home and "Personal details: Enter your place of birth." in home


def test_draft_with_an_invalid_answer_saves_nothing(client, forms, intake, programme, applicant):
    start(forms, intake, programme)
    save(forms, "personal")
    response = save(forms, "personal", {"surname": "Алиева", "place_of_birth": ""}, button="save_draft")
    assert response.status_code == 200
    assert "Use Latin letters" in text_of(response)
    assert "Enter your place of birth" not in text_of(response)  # a draft may leave blanks
    application = the_application(applicant)
    assert application.surname == "ALIYEVA" and application.place_of_birth == "Tabriz"


# --- validation rules -----------------------------------------------------------------------

@pytest.mark.parametrize("step, overrides, message", [
    ("personal", {"surname": "Алиева"}, "Use Latin letters"),
    ("personal", {"given_names": "Leyla2"}, "Use Latin letters"),
    ("personal", {"surname": "x" * 101}, "at most 100 characters"),
    ("personal", {"date_of_birth": "2007-02-30"}, "Enter a real date"),
    ("personal", {"date_of_birth": "31/05/2007"}, "Enter a real date"),
    ("personal", {"date_of_birth": (date.today() + timedelta(days=1)).isoformat()}, "cannot be in the future"),
    ("personal", {"date_of_birth": "2011-09-16"}, "between 16 and 35 years old"),
    ("personal", {"date_of_birth": "1991-09-15"}, "between 16 and 35 years old"),
    ("personal", {"citizenship": "AZ"}, "Citizens of Azerbaijan are not admitted as foreign applicants"),
    ("personal", {"other_citizenship": "AZ"}, "Dual citizens of Azerbaijan are not admitted"),
    ("personal", {"other_citizenship": "IR"}, "Choose a different country"),
    ("personal", {"citizenship": "XX"}, "Choose a country from the list"),
    ("personal", {"sex": "Q"}, "Choose one of the options"),
    ("passport", {"passport_number": "AB12"}, "5 to 12 letters and digits"),
    ("passport", {"passport_number": "AB12<<34"}, "5 to 12 letters and digits"),
    ("passport", {"passport_issued_on": (date.today() + timedelta(days=2)).isoformat()}, "cannot be in the"),
    ("passport", {"passport_expires_on": "2023-01-01"}, "must be after the date of issue"),
    ("passport", {"passport_expires_on": "2029-03-14"}, "valid until at least March 15, 2029"),
    ("contact", {"phone": "12345"}, "international format"),
    ("contact", {"phone": "+994 12 345"}, "international format"),
    ("contact", {"emergency_phone": "+98 912 123 4567"}, "another person"),
    ("contact", {"address": "abc"}, "between 5 and 200 characters"),
    ("education", {"graduation_year": "26"}, "four digits"),
    ("education", {"graduation_year": "2031"}, "between 1980 and 2027"),
    ("education", {"biology_grade": "101"}, "between 0 and 100"),
    ("education", {"biology_grade": "ninety"}, "as a number"),
    ("education", {"grade_scale": "5", "biology_grade": "1"}, "between 2 and 5"),
    ("education", {"biology_grade": "88.555"}, "between 0 and 100"),
    ("education", {"language_certificate_score": "6.3"}, "steps of 0.5"),
    ("education", {"language_certificate": "toefl", "language_certificate_score": "121"}, "0 to 120"),
    ("education", {"language_certificate_score": ""}, "Enter the score"),
    ("education", {"certificate_number": "#!"}, "Use 3 to 50 letters"),
])
def test_each_rule_refuses_with_a_clear_message(forms, intake, programme, applicant, step, overrides, message):
    start(forms, intake, programme)
    save(forms, "personal")
    before = the_application(applicant).version
    response = save(forms, step, overrides)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in text_of(response)
    assert 'aria-invalid="true"' in page
    assert the_application(applicant).version == before  # nothing was written


@pytest.mark.parametrize("step, overrides, column, stored", [
    ("personal", {"date_of_birth": "2011-09-15"}, "date_of_birth", date(2011, 9, 15)),  # exactly 16
    ("personal", {"date_of_birth": "1991-09-16"}, "date_of_birth", date(1991, 9, 16)),  # 35 and a day short
    ("personal", {"surname": "o'neil-smith  jr"}, "surname", "O'NEIL-SMITH JR"),
    ("passport", {"passport_expires_on": "2029-03-15"}, "passport_expires_on", date(2029, 3, 15)),
    ("passport", {"passport_number": "ab-123 456"}, "passport_number", "AB123456"),
    ("contact", {"phone": "+994 12 345 67 89"}, "phone", "+994123456789"),
    ("education", {"grade_scale": "5", "biology_grade": "4,5", "chemistry_grade": "5"}, "biology_grade", 4.5),
    ("education", {"language_certificate": "toefl", "language_certificate_score": "98"},
     "language_certificate_score", "98"),
    ("education", {"language_certificate": "none", "language_certificate_score": "junk"},
     "language_certificate_score", None),
])
def test_edge_values_are_accepted_and_normalised(forms, intake, programme, applicant, step, overrides,
                                                 column, stored):
    start(forms, intake, programme)
    save(forms, "personal")
    response = save(forms, step, overrides)
    assert response.status_code == 302, text_of(response)
    value = getattr(the_application(applicant), column)
    assert (float(value) if stored == 4.5 else value) == stored


def test_language_must_be_offered_by_the_track(forms, intake, programme, applicant):
    response = save(forms, "programme", {"intake_id": str(intake.id), "programme_id": str(programme.id),
                                         "instruction_language": "az"})
    assert "It is taught in: English, Russian." in text_of(response)
    assert the_application(applicant) is None


def test_passport_expiry_message_names_the_date_needed(intake):
    assert add_months(intake.course_starts_on, 18) == date(2029, 3, 15)
    assert add_months(date(2027, 8, 31), 18) == date(2029, 2, 28)


def test_countries_are_named_in_the_page_language(client, forms, intake, programme, applicant):
    start(forms, intake, programme)
    forms.post("/language", {"language": "az"}, page="/")
    page = client.get("/apply/step/personal").get_data(as_text=True)
    assert '<option value="IR">İran</option>' in page
    assert "Soyad (pasportda olduğu kimi)" in page


# --- review, submit, lock -------------------------------------------------------------------

def test_submit_is_refused_with_the_list_of_what_is_missing(client, forms, intake, programme, applicant):
    start(forms, intake, programme)
    save(forms, "personal")
    response = submit(forms, client)
    page = text_of(response)
    assert "not complete yet" in page
    assert "Passport: Enter your passport number." in page and "Education:" in page
    assert the_application(applicant).status == "draft"


def test_declarations_are_each_required(client, forms, intake, programme, applicant):
    fill_everything(forms, intake, programme)
    response = submit(forms, client, no_agent="")
    assert "without agents" in text_of(response)
    assert the_application(applicant).status == "draft"


def test_unverified_applicant_cannot_submit(client, forms, intake, programme):
    user = UserFactory(unverified=True)
    forms.login(user.email, PASSWORD)
    fill_everything(forms, intake, programme)
    response = submit(forms, client)
    assert "Your e-mail address is not verified yet." in text_of(response)
    assert the_application(user).status == "draft"


def test_double_submit_gives_one_submission(client, forms, outbox, intake, programme, applicant):
    fill_everything(forms, intake, programme)
    version = the_version(client)
    first = forms.post("/apply/review", {**DECLARATIONS, "version": version})
    second = forms.post("/apply/review", {**DECLARATIONS, "version": version}, page="/apply/")
    assert first.status_code == second.status_code == 302
    application = the_application(applicant)
    assert application.reference == "FC27-000001"
    submissions = db.session.scalar(select(func.count()).select_from(ApplicationEvent).where(
        ApplicationEvent.application_id == application.id, ApplicationEvent.to_status == "submitted"))
    assert submissions == 1 and len(outbox) == 1


def test_programme_and_answers_are_locked_after_submit(client, forms, intake, programme, applicant):
    fill_everything(forms, intake, programme)
    submit(forms, client)
    other = ProgrammeFactory(code="dentistry", name_en="Dentistry")
    response = save(forms, "programme", {"intake_id": str(intake.id), "programme_id": str(other.id),
                                         "instruction_language": "ru"})
    assert response.status_code == 302
    response = save(forms, "personal", {"surname": "Changed"})
    application = the_application(applicant)
    assert application.programme_id == programme.id and application.instruction_language == "en"
    assert application.surname == "ALIYEVA"
    page = client.get("/apply/step/personal").get_data(as_text=True)
    assert "<fieldset disabled" in page and "locked" in page


def test_change_request_reopens_only_the_named_step(client, forms, intake, programme, applicant):
    fill_everything(forms, intake, programme)
    submit(forms, client)
    application = the_application(applicant)
    application.status = "action_required"
    application.reopened_steps = ["contact", "programme"]
    db.session.commit()
    assert save(forms, "personal", {"surname": "Changed"}).status_code == 302
    assert save(forms, "contact", {"city": "Tehran"}).status_code == 302
    save(forms, "programme", {"intake_id": str(intake.id), "programme_id": str(programme.id),
                              "instruction_language": "ru"})
    application = the_application(applicant)
    assert application.city == "Tehran" and application.surname == "ALIYEVA"
    assert application.instruction_language == "en"  # the track and language never reopen
    response = submit(forms, client)
    assert response.headers["Location"] == "/apply/"
    application = the_application(applicant)
    assert application.status == "submitted" and application.reference == "FC27-000001"
    assert application.reopened_steps == []


# --- intakes, ownership, duplicates, withdrawal ---------------------------------------------

def test_applying_is_closed_outside_the_window(client, forms, programme, applicant):
    IntakeFactory(opens_at=date_time(days=10), closes_at=date_time(days=60))
    home = text_of(client.get("/apply/"))
    assert "Applications are closed at the moment" in home and "opens on" in home
    response = client.get("/apply/step/programme")
    assert response.status_code == 302


def date_time(days: int):
    from portal.database import utcnow

    return utcnow() + timedelta(days=days)


def test_draft_of_a_closed_intake_cannot_be_changed(client, forms, intake, programme, applicant):
    start(forms, intake, programme)
    intake.closes_at = date_time(days=-1)
    intake.opens_at = date_time(days=-90)
    db.session.commit()
    response = save(forms, "personal")
    assert response.status_code == 200 and "closed on" in text_of(response)
    assert the_application(applicant).surname is None


def test_officer_cannot_use_the_wizard(client, forms):
    forms.login(UserFactory(officer=True).email, PASSWORD)
    assert client.get("/apply/step/personal").status_code == 403
    assert client.post("/apply/step/personal", data={}).status_code in (400, 403)


def test_anonymous_is_sent_to_login(client):
    response = client.get("/apply/step/personal")
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")


def test_another_applicants_application_is_not_found(client, forms, applicant):
    mine = ApplicationFactory(applicant=applicant)
    theirs = ApplicationFactory()
    db.session.commit()
    assert client.get(f"/apply/history/{mine.id}").status_code == 200
    assert client.get(f"/apply/history/{theirs.id}").status_code == 404
    assert client.get("/apply/history/999999").status_code == 404


def test_unknown_step_is_404(client, applicant):
    assert client.get("/apply/step/nonsense").status_code == 404


def test_duplicate_passport_is_flagged_not_refused(client, forms, intake, programme, applicant):
    ApplicationFactory(complete=True, intake=intake, passport_number="K12345678", passport_country="IR",
                       status="submitted", reference="FC27-000099")
    db.session.commit()
    fill_everything(forms, intake, programme)
    application = the_application(applicant)
    assert application.flagged_duplicate
    flags = [e for e in application.events if e.kind == "flag"]
    assert len(flags) == 1 and not flags[0].visible_to_applicant
    assert "passport" not in text_of(client.get("/apply/")).lower().split("timeline")[1]
    assert submit(forms, client).status_code == 302
    assert the_application(applicant).status == "submitted"


def test_withdraw_needs_confirmation(client, forms, outbox, intake, programme, applicant):
    fill_everything(forms, intake, programme)
    submit(forms, client)
    outbox.clear()
    version = str(the_application(applicant).version)
    response = forms.post("/apply/withdraw", {"version": version})
    assert "Tick the box to confirm" in text_of(response)
    assert the_application(applicant).status == "submitted"
    forms.post("/apply/withdraw", {"version": version, "confirm": "y"})
    assert the_application(applicant).status == "withdrawn"
    assert [m.subject for m in outbox] == ["Application withdrawn: FC27-000001"]
    assert client.get("/apply/withdraw").status_code == 404


def test_one_application_per_intake(client, forms, intake, programme, applicant):
    start(forms, intake, programme)
    start(forms, intake, programme, language="ru")
    count = db.session.scalar(select(func.count()).select_from(Application).where(
        Application.applicant_id == applicant.id))
    assert count == 1 and the_application(applicant).instruction_language == "ru"


def test_receipt_email_is_in_the_applicants_language(client, forms, outbox, intake, programme):
    user = UserFactory(locale="ru")
    forms.login(user.email, PASSWORD)
    fill_everything(forms, intake, programme)
    submit(forms, client)
    mail = db.session.scalars(select(OutboundEmail).where(OutboundEmail.template == "application_submitted")).one()
    assert mail.locale == "ru" and "FC27-000001" in mail.subject and "Здравствуйте" in mail.body_text
