"""/office/: the application list — filters, search, sort, keyset pages, counts, saved views and
bulk actions; access for staff only; a flat number of queries as rows grow."""

import itertools
import re
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import select

from portal.database import utcnow
from portal.extensions import db
from portal.models import ApplicationEvent, AuditLog, SavedView
from portal.services import office_list
from tests.builders.factories import PASSWORD, ApplicationFactory, IntakeFactory, ProgrammeFactory, UserFactory
from tests.helpers import text_of

pytestmark = pytest.mark.usefixtures("ctx")
_numbers = itertools.count(1)


@pytest.fixture
def intake():
    return IntakeFactory(code="FC27")


@pytest.fixture
def programme():
    return ProgrammeFactory(code="general-medicine", name_en="General Medicine")


@pytest.fixture
def officer(forms):
    user = UserFactory(officer=True, email="officer@example.org")
    forms.login(user.email, PASSWORD)
    return user


def submitted(intake, programme, *, status="submitted", days_ago=1, reference=None, **fields):
    """A submitted application (the factory makes drafts): reference, status, submission time."""
    application = ApplicationFactory(complete=True, intake=intake, programme=programme, **fields)
    application.reference = reference or f"{intake.code}-{next(_numbers):06d}"
    application.status = status
    application.submitted_at = utcnow() - timedelta(days=days_ago)
    db.session.flush()
    return application


def references(response) -> list[str]:
    """The references listed on the page, in order."""
    assert response.status_code == 200
    return re.findall(r'href="/office/applications/([^"]+)"', response.get_data(as_text=True))


def listed(client, query="") -> list[str]:
    return references(client.get("/office/" + (f"?{query}" if query else "")))


# --- access ----------------------------------------------------------------------------------

GET_PATHS = ["/office/", "/office/stats", "/office/export.csv", "/office/export.xlsx", "/office/views/1"]
POST_PATHS = ["/office/bulk", "/office/views", "/office/views/1/delete"]


def test_anonymous_users_go_to_login(client):
    for path in GET_PATHS + POST_PATHS:
        response = client.get(path) if path in GET_PATHS else client.post(path)
        if path in POST_PATHS and response.status_code == 400:  # no CSRF token: refused before the view
            continue
        assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login"), path


def test_anonymous_post_with_a_token_goes_to_login(client, forms):
    for path in POST_PATHS:
        response = forms.post(path, {"name": "x"}, page="/auth/login")
        assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login"), path


def test_applicants_are_refused(client, forms, intake, programme):
    application = submitted(intake, programme)
    forms.login(UserFactory().email, PASSWORD)
    for path in GET_PATHS:
        assert client.get(path).status_code == 403, path
    for path in POST_PATHS:
        response = forms.post(path, {"ids": [str(application.id)], "start_review": "1", "name": "x"}, page="/")
        assert response.status_code == 403, path
    db.session.refresh(application)
    assert application.status == "submitted"


# --- what is listed --------------------------------------------------------------------------

def test_lists_submitted_applications_never_drafts(client, officer, intake, programme):
    shown = submitted(intake, programme, surname="HUSSAIN")
    ApplicationFactory(complete=True, intake=intake, programme=programme, surname="DRAFTOVA")
    page = client.get("/office/")
    assert references(page) == [shown.reference]
    assert "HUSSAIN" in text_of(page) and "DRAFTOVA" not in text_of(page)
    assert f'href="/office/applications/{shown.reference}"' in page.get_data(as_text=True)


def test_each_filter(client, officer, intake, programme):
    other_intake, other_programme = IntakeFactory(code="FC28"), ProgrammeFactory(code="dentistry")
    colleague = UserFactory(officer=True)
    a = submitted(intake, programme, status="submitted", citizenship="NG", instruction_language="en", days_ago=1)
    b = submitted(intake, other_programme, status="under_review", citizenship="IN", instruction_language="ru",
                  days_ago=10, assigned_officer_id=officer.id, flagged_duplicate=True)
    c = submitted(other_intake, programme, status="accepted", citizenship="NG", instruction_language="en",
                  days_ago=40, assigned_officer_id=colleague.id)
    day = (utcnow() - timedelta(days=10)).date().isoformat()
    cases = {
        "status=under_review": [b], "status=accepted": [c],
        f"intake={other_intake.id}": [c], f"intake={intake.id}": [a, b],
        f"programme={other_programme.id}": [b], "language=ru": [b], "language=en": [a, c],
        "citizenship=NG": [a, c], "citizenship=in": [b],
        "officer=me": [b], "officer=none": [a], f"officer={colleague.id}": [c],
        "flagged=1": [b], f"submitted_from={day}": [a, b], f"submitted_to={day}": [b, c],
        f"submitted_from={day}&submitted_to={day}": [b],
        f"citizenship=NG&programme={programme.id}&intake={intake.id}": [a],
    }
    for query, expected in cases.items():
        assert listed(client, query) == [x.reference for x in expected], query


@pytest.mark.parametrize("q, expected", [
    ("FC27-000777", ["ref"]), ("fc27-0007", ["ref"]), ("FC27", ["ref", "passport", "name", "given", "mail"]),
    ("K7654321", ["passport"]), ("k765 4321", ["passport"]),
    ("abdul", ["name"]), ("ABDULLAH", ["name"]), ("  Abdul  ", ["name"]),
    ("MARI", ["given"]), ("ROSE", []),  # given names match from their start only
    ("okafor chi", ["mail"]), ("OKAFOR", ["mail"]),
    ("Chidi.Okafor@Example.COM", ["mail"]), ("chidi.okafor@example", []),
    ("' OR 1=1--", []), ("%", []), ("_", []), ("ABD_LLAH", []), ("%ULLAH", []), ("\\", []), ("'", []),
])
def test_search_by_each_kind(client, officer, intake, programme, q, expected):
    made = {
        "ref": submitted(intake, programme, reference="FC27-000777", surname="ZED"),
        "passport": submitted(intake, programme, passport_number="K7654321", surname="ZED"),
        "name": submitted(intake, programme, surname="ABDULLAH", given_names="OMAR"),
        "given": submitted(intake, programme, surname="ZED", given_names="MARIA ROSE"),
        "mail": submitted(intake, programme, surname="OKAFOR", given_names="CHIDI",
                          applicant=UserFactory(email="chidi.okafor@example.com")),
    }
    response = client.get("/office/", query_string={"q": q})
    assert response.status_code == 200
    assert sorted(references(response)) == sorted(made[k].reference for k in expected)


@pytest.mark.parametrize("sort, direction", [(s, d) for s in ("submitted", "reference", "surname")
                                             for d in ("asc", "desc")])
def test_each_sort(client, officer, intake, programme, sort, direction):
    apps = [submitted(intake, programme, surname=name, days_ago=days, reference=ref)
            for name, days, ref in (("BAKER", 3, "FC27-000003"), ("ADAMS", 1, "FC27-000002"),
                                    ("CLARK", 2, "FC27-000001"))]
    key = {"submitted": lambda a: a.submitted_at, "reference": lambda a: a.reference,
           "surname": lambda a: a.surname}[sort]
    expected = [a.reference for a in sorted(apps, key=key, reverse=direction == "desc")]
    page = client.get(f"/office/?sort={sort}&direction={direction}")
    assert references(page) == expected
    header = re.search(r'<th scope="col" aria-sort="(\w+)">', page.get_data(as_text=True))
    assert header and header.group(1) == ("descending" if direction == "desc" else "ascending")


@pytest.mark.parametrize("query", [
    "status=draft", "status=<script>", "intake=abc", "intake=-1", "intake=999999999999999999999", "programme=1.5",
    "language=xx", "citizenship=ZZ", "citizenship=NGA", "officer=someone", "officer=99999999",
    "submitted_from=2027-02-30", "submitted_to=99999-01-01", "submitted_from=0001-01-01", "sort=password_hash",
    "direction=sideways", "after=abc", "after=-5", "before=1e9", "flagged=maybe", "page=x",
    "q=" + "A" * 5000, "status=submitted&status=accepted&status=", "%ff=%fe", "q=%00", "q=AL%00I", "officer=%00",
])
def test_bad_values_are_ignored(client, officer, intake, programme, query):
    apps = [submitted(intake, programme, days_ago=d) for d in (1, 2)]
    response = client.get("/office/?" + query)
    assert response.status_code == 200
    if not query.startswith(("q=", "status=submitted")):
        assert references(response) == [a.reference for a in apps]


def test_bad_values_are_dropped_from_the_form_and_links(client, officer, intake, programme):
    submitted(intake, programme)
    html = client.get("/office/?citizenship=ZZ&status=bogus&sort=evil").get_data(as_text=True).split("<main")[1]
    assert "ZZ" not in html and "bogus" not in html and "evil" not in html


def test_keyset_pages_forward_and_back(client, officer, intake, programme, monkeypatch):
    monkeypatch.setattr(office_list, "PAGE_SIZE", 3)
    apps = [submitted(intake, programme, days_ago=d) for d in range(1, 9)]  # newest first: apps[0..7]
    first = client.get("/office/")
    assert references(first) == [a.reference for a in apps[:3]]
    html = unescape(first.get_data(as_text=True))
    assert 'rel="prev"' not in html
    second = client.get(re.search(r'rel="next" href="([^"]+)"', html).group(1))
    assert references(second) == [a.reference for a in apps[3:6]]
    html = unescape(second.get_data(as_text=True))
    third = client.get(re.search(r'rel="next" href="([^"]+)"', html).group(1))
    assert references(third) == [a.reference for a in apps[6:]]
    assert 'rel="next"' not in third.get_data(as_text=True)
    back = client.get(re.search(r'rel="prev" href="([^"]+)"', unescape(third.get_data(as_text=True))).group(1))
    assert references(back) == [a.reference for a in apps[3:6]]
    back = client.get(re.search(r'rel="prev" href="([^"]+)"', unescape(back.get_data(as_text=True))).group(1))
    assert references(back) == [a.reference for a in apps[:3]]


def test_pages_keep_the_filters_and_sort(client, officer, intake, programme, monkeypatch):
    monkeypatch.setattr(office_list, "PAGE_SIZE", 2)
    names = ["ADAMS", "BAKER", "CLARK", "DAVIS"]
    for name in names:
        submitted(intake, programme, surname=name, citizenship="NG")
    submitted(intake, programme, surname="AARON", citizenship="IN")
    first = client.get("/office/?citizenship=NG&sort=surname&direction=asc")
    assert [re.sub(r"\s+", " ", n) for n in re.findall(r'class="applicant-name">([A-Z]+)', first.get_data(True))] \
        == ["ADAMS", "BAKER"]
    link = unescape(re.search(r'rel="next" href="([^"]+)"', first.get_data(as_text=True)).group(1))
    assert "citizenship=NG" in link and "sort=surname" in link and "direction=asc" in link
    second = client.get(link)
    assert re.findall(r'class="applicant-name">([A-Z]+)', second.get_data(as_text=True)) == ["CLARK", "DAVIS"]


def test_counts_per_status_follow_the_other_filters(client, officer, intake, programme):
    for status, n in (("submitted", 3), ("under_review", 2), ("accepted", 1)):
        for _ in range(n):
            submitted(intake, programme, status=status, citizenship="NG")
    submitted(intake, programme, status="submitted", citizenship="IN")
    counts = office_list.status_counts(office_list.ListFilters(citizenship="NG"), officer.id)
    assert counts["submitted"] == 3 and counts["under_review"] == 2 and counts["accepted"] == 1
    assert counts["rejected"] == 0 and "draft" not in counts
    page = text_of(client.get("/office/?citizenship=NG&status=under_review"))
    assert "2 applications match the filters" in page
    assert "6 All statuses" in page and "3 Submitted: waiting for the admissions office" in page
    assert "7 applications" in text_of(client.get("/office/"))


def test_counts_are_cached_briefly_outside_tests(app, officer, intake, programme, monkeypatch):
    submitted(intake, programme)
    monkeypatch.setitem(app.config, "OFFICE_COUNTS_CACHE_SECONDS", 30)
    try:
        office_list.forget_counts()
        assert office_list.status_counts(office_list.ListFilters(), officer.id)["submitted"] == 1
        submitted(intake, programme)
        assert office_list.status_counts(office_list.ListFilters(), officer.id)["submitted"] == 1  # cached
        office_list.forget_counts()
        assert office_list.status_counts(office_list.ListFilters(), officer.id)["submitted"] == 2
    finally:
        office_list.forget_counts()


def test_query_count_stays_flat_as_rows_grow(client, officer, intake, programme, count_queries):
    colleague = UserFactory(officer=True)
    for n in range(5):
        submitted(intake, programme, assigned_officer_id=colleague.id if n % 2 else None)
    with count_queries() as few:
        assert len(listed(client)) == 5
    for n in range(55):
        submitted(intake, ProgrammeFactory() if n % 7 == 0 else programme,
                  assigned_officer_id=colleague.id if n % 2 else None, flagged_duplicate=n % 5 == 0)
    with count_queries() as many:
        assert len(listed(client)) == 50
    with count_queries() as filtered:
        assert listed(client, "status=submitted&q=ALI&sort=surname")
    assert len(few) == len(many) == len(filtered) <= 6, (few, many)


def test_the_filter_form_is_a_get_form_with_a_label_for_every_input(client, officer, intake, programme):
    submitted(intake, programme)
    html = client.get("/office/").get_data(as_text=True)
    form = re.search(r'<form method="get" action="/office/".*?</form>', html, re.S).group(0)
    names = set(re.findall(r'<(?:input|select)[^>]*name="([^"]+)"', form))
    assert {"q", "status", "intake", "programme", "language", "citizenship", "officer", "submitted_from",
            "submitted_to", "flagged", "sort", "direction"} <= names
    for element_id in re.findall(r'<(?:input|select)(?![^>]*type="(?:hidden|submit)")[^>]*id="([^"]+)"', html):
        assert f'for="{element_id}"' in html, f"no label for #{element_id}"


# --- saved views -----------------------------------------------------------------------------

def test_save_open_and_delete_a_view(client, forms, officer, intake, programme):
    submitted(intake, programme, citizenship="NG")
    response = forms.post("/office/views", {"name": "Nigeria, newest", "query": "citizenship=NG&status=bogus"},
                          page="/office/")
    assert response.status_code == 302 and response.headers["Location"] == "/office/?citizenship=NG"
    view = db.session.scalar(select(SavedView).where(SavedView.officer_id == officer.id))
    assert (view.name, view.query) == ("Nigeria, newest", "citizenship=NG")
    page = client.get("/office/")
    assert "Nigeria, newest" in text_of(page) and f"/office/views/{view.id}" in page.get_data(as_text=True)
    assert client.get(f"/office/views/{view.id}").headers["Location"] == "/office/?citizenship=NG"
    forms.post("/office/views", {"name": "Nigeria, newest", "query": "citizenship=NG&sort=surname"}, page="/office/")
    db.session.refresh(view)
    assert view.query == "citizenship=NG&sort=surname"  # the same name replaces the query
    response = forms.post(f"/office/views/{view.id}/delete", page="/office/")
    assert response.status_code == 302
    assert db.session.scalar(select(SavedView).where(SavedView.officer_id == officer.id)) is None


def test_a_view_needs_a_name(client, forms, officer):
    response = forms.post("/office/views", {"name": "  ", "query": "status=submitted"}, page="/office/", follow=True)
    assert "Enter a name for the view." in text_of(response)
    assert db.session.scalar(select(SavedView)) is None


def test_another_officers_view_is_not_found(client, forms, officer):
    colleague = UserFactory(officer=True)
    theirs = SavedView(officer_id=colleague.id, name="Mine only", query="status=accepted")
    db.session.add(theirs)
    db.session.flush()
    assert "Mine only" not in text_of(client.get("/office/"))
    assert client.get(f"/office/views/{theirs.id}").status_code == 404
    assert forms.post(f"/office/views/{theirs.id}/delete", page="/office/").status_code == 404
    assert db.session.get(SavedView, theirs.id) is not None


# --- bulk actions ----------------------------------------------------------------------------

def bulk(forms, ids, **fields):
    return forms.post("/office/bulk", {"ids": [str(i) for i in ids], "next": "/office/?status=submitted",
                                       **fields}, page="/office/", follow=True)


def test_bulk_assign(client, forms, officer, intake, programme):
    colleague = UserFactory(officer=True, email="colleague@example.org")
    apps = [submitted(intake, programme) for _ in range(3)]
    already = submitted(intake, programme, assigned_officer_id=colleague.id)
    response = bulk(forms, [a.id for a in apps] + [already.id], assignee=str(colleague.id), assign="1")
    assert response.request.path == "/office/" and response.request.args.get("status") == "submitted"
    text = text_of(response)
    assert "3 applications were changed." in text
    assert f"1 application was skipped: {already.reference} (already assigned to this officer)" in text
    for application in apps:
        db.session.refresh(application)
        assert application.assigned_officer_id == colleague.id
    entries = db.session.scalars(select(AuditLog).where(AuditLog.action == "application.bulk_assign")).all()
    assert sorted(e.target_id for e in entries) == sorted(str(a.id) for a in apps)
    assert {e.actor_id for e in entries} == {officer.id} and entries[0].details["assignee"] == colleague.email
    assert db.session.scalar(select(ApplicationEvent).where(ApplicationEvent.kind == "assignment",
                                                            ApplicationEvent.application_id == apps[0].id))
    response = bulk(forms, [apps[0].id], assignee="none", assign="1")
    db.session.refresh(apps[0])
    assert apps[0].assigned_officer_id is None and "1 application was changed." in text_of(response)


def test_bulk_start_review_skips_the_wrong_states(client, forms, officer, intake, programme, outbox):
    ready = [submitted(intake, programme) for _ in range(2)]
    accepted = submitted(intake, programme, status="accepted")
    reviewing = submitted(intake, programme, status="under_review")
    draft = ApplicationFactory(complete=True, intake=intake, programme=programme)
    response = bulk(forms, [a.id for a in ready + [accepted, reviewing, draft]], start_review="1")
    text = text_of(response)
    assert "2 applications were changed." in text and "2 applications were skipped:" in text
    assert f"{accepted.reference} (This cannot be done while the application is “Accepted”.)" in text
    for application in ready:
        db.session.refresh(application)
        assert application.status == "under_review" and application.assigned_officer_id == officer.id
    for application, status in ((accepted, "accepted"), (reviewing, "under_review"), (draft, "draft")):
        db.session.refresh(application)
        assert application.status == status
    entries = db.session.scalars(select(AuditLog).where(AuditLog.action == "application.bulk_start_review")).all()
    assert sorted(e.target_id for e in entries) == sorted(str(a.id) for a in ready)
    assert sorted(m.to[0] for m in outbox) == sorted(a.applicant.email for a in ready)


@pytest.mark.parametrize("fields, message", [
    ({"assign": "1", "assignee": "99999"}, "Choose an officer from the list."),
    ({"assign": "1", "assignee": "abc"}, "Choose an officer from the list."),
    ({}, "Select at least one application, then choose an action."),
])
def test_bulk_bad_input(client, forms, officer, intake, programme, fields, message):
    application = submitted(intake, programme)
    response = bulk(forms, [application.id], **fields)
    assert message in text_of(response)
    db.session.refresh(application)
    assert application.assigned_officer_id is None and application.status == "submitted"


def test_bulk_needs_a_selection_and_a_csrf_token(client, forms, officer, intake, programme):
    application = submitted(intake, programme)
    assert "Select at least one application" in text_of(bulk(forms, [], start_review="1"))
    response = client.post("/office/bulk", data={"ids": [str(application.id)], "start_review": "1"})
    assert response.status_code == 400
    db.session.refresh(application)
    assert application.status == "submitted"


def test_bulk_goes_back_to_the_list_only(client, forms, officer, intake, programme):
    application = submitted(intake, programme)
    for target in ("https://evil.example/", "//evil.example/office/", "/apply/"):
        response = forms.post("/office/bulk", {"ids": [str(application.id)], "start_review": "1", "next": target},
                              page="/office/")
        assert response.headers["Location"] == "/office/", target


# --- synthetic applications for scale tests ----------------------------------------------------

def test_seed_demo_adds_synthetic_applications(app, client, forms):
    from sqlalchemy import func

    from portal.demo import DEMO_ACCOUNTS, DEMO_APPLICANTS
    from portal.models import Application, User

    result = app.test_cli_runner().invoke(args=["seed-demo", "--applications", "300"])
    assert result.exit_code == 0, result.output
    assert "300 synthetic applications" in result.output
    apps = db.session.scalars(select(Application).where(Application.reference.isnot(None))).all()
    assert len(apps) == 303  # the three demo applications and the synthetic ones
    assert len({a.reference for a in apps}) == len({a.passport_number for a in apps}) == 303
    statuses = {a.status for a in apps}
    assert {"submitted", "under_review", "accepted"} <= statuses and "draft" not in statuses
    assert len({a.citizenship for a in apps}) >= 10 and len({a.programme_id for a in apps}) == 4
    assert all(a.submitted_at <= utcnow() and a.surname == a.surname.upper() for a in apps)
    assert db.session.scalar(select(func.count()).select_from(User)) == len(DEMO_ACCOUNTS) + len(DEMO_APPLICANTS) + 300
    bad = app.test_cli_runner().invoke(args=["seed-demo", "--applications", "-5"])
    assert bad.exit_code != 0
    forms.login(DEMO_ACCOUNTS[0][0], DEMO_ACCOUNTS[0][2])
    assert len(listed(client)) == 50 and "303 applications" in text_of(client.get("/office/"))
