"""The office's application list in the browser: an officer logs in, filters the list by status,
searches by name, opens an application, and looks at the statistics. Every page passes axe;
screenshots of the list and the statistics at 1280 px and 360 px go to test-artifacts/ (on a
phone the table scrolls inside its own box; the page itself must not scroll sideways)."""

from __future__ import annotations

import random
import re

import pytest
from sqlalchemy import select

from portal import create_app, demo, synthetic
from portal.extensions import db
from portal.models import Application, Intake
from portal.services import accounts
from tests.browser.conftest import log_in
from tests.conftest import settings_for

pytestmark = [pytest.mark.browser, pytest.mark.live_db, pytest.mark.smtp]
PASSWORD = "Quiet meadow lantern 1972"
OFFICER = "list.officer@example.com"


@pytest.fixture
def data_app(database_url, tmp_path, live_server):
    """Committed for the live server: the demo intake and tracks, an officer, 60 synthetic
    submitted applications, one of them with a name to search for."""
    app = create_app(settings_for(database_url, tmp_path))
    with app.test_request_context():
        demo.seed_reference_data()
        accounts.create_user(OFFICER, PASSWORD, role="officer", verified=True)
        db.session.flush()
        intake = db.session.scalar(select(Intake))
        synthetic.seed_applications(60, intake=intake, rng=random.Random(6))
        findable = db.session.scalar(select(Application).order_by(Application.id).limit(1))
        findable.surname, findable.given_names, findable.status = "QUENTINOVA", "LEYLA", "under_review"
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()



def no_sideways_scroll(audited):
    width = audited.page.evaluate("document.documentElement.scrollWidth")
    assert width <= audited.page.viewport_size["width"], f"the page scrolls sideways: {width}px"


def test_officer_filters_searches_and_opens_an_application(make_page, data_app):
    office = make_page()
    page = office.page
    log_in(office, OFFICER, PASSWORD)
    office.goto("/office/")
    assert page.get_by_role("heading", name="60 applications").is_visible()
    assert page.locator("table.list-table tbody tr").count() == 50
    office.screenshot("office-list-desktop")

    # Filter by status: the GET form puts it in the URL.
    page.get_by_label("Status", exact=True).select_option(label="Under review by the admissions office")
    page.get_by_role("button", name="Show applications").first.click()
    office.audit()
    assert "status=under_review" in page.url
    statuses = page.locator("table.list-table tbody .status").all_inner_texts()
    assert statuses and set(statuses) == {"Under review by the admissions office"}

    # Search by the start of a name, in lower case; the status filter stays.
    page.get_by_label("Search", exact=True).fill("quentin")
    page.get_by_role("button", name="Show applications").first.click()
    office.audit()
    assert "q=quentin" in page.url and "status=under_review" in page.url
    rows = page.locator("table.list-table tbody tr")
    assert rows.count() == 1 and "QUENTINOVA LEYLA" in rows.first.inner_text()
    reference = rows.first.get_by_role("link").first.inner_text().strip()

    # More filters open on their own when one is set; the screenshot shows them.
    office.goto("/office/?citizenship=IN&sort=surname&direction=asc")
    assert page.locator("details.more-filters").get_attribute("open") is not None
    office.screenshot("office-list-filters-desktop")

    # Open the application from the list.
    office.goto("/office/?q=quentin")
    page.get_by_role("link", name=reference, exact=True).click()
    office.audit()
    assert re.search(rf"/office/applications/{reference}$", page.url)
    assert reference in page.get_by_role("heading", level=1).inner_text()

    # Statistics.
    page.get_by_role("link", name="Statistics", exact=True).click()
    office.audit()
    assert page.get_by_role("img", name="Applications per status").is_visible()
    page.get_by_text("Show the numbers as a table").first.click()
    assert page.get_by_role("table").first.is_visible()
    office.screenshot("office-stats-desktop")

    # The same pages on a phone.
    phone = make_page(width=360, height=740)
    phone.page.context.add_cookies(page.context.cookies())
    for path, name in (("/office/", "office-list-360"), ("/office/stats", "office-stats-360")):
        phone.goto(path)
        no_sideways_scroll(phone)
        phone.screenshot(name)
