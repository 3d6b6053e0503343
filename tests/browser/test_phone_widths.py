"""Every page a visitor, an applicant, an officer and an admin can reach, at 360 × 780 px, in
English, Russian and Azerbaijani: none may scroll sideways (a wide table scrolls inside its own
focusable frame), and each passes axe.

The pages come from the portal's URL map: every rule that answers GET is either visited here
(rules with arguments are filled from the data the fixture commits) or listed in ``NOT_PAGES``
with the reason, so a new page fails this test until someone decides how to reach it. Every
offender is collected first and reported at once, named by page, language and width.

One browser context per language and per person, reused across their pages; the language is
chosen as a person chooses it, with the switcher in the header (``POST /language``). Office pages
are visited as an admin, who reaches every page an officer does. Each person has a browser and a
thread of their own, so that axe (most of the time) runs on both cores (``every_page_as``).
Screenshots of the narrowest pages in Russian: test-artifacts/phone-*.png.
"""

from __future__ import annotations

import io
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from threading import Lock
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from portal import create_app, demo
from portal.extensions import db
from portal.models import (
    Application,
    CountryRule,
    DocumentType,
    Inquiry,
    Intake,
    InterviewSlot,
    Notice,
    OutboundEmail,
    Programme,
    Status,
)
from portal.services import (
    accounts,
    documents,
    interviews,
    letters,
    messages,
    office_list,
    reminders,
    staff,
    submission,
    timeline,
    transitions,
)
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, AuditedPage
from tests.builders import files
from tests.builders.factories import ApplicationFactory
from tests.conftest import settings_for

pytestmark = [pytest.mark.browser, pytest.mark.live_db, pytest.mark.smtp]

WIDTH, HEIGHT = 360, 780
LOCALES = ("en", "ru", "az")
LANGUAGE_BUTTON = {"en": "English", "ru": "Русский", "az": "Azərbaycanca"}
OFFICER, ADMIN, DRAFTER = (account[0] for account in demo.DEMO_ACCOUNTS)
PASSWORDS = {email: password for email, _role, password in demo.DEMO_ACCOUNTS}
INTERVIEWEE = "interviewee.phone@example.com"
PASSWORDS[INTERVIEWEE] = "Quiet meadow lantern 1972"
# An officer's pages differ from an admin's only by the admin's longer office menu (office/_nav.html).
ROLES = {"visitor": None, "draft applicant": DRAFTER, "invited applicant": INTERVIEWEE, "admin": ADMIN}
SCREENSHOT_LOCALE = "ru"  # the longest labels
SCREENSHOTS = {"/auth/reset", "/auth/invite/<token>", "/apply/step/personal", "/apply/documents", "/apply/interview",
               "/office/applications/<reference>", "/office/settings"}

# GET rules that answer with something other than a page (files, feeds, exports).
NOT_PAGES = {
    "/static/<path:filename>": "static files",
    "/healthz": "JSON for the load balancer",
    "/robots.txt": "text for crawlers",
    "/sitemap.xml": "XML for crawlers",
    "/notices/feed.xml": "an Atom feed",
    "/apply/documents/<int:document_id>/file": "the applicant's own file (PDF or image)",
    "/apply/documents/<int:document_id>/preview": "a JPEG thumbnail",
    "/apply/letters/<int:letter_id>": "a PDF letter",
    "/office/documents/<int:document_id>/file": "the file inside the document viewer",
    "/office/applications/<reference>/documents.zip": "a ZIP download",
    "/office/export.<any(csv, xlsx):kind>": "CSV and XLSX downloads",
    "/office/inbox/<int:inquiry_id>/attachment": "a PDF attachment",
    "/office/letters/<int:letter_id>": "a PDF letter",
}


@dataclass
class Site:
    """The portal's GET rules, and what the fixture committed to fill their arguments."""

    get_rules: set[str]
    notice_slug: str
    letter_code: str
    unsubscribe_token: str
    reset_token: str
    invite_token: str
    draft_document_id: int
    reference: str
    application_id: int
    document_id: int
    inquiry_id: int
    notice_id: int
    country: str
    document_type_id: int
    intake_id: int
    programme_id: int
    staff_id: int
    view_id: int


@dataclass(frozen=True)
class Visit:
    rule: str  # the URL rule it reaches
    path: str
    lands: str | None = None  # the page it redirects to (a rule of its own), when it does
    status: int = 200


def visits(site: Site) -> dict[str, list[Visit]]:
    """Each person's pages, in order."""
    steps = ("programme", "personal", "passport", "contact", "education")
    office_pages = ("/office/", "/office/interviews", "/office/stats", "/office/notices/", "/office/notices/new",
                    "/office/inbox", "/office/mail", "/office/settings", "/office/settings/countries",
                    "/office/settings/intakes/new", "/office/settings/programmes/new",
                    "/office/settings/document-types/new", "/office/users", "/office/users/new", "/office/audit")
    not_found = Visit("(an unknown address)", "/no-such-page", status=404)
    return {
        "visitor": [
            *(Visit(path, path) for path in ("/", "/notices/", "/foreign-students", "/contact", "/rector", "/sitemap",
                                             "/verify", "/auth/register", "/auth/login", "/auth/reset")),
            Visit("/notices/<slug>", f"/notices/{site.notice_slug}"),
            Visit("/verify/<code>", f"/verify/{site.letter_code}"),
            Visit("/unsubscribe/<token>", f"/unsubscribe/{site.unsubscribe_token}"),
            Visit("/auth/reset/<token>", f"/auth/reset/{site.reset_token}", lands="/auth/reset/new"),
            Visit("/auth/verify/<token>", "/auth/verify/not-a-real-link", status=400),  # the link-problem page
            Visit("/auth/invite/<token>", f"/auth/invite/{site.invite_token}", lands="/auth/invite/accept"),
            not_found,
        ],
        "draft applicant": [
            *(Visit(path, path) for path in ("/apply/", "/account", "/account/password", "/account/timezone",
                                             "/auth/logout")),
            *(Visit("/apply/step/<name>", f"/apply/step/{name}") for name in steps),
            *(Visit(path, path) for path in ("/apply/documents", "/apply/review", "/apply/withdraw")),
            Visit("/apply/documents/<int:document_id>/remove", f"/apply/documents/{site.draft_document_id}/remove"),
            not_found,
        ],
        "invited applicant": [
            *(Visit(path, path) for path in ("/apply/", "/apply/documents", "/apply/messages", "/apply/interview")),
            Visit("/apply/history/<int:application_id>", f"/apply/history/{site.application_id}"),
        ],
        "admin": [
            *(Visit(path, path) for path in office_pages),
            Visit("/office/applications/<reference>", f"/office/applications/{site.reference}"),
            Visit("/office/documents/<int:document_id>", f"/office/documents/{site.document_id}"),
            Visit("/office/inbox/<int:inquiry_id>", f"/office/inbox/{site.inquiry_id}"),
            Visit("/office/notices/<int:notice_id>/edit", f"/office/notices/{site.notice_id}/edit"),
            Visit("/office/notices/<int:notice_id>/delete", f"/office/notices/{site.notice_id}/delete"),
            Visit("/office/views/<int:view_id>", f"/office/views/{site.view_id}", lands="/office/"),
            Visit("/office/settings/countries/<country>", f"/office/settings/countries/{site.country}"),
            Visit("/office/settings/countries/<country>/delete", f"/office/settings/countries/{site.country}/delete"),
            Visit("/office/settings/intakes/<int:intake_id>", f"/office/settings/intakes/{site.intake_id}"),
            Visit("/office/settings/programmes/<int:programme_id>",
                  f"/office/settings/programmes/{site.programme_id}"),
            Visit("/office/settings/document-types/<int:type_id>",
                  f"/office/settings/document-types/{site.document_type_id}"),
            Visit("/office/users/<int:user_id>", f"/office/users/{site.staff_id}"),
            not_found,
        ],
    }


# --- the data ------------------------------------------------------------------------------

def mailed_path(recipient: str, template: str) -> str:
    """The path of the link in the last e-mail of this kind the portal queued for ``recipient``."""
    body = db.session.scalars(select(OutboundEmail.body_text).where(
        OutboundEmail.recipient == recipient, OutboundEmail.template == template)
        .order_by(OutboundEmail.id.desc())).first()
    return urlsplit(re.search(r"https?://\S+", body).group(0)).path


def upload(application, code: str, name: str, data: bytes, user):
    document_type = db.session.scalar(select(DocumentType).where(DocumentType.code == code))
    return documents.store_upload(application, document_type, FileStorage(io.BytesIO(data), name), user)


def invited_application(officer):
    """A submitted application with documents and messages, invited to the interview, the fee
    paid and a time booked (Russian instruction: the Russian slots); returns it and its photo."""
    intake = db.session.scalars(select(Intake)).one()
    programme = db.session.scalar(select(Programme).where(Programme.code == "general-medicine"))
    applicant = accounts.create_user(INTERVIEWEE, PASSWORDS[INTERVIEWEE], verified=True)
    application = ApplicationFactory(applicant=applicant, intake=intake, complete=True, programme=programme,
                                     instruction_language="ru", surname="ABDURAHMANOVA-KARIMOVA",
                                     given_names="GULNAR SHAHNOZA", citizenship="UZ")
    db.session.flush()
    photo = upload(application, "photo", "photograph-for-the-application-form-3x4.jpg", files.jpeg(300, 400),
                   applicant)
    upload(application, "passport", "passport-scan-photo-page-2026-01-10-final-version.pdf", files.pdf(), applicant)
    submission.submit(application, applicant, application.version, [])
    messages.post_message(application, applicant, "Здравствуйте! Подскажите, пожалуйста, когда будет "
                                                  "собеседование и нужно ли оплачивать его заранее?")
    messages.post_message(application, officer, "The interview is online; see https://meet.example.org/"
                                                "amu-interview-ru-and-a-very-long-room-name-to-wrap")
    transitions.start_review(application, officer, application.version)
    transitions.invite(application, officer, application.version)
    interviews.mark_fee_paid(application, "receipt", officer)
    slot = db.session.scalars(select(InterviewSlot).where(InterviewSlot.language == "ru")
                              .order_by(InterviewSlot.starts_at)).first()
    interviews.book(application, slot.id, applicant)
    transitions.add_note(application, officer, "Called the applicant: the passport scan is readable.")
    return application, photo


def accepted_letter_code(admin) -> str:
    application = db.session.scalars(select(Application).where(Application.status == Status.SUBMITTED)
                                     .order_by(Application.id)).first()
    timeline.set_status(application, admin, Status.ACCEPTED, None)
    return letters.issue_on_acceptance(application, admin)[0].code


def draft_document_id() -> int:
    drafter = accounts.find_by_email(DRAFTER)
    draft = db.session.scalar(select(Application).where(Application.applicant_id == drafter.id))
    for name, value in {"passport_number": "TR0706017", "passport_country": "TR",
                        "passport_issued_on": date(2024, 2, 1),
                        "passport_expires_on": date(2034, 1, 31)}.items():
        setattr(draft, name, value)
    draft.completed_steps = ["programme", "personal", "passport"]
    upload(draft, "photo", "photo.png", files.png(), drafter)
    # The same PDF as the invited applicant's passport: the office's page shows a possible duplicate.
    return upload(draft, "school-certificate", "attestat-o-srednem-obrazovanii-2026.pdf", files.pdf(), drafter).id


@pytest.fixture
def site(database_url, tmp_path, live_server) -> Site:
    """The demo portal (notices, inquiries, an intake with interviews, applications, slots), a
    draft with documents, an invited applicant with a booked interview, a letter, a saved view,
    a pending staff invitation and a password-reset request; committed for the live server."""
    app = create_app(settings_for(database_url, tmp_path))
    with app.test_request_context():
        demo.seed_accounts()
        demo.seed_reference_data()
        db.session.flush()
        for seed in (demo.seed_notices, demo.seed_inquiries, demo.seed_applications, demo.seed_interview_slots):
            seed()
            db.session.flush()
        officer, admin = accounts.find_by_email(OFFICER), accounts.find_by_email(ADMIN)
        application, photo = invited_application(officer)
        invited = staff.invite(admin, "new.interviewer.with.a.long.address@admissions.example.org", "officer", "ru")
        accounts.request_password_reset(DRAFTER)
        site = Site(
            get_rules={rule.rule for rule in app.url_map.iter_rules() if "GET" in rule.methods},
            notice_slug=db.session.scalar(select(Notice.slug).where(Notice.pinned.is_(True))),
            letter_code=accepted_letter_code(admin),
            unsubscribe_token=urlsplit(reminders.unsubscribe_link(application.applicant)).path.rsplit("/", 1)[1],
            reset_token=mailed_path(DRAFTER, "reset_password").rsplit("/", 1)[1],
            invite_token=mailed_path(invited.email, "staff_invitation").rsplit("/", 1)[1],
            draft_document_id=draft_document_id(), reference=application.reference, application_id=application.id,
            document_id=photo.id,
            inquiry_id=db.session.scalars(select(Inquiry.id).order_by(Inquiry.id)).first(),
            notice_id=db.session.scalar(select(Notice.id).where(Notice.pinned.is_(True))),
            country=db.session.scalars(select(CountryRule.country).order_by(CountryRule.country)).first(),
            document_type_id=db.session.scalar(select(DocumentType.id).where(DocumentType.code == "birth-certificate")),
            intake_id=application.intake_id, programme_id=application.programme_id, staff_id=invited.id,
            view_id=office_list.save_view(admin, "Invited, Russian-taught", "status=interview&language=ru",
                                          office_list.load_choices(admin.id)).id)
        db.session.commit()
    yield site
    with app.app_context():
        db.engine.dispose()


# --- the check -----------------------------------------------------------------------------

WIDEST = """() => {
  const limit = document.documentElement.clientWidth;
  const clipped = node => { for (let p = node.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') return true; } return false; };
  const describe = (el, right) => el.tagName.toLowerCase() + [...el.classList].map(c => '.' + c).join('')
      + ' ' + JSON.stringify((el.innerText || el.value || '').trim().slice(0, 40)) + ' → ' + Math.round(right) + 'px';
  const wide = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    let box = null;
    if (node.nodeType === Node.TEXT_NODE) {
      if (!node.textContent.trim()) continue;
      const range = document.createRange(); range.selectNodeContents(node); box = range.getBoundingClientRect();
    } else { box = node.getBoundingClientRect(); }
    if (box.width > 0 && box.right > limit + 0.5 && !clipped(node)) wide.push([node, box.right]);
  }
  const innermost = wide.filter(([node]) => !wide.some(([other]) => other !== node && node.contains(other)));
  return innermost.slice(0, 3).map(([node, right]) =>
      describe(node.nodeType === Node.TEXT_NODE ? node.parentElement : node, right));
}"""


def check(audited, visit: Visit, where: str, locale: str, problems: list[str], server: Lock) -> None:
    """Open the page; note a wrong status or landing, a wrong language, sideways scrolling and
    axe's findings."""
    page = audited.page
    with server:
        response = page.goto(audited.base_url + visit.path)
    try:
        audited.audit()
    except AssertionError as error:  # axe's list, without pytest's repr of the assertion
        problems.append(f"{where}: {str(error).split(chr(10) + 'assert ')[0]}")
    landed = urlsplit(page.url).path
    if response.status != visit.status or landed != (visit.lands or visit.path):
        problems.append(f"{where}: answered {response.status} at {landed}")
    if page.locator("html").get_attribute("lang") != locale:
        problems.append(f"{where}: the page is not in {locale}")
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > WIDTH:
        problems.append(f"{where} is {width}px wide: {page.evaluate(WIDEST)}")


def open_as(browser, base_url: str, email: str | None, locale: str, server: Lock) -> AuditedPage:
    """A phone for one person, in one language chosen with the header's switcher (POST /language;
    for a logged-in person it is also their setting). These pages are audited when listed."""
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, locale="en-GB")
    context.set_default_timeout(20_000)
    audited = AuditedPage(context.new_page(), base_url)
    page = audited.page
    with server:
        page.goto(base_url + ("/auth/login" if email else "/"))
        if email:
            page.get_by_label("E-mail address", exact=True).fill(email)
            page.get_by_label("Password", exact=True).fill(PASSWORDS[email])
            with page.expect_navigation():
                page.get_by_role("button", name="Log in", exact=True).click()
        with page.expect_navigation():
            page.get_by_role("button", name=LANGUAGE_BUTTON[locale], exact=True).click()
    return audited


def every_page_as(role: str, plan: list[Visit], base_url: str, problems: list[str], server: Lock) -> None:
    """One person's pages in every language, in a browser of their own, in a thread of its own.

    axe is most of the time, and runs in the browser: the people's browsers audit side by side
    (both cores), while their requests to the portal go one at a time (``server``), because the
    test database may be SQLite, whose deferred transactions refuse a second concurrent writer
    (a login, the language setting) rather than wait. A person's language is their setting, so
    one person's languages run one after the other."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            for locale in LOCALES:
                audited = open_as(browser, base_url, ROLES[role], locale, server)
                for visit in plan:
                    check(audited, visit, f"{visit.path} [{locale}, {role}, {WIDTH}px]", locale, problems, server)
                    if locale == SCREENSHOT_LOCALE and {visit.rule, visit.path} & SCREENSHOTS:
                        name = re.sub(r"[^a-z]+", "-", f"{role} {visit.path if '<name>' in visit.rule else visit.rule}")
                        audited.screenshot(f"phone-{name.strip('-')}-{locale}")
                audited.page.context.close()
        finally:
            browser.close()


def test_every_page_fits_a_phone_in_every_language(live_server, site):
    plan = visits(site)
    reached = {rule for person in plan.values() for visit in person for rule in (visit.rule, visit.lands) if rule}
    unplanned = site.get_rules - set(NOT_PAGES) - reached
    assert not unplanned, f"GET rules neither visited nor listed in NOT_PAGES: {sorted(unplanned)}"
    problems: list[str] = []
    server = Lock()
    with ThreadPoolExecutor(max_workers=len(ROLES)) as pool:
        runs = [pool.submit(every_page_as, role, plan[role], live_server, problems, server) for role in ROLES]
    for run in runs:
        run.result()  # an error inside a thread (not a finding) fails the test here
    assert not problems, f"{len(problems)} problems at {WIDTH}px:\n" + "\n".join(sorted(problems))
