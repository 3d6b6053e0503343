"""The interview stage end to end in the browser: the officer invites; the applicant uploads the fee
receipt; the officer accepts it; the applicant books a slot, then moves it once; the officer records
attendance and the result and accepts; the applicant downloads both letters; the QR code in the
PDF, read by a real decoder, is the verification page, which says "valid" — and "revoked" after
the officer revokes. Every page passes axe; the applicant's pages are also shot at 360 px."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pypdfium2
import pytest
import zxingcpp

from portal import create_app
from portal.database import utcnow
from portal.extensions import db
from portal.models import Application, DocumentType, Intake, Programme, ProgrammeLanguage
from portal.services import accounts
from tests.browser.conftest import log_in
from tests.builders import files
from tests.builders.factories import ApplicationFactory
from tests.conftest import settings_for

pytestmark = [pytest.mark.browser, pytest.mark.live_db, pytest.mark.smtp]
PASSWORD = "Quiet meadow lantern 1972"
OFFICER = "officer.interview@example.com"
APPLICANT = "interview.applicant@example.com"


@pytest.fixture
def reviewed(database_url, tmp_path, live_server):
    """An application under review (citizen of Nigeria: needs a visa invitation) and an officer."""
    app = create_app(settings_for(database_url, tmp_path))
    with app.test_request_context():
        intake = Intake(code="FC97", name="Foundation Course 2097", opens_at=utcnow() - timedelta(days=5),
                        closes_at=utcnow() + timedelta(days=60),
                        course_starts_on=(utcnow() + timedelta(days=250)).date(), interview_required=True,
                        interview_fee_amount=100, interview_fee_currency="AZN",
                        interview_fee_instructions="Pay at any branch of Demo Bank, account AZ00 DEMO.")
        programme = Programme(code="medicine", name_en="General Medicine", name_ru="Лечебное дело",
                              name_az="Müalicə işi", languages=[ProgrammeLanguage(language="en")])
        receipt = DocumentType(code="fee-receipt", name_en="Interview fee receipt", name_ru="Квитанция",
                               name_az="Qəbz", requirement="conditional", condition="interview", position=9)
        db.session.add_all([intake, programme, receipt])
        applicant = accounts.create_user(APPLICANT, PASSWORD, verified=True)
        applicant.timezone = "Africa/Lagos"
        accounts.create_user(OFFICER, PASSWORD, role="officer", verified=True)
        application = ApplicationFactory(applicant=applicant, intake=intake, complete=True, programme=programme,
                                         surname="OKAFOR", given_names="ADAOBI", citizenship="NG",
                                         status="under_review", reference="FC97-000001")
        db.session.commit()
        reference = application.reference
        db.engine.dispose()
    return reference


def click(audited, role, name, **kwargs):
    audited.page.get_by_role(role, name=name, **kwargs).click()
    audited.audit()


def qr_in(pdf_bytes: bytes) -> str:
    image = pypdfium2.PdfDocument(pdf_bytes)[0].render(scale=3).to_pil()
    return zxingcpp.read_barcodes(image)[0].text


def download_letter(audited, name: str) -> bytes:
    with audited.page.expect_download() as info:
        audited.page.get_by_role("link", name=name).click()
    return open(info.value.path(), "rb").read()  # noqa: PTH123


def test_the_whole_interview_stage(make_page, smtp_server, reviewed, database_url, tmp_path):
    sink = smtp_server[2]
    officer = make_page()
    page = officer.page
    log_in(officer, OFFICER, PASSWORD)

    # The officer publishes a morning of slots, three days ahead, and sees the day.
    officer.goto("/office/interviews")
    day = (utcnow().astimezone(ZoneInfo("Asia/Baku")) + timedelta(days=3)).date().isoformat()
    page.get_by_label("Date", exact=True).fill(day)
    page.get_by_label("Start time", exact=True).fill("10:00")
    page.get_by_label("Repeat until", exact=True).fill("11:00")
    page.get_by_label("Online meeting link", exact=True).fill("https://meet.example.org/amu-interview")
    click(officer, "button", "Publish")
    assert "2 interview slots published" in page.content() and "10:30–11:00" in page.content()
    officer.screenshot("office-interviews")

    officer.goto(f"/office/applications/{reviewed}")
    click(officer, "button", "Invite to the interview")
    assert sink.messages[-1]["Subject"].strip() == f"You are invited to an interview: {reviewed}"

    # The applicant pays and uploads the receipt (on a phone).
    applicant = make_page(width=360, height=780)
    apage = applicant.page
    log_in(applicant, APPLICANT, PASSWORD)
    applicant.goto("/account/timezone")
    assert apage.get_by_label("Your time zone", exact=True).input_value() == "Africa/Lagos"
    applicant.goto("/apply/interview")
    assert "100.00" in apage.content() and "Demo Bank" in apage.content()
    applicant.screenshot("interview-fee-360")
    click(applicant, "link", "Upload the receipt")
    receipt = tmp_path / "receipt.pdf"
    receipt.write_bytes(files.pdf())
    apage.get_by_label("Choose a file: Interview fee receipt", exact=True).set_input_files(str(receipt))
    apage.get_by_role("button", name="Upload Interview fee receipt", exact=True).click()
    apage.get_by_text("receipt.pdf uploaded.").wait_for()  # through the progress-bar script
    applicant.audit()

    # The officer accepts the receipt: the slots open and the applicant is told.
    officer.goto(f"/office/applications/{reviewed}")
    click(officer, "button", "Accept Interview fee receipt")
    assert sink.messages[-1]["Subject"].strip() == "Payment confirmed: choose your interview time"

    # Book, then move once; each e-mail gives both zones and carries an .ics.
    applicant.goto("/apply/interview")
    apage.get_by_role("radio").first.check()
    click(applicant, "button", "Book this time")
    assert "Your interview is booked" in apage.content()
    booked = sink.messages[-1]
    text = next(part for part in booked.walk() if part.get_content_type() == "text/plain").get_content()
    assert "Africa/Lagos" in text and "Asia/Baku" in text
    assert any(part.get_content_type() == "text/calendar" for part in booked.walk())
    apage.get_by_role("radio").last.check()
    click(applicant, "button", "Move my interview to this time")
    assert "has been moved" in apage.content()
    applicant.screenshot("interview-booked-360")
    assert apage.evaluate("document.documentElement.scrollWidth") <= 360

    # Time passes: the interview is held. The officer records the result and accepts.
    app = create_app(settings_for(database_url, tmp_path))
    with app.app_context():
        application = db.session.query(Application).filter_by(reference=reviewed).one()
        live = next(b for b in application.interview_bookings if b.cancelled_at is None)
        live.slot.starts_at = utcnow() - timedelta(hours=2)
        db.session.commit()
    officer.goto(f"/office/applications/{reviewed}")
    page.get_by_text("Record attendance and result", exact=True).click()
    page.get_by_label("Attended", exact=True).check()
    for label, score in (("Biology (0–100)", "82"), ("Chemistry (0–100)", "77"), ("Physics (0–100)", "71"),
                         ("Language of instruction (0–100)", "90")):
        page.get_by_label(label, exact=True).fill(score)
    click(officer, "button", "Record the result")
    page.get_by_text("Decide", exact=True).first.click()
    page.get_by_label("Accept", exact=True).check()
    click(officer, "button", "Record decision")
    assert any(m["Subject"].strip() == f"Your letters are ready: {reviewed}" for m in sink.messages)

    # The applicant downloads both letters; the QR code leads to "valid".
    applicant.goto("/apply/")
    admission = download_letter(applicant, "Admission letter (PDF)")
    visa = download_letter(applicant, "Visa invitation letter (PDF)")
    assert "OKAFOR" in pypdfium2.PdfDocument(visa)[0].get_textpage().get_text_range()
    url = qr_in(admission)
    assert "/verify/" in url
    checker = make_page(width=360, height=780)
    checker.goto(url)
    assert "Valid." in checker.page.content()
    checker.screenshot("verify-valid-360")

    # Revoked by the office: the same address now says so.
    officer.goto(f"/office/applications/{reviewed}#letters")
    item = page.locator("#letters li").filter(has_text="Admission letter")
    item.get_by_text("Re-issue or revoke", exact=True).click()
    item.get_by_label("Reason for revoking").fill("Issued with a wrong passport number.")
    item.get_by_role("button", name="Revoke", exact=True).click()
    officer.audit()
    assert sink.messages[-1]["Subject"].strip() == f"A letter has been revoked: {reviewed}"
    checker.goto(url)
    assert "Revoked." in checker.page.content()
    with app.app_context():
        db.engine.dispose()
