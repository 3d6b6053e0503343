"""CSV and XLSX exports of the office's list: the list's filters, formula cells neutralised,
streamed (CSV) or sent from a temporary file (XLSX), audited, staff only."""

import contextvars
import csv
import io
import re
import zipfile
from xml.etree import ElementTree

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditLog
from portal.services import export
from tests.builders.factories import PASSWORD, ApplicationFactory, UserFactory
from tests.office.test_list import intake, officer, programme, submitted  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("ctx")
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def fetch(client, path):
    """GET and read the whole body in one context, as a WSGI server does: a streamed response
    (stream_with_context) must be read where it was started, and the test client isolates each
    request in a context of its own (tests/conftest.py IsolatedClient)."""

    def run():
        response = FlaskClient.open(client, path)
        streamed = response.is_streamed
        response.get_data()
        response.was_streamed = streamed
        return response

    return contextvars.Context().run(run)


def read_csv(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def read_xlsx(response) -> tuple[list[list[str]], str]:
    """The first sheet's cells as text, row by row, and the sheet's raw XML."""
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as book:
        sheet_xml = book.read("xl/worksheets/sheet1.xml").decode()
        shared = []
        if "xl/sharedStrings.xml" in book.namelist():
            shared = ["".join(t.itertext()) for t in
                      ElementTree.fromstring(book.read("xl/sharedStrings.xml")).iter(f"{MAIN}si")]  # noqa: S314
    rows = []
    for row in ElementTree.fromstring(sheet_xml).iter(f"{MAIN}row"):  # noqa: S314 (our own export)
        cells = []
        for cell in row.iter(f"{MAIN}c"):
            if cell.get("t") == "s":
                cells.append(shared[int(cell.find(f"{MAIN}v").text)])
            else:
                cells.append("".join(t.text or "" for t in cell.iter(f"{MAIN}t")))
        rows.append(cells)
    return rows, sheet_xml


@pytest.mark.parametrize("value, expected", [
    ("=1+2", "'=1+2"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"), ("ALIYEVA", "ALIYEVA"), ("1=1", "1=1"), ("", ""),
])
def test_neutralise(value, expected):
    assert export.neutralise(value) == expected


@pytest.fixture
def risky(intake, programme):  # noqa: F811
    """An application whose answers a spreadsheet would run as formulas."""
    return submitted(intake, programme, surname='=HYPERLINK("http://evil.example","CLICK")', given_names="+SUM(1)",
                     passport_number="-2+3", citizenship="NG",
                     applicant=UserFactory(email="@risky@example.com"))


def test_csv_is_streamed_neutralised_and_filtered(client, officer, intake, programme, risky):  # noqa: F811
    other = submitted(intake, programme, surname="SAFE", citizenship="IN", status="accepted")
    response = fetch(client, "/office/export.csv")
    assert response.status_code == 200 and response.was_streamed
    assert response.mimetype == "text/csv"
    assert re.match(r'attachment; filename="applications-\d{8}-\d{4}\.csv"', response.headers["Content-Disposition"])
    assert response.headers["Cache-Control"] == "private, no-store"
    rows = read_csv(response)
    assert rows[0][:3] == ["Reference", "Status", "Submitted (UTC)"]
    by_reference = {row[0]: row for row in rows[1:]}
    assert set(by_reference) == {risky.reference, other.reference}
    row = by_reference[risky.reference]
    assert row[3] == "'=HYPERLINK(\"http://evil.example\",\"CLICK\")" and row[4] == "'+SUM(1)"
    assert row[8] == "'-2+3" and row[12] == "'@risky@example.com" and row[13] == "'+989121234567"
    assert row[7] == "Nigeria" and row[9] == "General Medicine"
    assert row[1] == "Submitted: waiting for the admissions office"
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)
    only = read_csv(fetch(client, "/office/export.csv?citizenship=IN&status=accepted&after=5"))
    assert [r[0] for r in only[1:]] == [other.reference]


def test_xlsx_is_neutralised_and_has_no_formulas(client, officer, intake, programme, risky):  # noqa: F811
    response = client.get("/office/export.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response.headers["Content-Disposition"]
    rows, xml = read_xlsx(response)
    assert rows[0][0] == "Reference" and len(rows) == 2
    assert rows[1][0] == risky.reference
    assert rows[1][3] == "'=HYPERLINK(\"http://evil.example\",\"CLICK\")" and rows[1][4] == "'+SUM(1)"
    assert "'-2+3" in rows[1] and "'@risky@example.com" in rows[1]
    assert "<f>" not in xml and "<f " not in xml  # no cell is a formula
    assert 'Hyperlink' not in xml and "hyperlink" not in xml


def test_exports_follow_the_filters_and_leave_drafts_out(client, officer, intake, programme):  # noqa: F811
    wanted = submitted(intake, programme, citizenship="NG", surname="WANTED")
    submitted(intake, programme, citizenship="IN", surname="OTHER")
    ApplicationFactory(complete=True, intake=intake, programme=programme, citizenship="NG", surname="DRAFTY")
    rows = read_csv(fetch(client, "/office/export.csv?citizenship=NG"))
    assert [r[0] for r in rows[1:]] == [wanted.reference]
    rows, _xml = read_xlsx(client.get("/office/export.xlsx?citizenship=NG&q=want"))
    assert [r[0] for r in rows[1:]] == [wanted.reference]
    assert len(read_csv(fetch(client, "/office/export.csv?q=%27+OR+1%3D1--"))) == 1  # the header only


def test_every_export_is_audited(client, officer, intake, programme):  # noqa: F811
    for _ in range(3):
        submitted(intake, programme, citizenship="NG")
    fetch(client, "/office/export.csv?citizenship=NG&status=submitted&bogus=1")
    client.get("/office/export.xlsx").get_data()
    entries = db.session.scalars(select(AuditLog).where(AuditLog.action == "applications.export")
                                 .order_by(AuditLog.id)).all()
    assert [(e.actor_id, e.target_id, e.details["rows"]) for e in entries] == [(officer.id, "csv", 3),
                                                                                (officer.id, "xlsx", 3)]
    assert entries[0].details["filters"] == {"status": "submitted", "citizenship": "NG"}


def test_rows_are_read_in_batches(officer, intake, programme, monkeypatch):  # noqa: F811
    """The export never asks for every row at once (yield_per; a server-side cursor on PostgreSQL)."""
    from portal.services import office_list

    seen = []
    original = db.session.execute

    def spy(statement, *args, **kwargs):
        seen.append(statement.get_execution_options())
        return original(statement, *args, **kwargs)

    monkeypatch.setattr(db.session, "execute", spy)
    for _ in range(3):
        submitted(intake, programme)
    cells = export.rows(office_list.ListFilters(), officer.id, office_list.Choices(), "en")
    assert len(list(cells)) == 3
    assert seen and seen[0].get("yield_per") == export.BATCH


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_applicants_and_anonymous_users_cannot_export(client, forms, kind):
    response = client.get(f"/office/export.{kind}")
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")
    forms.login(UserFactory().email, PASSWORD)
    assert client.get(f"/office/export.{kind}").status_code == 403
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "applications.export")) is None
