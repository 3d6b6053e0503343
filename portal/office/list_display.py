"""What one row of the office's list shows, as plain strings made in Python.

Why: the page renders fifty rows on every request, and a lookup made in the template (a country
name, a programme name in the page's language, a translated status, a formatted date) costs a
Jinja call each time; made here, each is a dictionary lookup, and each date is formatted once.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from flask_babel import format_date

from portal.i18n import country_choices
from portal.models import INSTRUCTION_LANGUAGES
from portal.models.status import STATUS_TEXT
from portal.services.office_list import Choices


@dataclass(frozen=True, slots=True)
class ListRow:
    id: int
    reference: str
    name: str
    email: str
    country: str
    programme: str
    details: str  # language of instruction · intake
    submitted_iso: str
    submitted: str
    status: str
    status_text: str
    officer: str | None  # None: unassigned; "" an account that is no longer active staff
    flagged: bool


def display_rows(rows, choices: Choices, locale: str) -> list[ListRow]:
    countries = dict(country_choices())
    statuses = {code: str(text) for code, text in STATUS_TEXT.items()}
    languages = {code: str(name) for code, name in INSTRUCTION_LANGUAGES.items()}
    programmes = {pid: names.get(locale) or names["en"] for pid, names in choices.programmes}
    intakes, officers = choices.intake_codes, choices.officer_emails
    day = functools.lru_cache(maxsize=64)(lambda d: format_date(d, "medium"))
    return [ListRow(
        id=row.id, reference=row.reference, name=f"{row.surname or ''} {row.given_names or ''}".strip(),
        email=row.email, country=countries.get(row.citizenship, row.citizenship or ""),
        programme=programmes.get(row.programme_id, ""),
        details=" · ".join(filter(None, (languages.get(row.instruction_language), intakes.get(row.intake_id)))),
        submitted_iso=row.submitted_at.isoformat() if row.submitted_at else "",
        submitted=day(row.submitted_at.date()) if row.submitted_at else "",
        status=row.status, status_text=statuses.get(row.status, row.status),
        officer=officers.get(row.assigned_officer_id, "") if row.assigned_officer_id else None,
        flagged=row.flagged_duplicate) for row in rows]
