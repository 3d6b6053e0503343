"""/office/?mail_failed=1: the applications whose applicant's most recent e-mail failed for good,
with the counts per status, saved views, exports and the flat query count that the other
filters have."""

import csv
import io
import re

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import SavedView
from portal.services import office_list
from tests.builders.factories import PASSWORD, ApplicationFactory, IntakeFactory, ProgrammeFactory, UserFactory
from tests.helpers import text_of
from tests.office.test_export import fetch
from tests.office.test_list import listed, submitted
from tests.services.test_mail_log import email

pytestmark = pytest.mark.usefixtures("ctx")


@pytest.fixture
def intake():
    return IntakeFactory(code="FM27")


@pytest.fixture
def programme():
    return ProgrammeFactory(code="mail-medicine")


@pytest.fixture
def officer(forms):
    user = UserFactory(officer=True, email="mail.officer@example.org")
    forms.login(user.email, PASSWORD)
    return user


@pytest.fixture
def cases(intake, programme):
    """One application per situation; only ``last_failed`` and ``again_failed`` match."""
    made = {name: submitted(intake, programme, days_ago=n + 1) for n, name in enumerate(
        ["last_failed", "failed_then_sent", "failed_then_waiting", "only_sent", "no_mail", "again_failed"])}
    email(made["last_failed"].applicant, state="sent")
    email(made["last_failed"].applicant, state="failed")
    email(made["failed_then_sent"].applicant, state="failed")
    email(made["failed_then_sent"].applicant, state="sent")
    email(made["failed_then_waiting"].applicant, state="failed")
    email(made["failed_then_waiting"].applicant, state="pending")
    email(made["only_sent"].applicant, state="sent")
    email(made["again_failed"].applicant, state="failed")
    email(made["again_failed"].applicant, state="failed")
    draft = ApplicationFactory(complete=True, intake=intake, programme=programme)  # never listed
    email(draft.applicant, state="failed")
    email(None, state="failed", recipient=made["only_sent"].applicant.email)  # no account: not theirs
    return made


def test_finds_exactly_the_applications_whose_last_email_failed(client, officer, cases):
    assert listed(client, "mail_failed=1") == [cases["last_failed"].reference, cases["again_failed"].reference]
    assert len(listed(client)) == 6


def test_combines_with_other_filters_and_status(client, officer, cases):
    cases["again_failed"].status = "under_review"
    cases["last_failed"].citizenship = "NG"
    db.session.flush()
    assert listed(client, "mail_failed=1&status=under_review") == [cases["again_failed"].reference]
    assert listed(client, "mail_failed=1&citizenship=NG") == [cases["last_failed"].reference]
    counts = office_list.status_counts(office_list.ListFilters(mail_failed=True), officer.id)
    assert counts["submitted"] == 1 and counts["under_review"] == 1 and sum(counts.values()) == 2


def test_counts_on_the_page_follow_the_filter(client, officer, cases):
    page = text_of(client.get("/office/?mail_failed=1"))
    assert "2 All statuses" in page and "2 applications" in page


def test_the_checkbox_shows_the_state_and_opens_more_filters(client, officer, cases):
    html = client.get("/office/?mail_failed=1").get_data(as_text=True)
    form = html.split('class="panel list-filters"', 1)[1].split("</form>", 1)[0]
    assert 'name="mail_failed"' in form and 'for="mail_failed"' in form
    assert '<details class="more-filters" open>' in form
    assert "checked" in re.search(r'<input[^>]*name="mail_failed"[^>]*>', form).group(0)
    plain = client.get("/office/").get_data(as_text=True).split('class="panel list-filters"', 1)[1]
    assert 'name="mail_failed"' in plain and '<details class="more-filters" open>' not in plain


@pytest.mark.parametrize("value", ["maybe", "0", "", "%00", "1" * 100])
def test_other_values_are_ignored(client, officer, cases, value):
    assert len(listed(client, f"mail_failed={value}")) == 6


@pytest.mark.parametrize("value", ["1", "y", "on", "true"])
def test_true_values(client, officer, cases, value):
    assert len(listed(client, f"mail_failed={value}")) == 2


def test_saved_view_keeps_the_filter(client, forms, officer, cases):
    response = forms.post("/office/views", {"name": "Mail trouble", "query": "mail_failed=on&status=bogus"},
                          page="/office/")
    assert response.status_code == 302 and response.headers["Location"] == "/office/?mail_failed=1"
    view = db.session.scalar(select(SavedView).where(SavedView.officer_id == officer.id))
    assert view.query == "mail_failed=1"
    assert client.get(f"/office/views/{view.id}").headers["Location"] == "/office/?mail_failed=1"


def test_links_keep_the_filter(client, officer, cases):
    html = client.get("/office/?mail_failed=1").get_data(as_text=True)
    assert "/office/export.csv?mail_failed=1" in html
    assert "/office/?status=submitted&amp;mail_failed=1" in html  # the counts' links


def test_export_follows_the_filter(client, officer, cases):
    response = fetch(client, "/office/export.csv?mail_failed=1")
    assert response.status_code == 200
    text = response.get_data(as_text=True).lstrip("\ufeff")
    references = {row[0] for row in csv.reader(io.StringIO(text))}
    assert {cases["last_failed"].reference, cases["again_failed"].reference} <= references
    assert cases["only_sent"].reference not in references and cases["failed_then_sent"].reference not in references


def test_query_count_stays_flat_with_the_filter(client, officer, intake, programme, count_queries):
    for n in range(3):
        email(submitted(intake, programme).applicant, state="failed" if n % 2 else "sent")
    with count_queries() as few:
        listed(client, "mail_failed=1")
    for n in range(60):
        applicant = submitted(intake, programme).applicant
        for state in ("sent", "failed")[: 1 + n % 2]:
            email(applicant, state=state)
    with count_queries() as many:
        assert len(listed(client, "mail_failed=1")) == 31
    assert len(few) == len(many) <= 6, (few, many)
