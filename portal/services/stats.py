"""Statistics for /office/stats, and the geometry of the small SVG bar charts that draw them.

Drafts are not counted: an application exists for the office once it has a reference. Each
figure is one GROUP BY. The charts are drawn on the server as SVG (no script, nothing from a CDN:
officers' browsers and the page's CSP stay simple); horizontal bars are laid out with percentage
widths and real-size text, so they stay legible on a phone instead of shrinking with a viewBox,
and each chart comes with a table of the same numbers for people who do not see it.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask_babel import format_date
from sqlalchemy import Date, cast, func, select

from portal.database import utcnow
from portal.extensions import db
from portal.i18n import country_name
from portal.models import Application, Programme
from portal.models.status import STATUS_TEXT
from portal.services.office_list import LISTED_STATUSES

TOP_COUNTRIES = 10
DAYS = 60
LISTED = Application.reference.isnot(None)


def per_status() -> list[tuple[str, str, int]]:
    """(status, its name, count) for every status an application can be in once submitted."""
    found = dict(db.session.execute(select(Application.status, func.count()).where(LISTED)
                                    .group_by(Application.status)).all())
    return [(status, str(STATUS_TEXT[status]), found.get(status, 0)) for status in LISTED_STATUSES]


def per_programme(locale: str) -> list[tuple[str, int]]:
    stmt = (select(Programme, func.count(Application.id)).join(Application, Application.programme_id == Programme.id)
            .where(LISTED).group_by(Programme.id).order_by(func.count(Application.id).desc(), Programme.position))
    return [(programme.localized("name", locale), n) for programme, n in db.session.execute(stmt)]


def top_citizenships(limit: int = TOP_COUNTRIES) -> tuple[list[tuple[str, str, int]], int]:
    """The ``limit`` most frequent citizenships (code, name, count), and how many applications the
    other countries add up to."""
    stmt = (select(Application.citizenship, func.count()).where(LISTED, Application.citizenship.isnot(None))
            .group_by(Application.citizenship).order_by(func.count().desc(), Application.citizenship))
    counted = db.session.execute(stmt).all()
    top = [(code, country_name(code), n) for code, n in counted[:limit]]
    return top, sum(n for _code, n in counted[limit:])


def _day_of(column):
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone("UTC", column), Date)
    return func.date(column)  # SQLite keeps UTC text: its date part


def per_day(days: int = DAYS, today: date | None = None) -> list[tuple[date, int]]:
    """Submissions per day (UTC) over the last ``days`` days, today included, zeros filled in."""
    today = today or utcnow().date()
    first = today - timedelta(days=days - 1)
    since = datetime(first.year, first.month, first.day, tzinfo=UTC)
    day = _day_of(Application.submitted_at)
    stmt = select(day, func.count()).where(LISTED, Application.submitted_at >= since).group_by(day)
    found = {value if isinstance(value, date) else date.fromisoformat(str(value)): n
             for value, n in db.session.execute(stmt)}
    return [(first + timedelta(days=i), found.get(first + timedelta(days=i), 0)) for i in range(days)]


# --- chart geometry ------------------------------------------------------------------------

LINE = 17  # px between label lines
BAR = 16  # bar thickness, px
GAP = 12  # px between one bar and the next label


@dataclass
class Bar:
    label: str
    lines: list[str]
    value: int
    percent: float  # of the widest bar
    y: int  # baseline of the first label line
    bar_y: int


@dataclass
class BarChart:
    bars: list[Bar]
    height: int
    total: int


def bar_chart(items: list[tuple[str, int]], wrap: int = 44) -> BarChart:
    """Horizontal bars, each under its label (wrapped to fit a phone's width)."""
    top = max((n for _label, n in items), default=0) or 1
    bars, y = [], 0
    for label, value in items:
        lines = textwrap.wrap(label, wrap) or [""]
        first_line = y + 13
        bar_y = y + LINE * len(lines) + 2
        # Leave room at the end for the number, which is drawn after the bar.
        bars.append(Bar(label, lines, value, round(value / top * 82, 2), first_line, bar_y))
        y = bar_y + BAR + GAP
    return BarChart(bars, max(y - GAP + 2, 1), sum(n for _label, n in items))


@dataclass
class Column:
    day: date
    value: int
    x: float  # percent
    width: float  # percent
    height: float  # px
    y: float  # px
    label: str  # the axis label under it, or ""
    anchor: str  # of the label: start, middle or end
    x_label: float  # percent


@dataclass
class ColumnChart:
    columns: list[Column]
    plot_height: int
    height: int
    top: int
    total: int


def column_chart(items: list[tuple[date, int]], plot_height: int = 150, label_every: int = 14) -> ColumnChart:
    """One column per day; the date under the last one and every ``label_every``-th before it."""
    top = max((n for _day, n in items), default=0)
    scale = plot_height / top if top else 0
    step = 100 / max(len(items), 1)
    columns = []
    for i, (day, value) in enumerate(items):
        labelled = (len(items) - 1 - i) % label_every == 0
        height = value * scale
        anchor = "end" if i == len(items) - 1 else "start" if i < label_every // 2 else "middle"
        x_label = i * step if anchor == "start" else (i + 1) * step if anchor == "end" else (i + 0.5) * step
        columns.append(Column(day, value, round(i * step + step * 0.12, 3), round(step * 0.76, 3),
                              round(height, 1), round(plot_height - height + 20, 1),
                              format_date(day, "d MMM") if labelled else "", anchor, round(x_label, 3)))
    return ColumnChart(columns, plot_height, plot_height + 48, top, sum(n for _day, n in items))
