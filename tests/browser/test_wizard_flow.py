"""An applicant fills the whole application in the browser, by the labels they read, in two
languages: one wrong answer per step is corrected, they leave half-way and resume after logging
in again, then submit. Every page passes axe."""

from datetime import timedelta

import pytest

from portal import create_app
from portal.database import utcnow
from portal.extensions import db
from portal.models import Application, Intake, Programme, ProgrammeLanguage
from portal.services import accounts
from tests.browser.conftest import log_in, translator
from tests.conftest import settings_for

pytestmark = [pytest.mark.browser, pytest.mark.live_db, pytest.mark.smtp]
PASSWORD = "Quiet meadow lantern 1972"


@pytest.fixture
def applicant_email(database_url, tmp_path, live_server, request):
    """A verified applicant, an open intake and a track, committed for the live server."""
    app = create_app(settings_for(database_url, tmp_path))
    email = f"wizard.{request.node.callspec.id}@example.com"
    with app.test_request_context():
        start = (utcnow() + timedelta(days=250)).date()
        db.session.add(Intake(code="FC99", name="Foundation Course 2099", opens_at=utcnow() - timedelta(days=5),
                              closes_at=utcnow() + timedelta(days=60), course_starts_on=start))
        db.session.add(Programme(code="general-medicine", name_en="General Medicine", name_ru="Лечебное дело",
                                 name_az="Müalicə işi",
                                 languages=[ProgrammeLanguage(language=c) for c in ("en", "ru")]))
        accounts.create_user(email, PASSWORD, verified=True, locale=request.node.callspec.params["locale"])
        db.session.commit()
        db.engine.dispose()
    return email



def save_and_continue(audited, _):
    audited.page.get_by_role("button", name=_("Save and continue"), exact=True).click()
    audited.audit()


def expect_error(audited, label, _, text):
    field = audited.page.get_by_label(label, exact=True)
    assert field.get_attribute("aria-invalid") == "true", f"{label} should be marked invalid"
    error_id = field.get_attribute("aria-describedby").split()[-1]
    assert text in audited.page.locator(f"#{error_id}").inner_text()


@pytest.mark.parametrize("locale", ["en", "ru"])
def test_fill_leave_resume_and_submit(make_page, applicant_email, database_url, tmp_path, locale):
    _ = translator(locale)
    audited = make_page(locale={"en": "en-GB", "ru": "ru-RU"}[locale])
    page = audited.page
    log_in(audited, applicant_email, PASSWORD, _)
    page.get_by_role("link", name=_("Start my application")).click()
    audited.audit()

    # 1. Programme: a language the track does not offer, then one it does.
    page.get_by_label(_("Programme"), exact=True).select_option(label={"en": "General Medicine",
                                                                        "ru": "Лечебное дело"}[locale])
    page.get_by_label(_("Language of instruction"), exact=True).select_option(label=_("Azerbaijani"))
    save_and_continue(audited, _)
    expect_error(audited, _("Language of instruction"), _, "English" if locale == "en" else "Английский")
    page.get_by_label(_("Language of instruction"), exact=True).select_option(label=_("Russian"))
    save_and_continue(audited, _)

    # 2. Personal details: Cyrillic in the passport name, then Latin letters.
    fields = {_("Surname (as in passport)"): "Алиева", _("Given names (as in passport)"): "Leyla",
              _("Date of birth"): "2007-03-14", _("Place of birth"): "Tabriz"}
    for label, value in fields.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label(_("Sex"), exact=True).select_option("F")
    page.get_by_label(_("Citizenship"), exact=True).select_option("IR")
    save_and_continue(audited, _)
    expect_error(audited, _("Surname (as in passport)"), _, "A")
    page.get_by_label(_("Surname (as in passport)"), exact=True).fill("Aliyeva")
    save_and_continue(audited, _)

    # 3. Passport: expiring too soon, then valid long enough.
    page.get_by_label(_("Passport number"), exact=True).fill("K12345678")
    page.get_by_label(_("Issuing country"), exact=True).select_option("IR")
    page.get_by_label(_("Date of issue"), exact=True).fill("2024-01-10")
    page.get_by_label(_("Date of expiry"), exact=True).fill((utcnow() + timedelta(days=300)).date().isoformat())
    save_and_continue(audited, _)
    expect_error(audited, _("Date of expiry"), _, "2")
    page.get_by_label(_("Date of expiry"), exact=True).fill("2036-01-09")
    save_and_continue(audited, _)
    audited.screenshot(f"wizard-contact-{locale}")

    # Leave half-way: log out, log in again, continue where we were.
    page.get_by_role("button", name=_("Log out")).click()
    audited.audit()
    log_in(audited, applicant_email, PASSWORD, _)
    page.get_by_role("link", name=_("Continue my application")).click()
    audited.audit()
    assert page.url.endswith("/apply/step/contact")

    # 4. Contact: a phone without the country code, then in international format.
    page.get_by_label(_("Phone number"), exact=True).fill("0912 123 4567")
    page.get_by_label(_("Home address"), exact=True).fill("12 Azadi Street")
    page.get_by_label(_("City"), exact=True).fill("Tabriz")
    page.get_by_label(_("Country"), exact=True).select_option("IR")
    page.get_by_label(_("Emergency contact name"), exact=True).fill("Mina Aliyeva")
    page.get_by_label(_("Emergency contact phone"), exact=True).fill("+98 912 765 4321")
    save_and_continue(audited, _)
    expect_error(audited, _("Phone number"), _, "+")
    page.get_by_label(_("Phone number"), exact=True).fill("+98 912 123 4567")
    save_and_continue(audited, _)

    # 5. Education: a grade outside the scale, then a real one.
    page.get_by_label(_("Secondary school name"), exact=True).fill("Tabriz High School No. 3")
    page.get_by_label(_("School country"), exact=True).select_option("IR")
    page.get_by_label(_("Year of graduation"), exact=True).fill(str(utcnow().year))
    page.get_by_label(_("Certificate number"), exact=True).fill("TB-2026-0042")
    page.get_by_label(_("Grading scale"), exact=True).select_option("100")
    page.get_by_label(_("Biology grade"), exact=True).fill("140")
    page.get_by_label(_("Chemistry grade"), exact=True).fill("88")
    save_and_continue(audited, _)
    expect_error(audited, _("Biology grade"), _, "100")
    page.get_by_label(_("Biology grade"), exact=True).fill("91.5")
    save_and_continue(audited, _)

    # Review: everything read back; the declarations, then submit.
    page.get_by_role("navigation", name=_("Application steps")).get_by_role(
        "link", name=_("Review and submit")).click()
    audited.audit()
    assert "ALIYEVA" in page.content() and "+989121234567" in page.content()
    for label in ("I accept the terms of admission", "I consent to the processing of my personal data",
                  "I confirm that the information is true and complete", "I apply on my own, without an agent"):
        page.get_by_label(_(label), exact=True).check()
    page.get_by_role("button", name=_("Submit application")).click()
    audited.audit()
    audited.screenshot(f"wizard-submitted-{locale}")
    assert "FC99-00000" in page.content()

    app = create_app(settings_for(database_url, tmp_path))
    with app.app_context():
        application = db.session.query(Application).one()
        assert application.status == "submitted" and application.instruction_language == "ru"
        assert application.surname == "ALIYEVA" and application.phone == "+989121234567"
        db.engine.dispose()
