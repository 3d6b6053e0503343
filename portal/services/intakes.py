"""Intakes as applicants meet them: which are open now, which opens next.

An intake is open from ``opens_at`` (inclusive) to ``closes_at`` (exclusive), both in UTC; the
admin settings store the last day as its end (services/reference.py).
"""

from __future__ import annotations

from sqlalchemy import select

from portal.database import utcnow
from portal.extensions import db
from portal.models import Intake


def open_intakes(now=None) -> list[Intake]:
    now = now or utcnow()
    return list(db.session.scalars(select(Intake).where(
        Intake.active.is_(True), Intake.opens_at <= now, Intake.closes_at > now).order_by(Intake.opens_at)))


def next_intake(now=None) -> Intake | None:
    now = now or utcnow()
    return db.session.scalar(select(Intake).where(Intake.active.is_(True), Intake.opens_at > now)
                             .order_by(Intake.opens_at).limit(1))


def intake_is_open(intake: Intake, now=None) -> bool:
    now = now or utcnow()
    return intake.active and intake.opens_at <= now < intake.closes_at
