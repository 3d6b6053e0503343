"""Visa and certificate rules per citizenship, kept by admins at /office/settings/countries.

Why a citizenship without a row gets the *strict* default (invitation letter needed, apostille):
an applicant told too much is only inconvenienced, one told too little misses a visa or arrives
with a certificate the university cannot accept. The migration seeds a starting set that the
office reviews (README, "Country rules"). The public "For foreign students" page shows the rules,
so every change is audited and bumps the public content version like other reference data.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.extensions import db
from portal.i18n import country_name, is_country
from portal.models import CountryRule, User
from portal.models.letter import LEGALISATION
from portal.services import audit, content_cache
from portal.services.errors import ServiceError

NOTE_MAX = 300
DEFAULT_VISA_INVITATION = True
DEFAULT_LEGALISATION = "apostille"

# What the office chooses from (and the public table shows) ...
LEGALISATION_LABELS = {
    "none": _l("No legalisation"),
    "apostille": _l("Apostille"),
    "consular": _l("Consular legalisation"),
}
# ... and what the applicant reads on the documents page.
LEGALISATION_TEXT = {
    "none": _l("Your school certificate needs no apostille or legalisation."),
    "apostille": _l("Your school certificate must carry an apostille."),
    "consular": _l("Your school certificate must be legalised by the consulate of Azerbaijan in your country."),
}


class CountryRuleError(ServiceError):
    """A country rule that cannot be saved or deleted as given."""


@dataclass(frozen=True)
class Rule:
    """One citizenship's rule as plain data (``is_default``: no row, the strict default applies)."""

    country: str | None
    visa_invitation: bool
    legalisation: str
    note: str = ""
    is_default: bool = False

    @property
    def legalisation_label(self) -> str:
        return str(LEGALISATION_LABELS[self.legalisation])

    @property
    def legalisation_text(self) -> str:
        return legalisation_text(self.legalisation)


def _code(country: str | None) -> str:
    return (country or "").strip().upper()


def find(country: str | None) -> CountryRule | None:
    """The stored row for this citizenship (None: no row, or not an ISO 3166 alpha-2 code)."""
    code = _code(country)
    return db.session.get(CountryRule, code) if is_country(code) else None


def _as_rule(row: CountryRule) -> Rule:
    return Rule(country=row.country, visa_invitation=row.visa_invitation, legalisation=row.legalisation,
                note=row.note or "")


def rule_for(country: str | None) -> Rule:
    """The rule for this citizenship: its row, or the strict default."""
    row = find(country)
    if row is not None:
        return _as_rule(row)
    return Rule(country=_code(country) or None, visa_invitation=DEFAULT_VISA_INVITATION,
                legalisation=DEFAULT_LEGALISATION, is_default=True)


def needs_visa_invitation(country: str | None) -> bool:
    return rule_for(country).visa_invitation


def legalisation_text(value: str) -> str:
    """The sentence an applicant reads about their school certificate, in the page's language."""
    return str(LEGALISATION_TEXT[value])


def all_rules() -> list[CountryRule]:
    """Every stored rule, sorted by the country's name in the page's language."""
    rows = db.session.scalars(select(CountryRule))
    return sorted(rows, key=lambda row: (country_name(row.country).casefold(), row.country))


def public_rules() -> list[Rule]:
    """The stored rules as plain data, in the order of ``all_rules`` (the public page's table)."""
    return [_as_rule(row) for row in all_rules()]


def _values(rule: CountryRule) -> dict:
    return {"visa_invitation": rule.visa_invitation, "legalisation": rule.legalisation, "note": rule.note}


def save_rule(actor: User, country: str | None, visa_invitation: bool, legalisation: str,
              note: str | None) -> CountryRule:
    """Create or replace the rule for one citizenship."""
    code = _code(country)
    if not is_country(code):
        raise CountryRuleError(_l("Choose a country from the list."), "country")
    if legalisation not in LEGALISATION:
        raise CountryRuleError(_l("Choose one of the options."), "legalisation")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise CountryRuleError(_l("Use at most %(max)d characters.", max=NOTE_MAX), "note")
    rule = db.session.get(CountryRule, code)
    created = rule is None
    before = None if created else _values(rule)
    if created:
        rule = CountryRule(country=code)
        db.session.add(rule)
    rule.visa_invitation, rule.legalisation, rule.note = bool(visa_invitation), legalisation, note
    db.session.flush()
    details = _values(rule) if created else {**_values(rule), "before": before}
    audit.record(actor, f"country_rule.{'create' if created else 'update'}", "country_rule", code, details)
    content_cache.mark_changed()  # the public page lists the rules
    return rule


def delete_rule(actor: User, country: str | None) -> None:
    """Remove a citizenship's rule: from now on the strict default applies to it."""
    rule = find(country)
    if rule is None:
        raise CountryRuleError(_l("There is no rule for this citizenship."))
    details = _values(rule)
    db.session.delete(rule)
    db.session.flush()
    audit.record(actor, "country_rule.delete", "country_rule", rule.country, details)
    content_cache.mark_changed()
