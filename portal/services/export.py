"""Exports of the office's application list, CSV and XLSX, with the list's own filters.

Why it is shaped this way:
- a season's export (100,000 rows) must not sit in memory: rows are read in batches
  (``yield_per``: a server-side cursor on PostgreSQL) and written out as they come — CSV straight
  into the response from a generator, XLSX by XlsxWriter in constant-memory mode (each row goes to
  disk as it is written) into a temporary file that is then sent from disk;
- a spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
  return before one) as a formula, and applicants choose what they type: every such cell is
  prefixed with a single quote (OWASP, "CSV injection"), in both formats;
- every export is in the audit log: who, which filters, how many rows — written and committed
  before the first byte leaves, so an export broken off half-way is still on record.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO

import xlsxwriter
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from portal.extensions import db
from portal.i18n import country_choices
from portal.models import INSTRUCTION_LANGUAGES, Application, Intake, User
from portal.models.status import STATUS_TEXT
from portal.services import audit
from portal.services.office_list import Choices, ListFilters, ordered, where_clauses

FORMATS = ("csv", "xlsx")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
BATCH = 1000
COLUMNS = (
    _l("Reference"), _l("Status"), _l("Submitted (UTC)"), _l("Surname"), _l("Given names"), _l("Sex"),
    _l("Date of birth"), _l("Citizenship"), _l("Passport number"), _l("Programme"),
    _l("Language of instruction"), _l("Intake"), _l("E-mail address"), _l("Phone number"),
    _l("Assigned officer"), _l("Possible duplicate"),
)
WIDTHS = (14, 28, 18, 18, 22, 5, 12, 20, 14, 22, 12, 8, 30, 16, 28, 10)


def neutralise(value: str) -> str:
    """A cell that a spreadsheet would run as a formula is made plain text."""
    return "'" + value if value.startswith(FORMULA_START) else value


def count_rows(filters: ListFilters, user_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Application)
                             .where(*where_clauses(filters.without_cursor(), user_id)))


def record_export(actor: User, filters: ListFilters, kind: str, rows: int) -> None:
    audit.record(actor, "applications.export", "application_list", kind,
                 {"format": kind, "filters": filters.query_args(), "rows": rows})


def rows(filters: ListFilters, user_id: int, choices: Choices, locale: str) -> Iterator[list[str]]:
    """The export's cells, row by row, read from the database in batches; already neutralised."""
    officer = aliased(User)
    a = Application
    stmt = (select(a.reference, a.status, a.submitted_at, a.surname, a.given_names, a.sex, a.date_of_birth,
                   a.citizenship, a.passport_number, a.programme_id, a.instruction_language, Intake.code,
                   User.email, a.phone, officer.email.label("officer_email"), a.flagged_duplicate)
            .join(User, User.id == a.applicant_id)
            .join(Intake, Intake.id == a.intake_id)
            .outerjoin(officer, officer.id == a.assigned_officer_id)
            .where(*where_clauses(filters.without_cursor(), user_id)))
    stmt = ordered(stmt, filters).execution_options(yield_per=BATCH)
    countries = dict(country_choices())
    statuses = {code: str(text) for code, text in STATUS_TEXT.items()}
    languages = {code: str(text) for code, text in INSTRUCTION_LANGUAGES.items()}
    programmes = {pid: choices.programme_name(pid, locale) for pid, _names in choices.programmes}
    yes = _("yes")
    for row in db.session.execute(stmt):
        cells = (row.reference, statuses.get(row.status, row.status),
                 row.submitted_at.strftime("%Y-%m-%d %H:%M") if row.submitted_at else "",
                 row.surname, row.given_names, row.sex,
                 row.date_of_birth.isoformat() if row.date_of_birth else "",
                 countries.get(row.citizenship, row.citizenship), row.passport_number,
                 programmes.get(row.programme_id, ""), languages.get(row.instruction_language, ""),
                 row.code, row.email, row.phone, row.officer_email, yes if row.flagged_duplicate else "")
        yield [neutralise(str(cell)) if cell else "" for cell in cells]


def header() -> list[str]:
    return [str(title) for title in COLUMNS]


def csv_chunks(cells: Iterable[list[str]], rows_per_chunk: int = 500) -> Iterator[str]:
    """CSV text in chunks of a few hundred rows; a byte-order mark first, so spreadsheets read
    the file as UTF-8 (names and countries in Cyrillic or Azerbaijani letters)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(header())
    for n, row in enumerate(cells, start=1):
        writer.writerow(row)
        if n % rows_per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def write_xlsx(cells: Iterable[list[str]], target: IO[bytes]) -> None:
    """One worksheet, every cell a string (never a formula, a number or a link)."""
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_formulas": False,
                                            "strings_to_numbers": False, "strings_to_urls": False,
                                            "tmpdir": tempfile.gettempdir()})
    sheet = workbook.add_worksheet(_sheet_name(_("Applications")))
    bold = workbook.add_format({"bold": True})
    for column, width in enumerate(WIDTHS):
        sheet.set_column(column, column, width)
    for column, title in enumerate(header()):
        sheet.write_string(0, column, title, bold)
    sheet.freeze_panes(1, 0)
    for number, row in enumerate(cells, start=1):
        for column, value in enumerate(row):
            if value:
                sheet.write_string(number, column, value)
    workbook.close()


def _sheet_name(name: str) -> str:
    return re.sub(r"[\[\]:*?/\\']", " ", name).strip()[:31] or "Sheet1"


def xlsx_file(cells: Iterable[list[str]]) -> IO[bytes]:
    """The workbook in an anonymous temporary file, rewound (the caller sends and closes it)."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (send_file closes it)
    try:
        write_xlsx(cells, spool)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool
