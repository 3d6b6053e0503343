"""Who may apply, in dates: the applicant's age on the day the course starts, and how long the
passport must stay valid. The wizard's forms and the documents checklist both ask these."""

from __future__ import annotations

import calendar
from datetime import date

from flask import current_app

from portal.models import Intake


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def passport_valid_until_needed(intake: Intake) -> date:
    """The passport must be valid this long: PASSPORT_VALID_MONTHS_AFTER_START after the course starts."""
    return add_months(intake.course_starts_on, current_app.config["PASSPORT_VALID_MONTHS_AFTER_START"])
