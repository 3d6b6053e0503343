"""What the office list's dropdowns offer, and the officer's saved views: one query.

Split from services/office_list.py (which re-exports ``Choices`` and ``load_choices``): the list
page has a budget of a handful of queries, whatever the size, so the intakes, programmes, active
staff and this officer's saved views come back together in one UNION ALL.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import String, cast, literal, null, select, union_all

from portal.extensions import db
from portal.models import STAFF_ROLES, Intake, Programme, SavedView, User


@dataclass
class Choices:
    intakes: list[tuple[int, str, str]] = field(default_factory=list)  # (id, code, name), newest first
    programmes: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (id, names per language)
    officers: list[tuple[int, str]] = field(default_factory=list)  # (id, e-mail)
    views: list[tuple[int, str, str]] = field(default_factory=list)  # (id, name, query string)

    @property
    def intake_names(self) -> dict[int, str]:
        return {i: f"{code} · {name}" for i, code, name in self.intakes}

    @property
    def intake_codes(self) -> dict[int, str]:
        return {i: code for i, code, _name in self.intakes}

    @property
    def programme_names(self) -> dict[int, dict[str, str]]:
        return dict(self.programmes)

    @property
    def officer_emails(self) -> dict[int, str]:
        return dict(self.officers)

    def programme_name(self, programme_id: int | None, locale: str) -> str:
        names = self.programme_names.get(programme_id) if programme_id else None
        return (names.get(locale) or names["en"]) if names else ""


def load_choices(officer_id: int) -> Choices:
    """Intakes, programmes, active staff and this officer's saved views, in one UNION ALL."""
    text = String()

    def part(kind, id_, a, b, c, position):
        return select(literal(kind, text).label("kind"), id_.label("id"), cast(a, text).label("a"),
                      cast(b, text).label("b"), cast(c, text).label("c"), position.label("position"))

    none = null()
    stmt = union_all(
        part("intake", Intake.id, Intake.code, Intake.name, none, Intake.id).select_from(Intake),
        part("programme", Programme.id, Programme.name_en, Programme.name_ru, Programme.name_az,
             Programme.position).select_from(Programme),
        part("officer", User.id, User.email, none, none, User.id).select_from(User)
        .where(User.role.in_(sorted(STAFF_ROLES)), User.active.is_(True)),
        part("view", SavedView.id, SavedView.name, SavedView.query, none, SavedView.id).select_from(SavedView)
        .where(SavedView.officer_id == officer_id),
    )
    choices = Choices()
    for row in db.session.execute(stmt):
        if row.kind == "intake":
            choices.intakes.append((row.id, row.a, row.b, row.position))
        elif row.kind == "programme":
            choices.programmes.append((row.id, {"en": row.a, "ru": row.b, "az": row.c}, row.position))
        elif row.kind == "officer":
            choices.officers.append((row.id, row.a))
        else:
            choices.views.append((row.id, row.a, row.b))
    choices.intakes = [(i, code, name) for i, code, name, _ in sorted(choices.intakes, key=lambda t: -t[3])]
    choices.programmes = [(i, names) for i, names, _ in sorted(choices.programmes, key=lambda t: (t[2], t[0]))]
    choices.officers.sort(key=lambda t: t[1])
    choices.views.sort(key=lambda t: t[1].casefold())
    return choices
