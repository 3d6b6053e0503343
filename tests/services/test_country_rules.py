"""services/country_rules.py below the views: the strict default for a citizenship without a row,
create/update/delete with their audit entries and the public content version, refusals that
leave nothing saved, the order by country name in the page's language."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditLog, CountryRule
from portal.services import country_rules
from portal.services.content_cache import CHANGED_FLAG
from portal.services.country_rules import CountryRuleError
from portal.services.errors import ServiceError
from tests.builders.factories import UserFactory

pytestmark = pytest.mark.usefixtures("ctx")
UNLISTED = "FR"  # not in the migration's starting set


def audit_entries(country: str) -> list[AuditLog]:
    return list(db.session.scalars(select(AuditLog).where(AuditLog.target_type == "country_rule",
                                                          AuditLog.target_id == country).order_by(AuditLog.id)))


def test_a_citizenship_without_a_row_gets_the_strict_default():
    assert db.session.get(CountryRule, UNLISTED) is None
    rule = country_rules.rule_for(UNLISTED)
    assert (rule.country, rule.visa_invitation, rule.legalisation, rule.is_default) == ("FR", True, "apostille", True)
    assert country_rules.needs_visa_invitation(UNLISTED) is True
    for unknown in (None, "", "XX", "not a country"):
        assert country_rules.rule_for(unknown).is_default and country_rules.needs_visa_invitation(unknown)


def test_the_seeded_rows_are_read():
    assert country_rules.rule_for("RU") == country_rules.Rule("RU", False, "none")
    assert country_rules.rule_for("ir").legalisation == "consular"  # codes are case-insensitive
    assert not country_rules.needs_visa_invitation("TR")


def test_legalisation_sentences():
    assert country_rules.legalisation_text("apostille") == "Your school certificate must carry an apostille."
    assert country_rules.legalisation_text("consular") == (
        "Your school certificate must be legalised by the consulate of Azerbaijan in your country.")
    assert country_rules.legalisation_text("none") == "Your school certificate needs no apostille or legalisation."


def test_save_creates_then_updates_with_audit_and_cache_bump():
    admin = UserFactory(admin=True)
    rule = country_rules.save_rule(admin, "fr", False, "none", "  E-visa since 2026.  ")
    assert (rule.country, rule.visa_invitation, rule.legalisation, rule.note) == ("FR", False, "none",
                                                                                  "E-visa since 2026.")
    assert db.session.info.get(CHANGED_FLAG) is True
    db.session.commit()
    assert not country_rules.rule_for("FR").is_default
    country_rules.save_rule(admin, "FR", True, "consular", "")
    db.session.commit()
    assert country_rules.rule_for("FR") == country_rules.Rule("FR", True, "consular")
    entries = audit_entries("FR")
    assert [e.action for e in entries] == ["country_rule.create", "country_rule.update"]
    assert entries[0].actor_id == admin.id and entries[0].details["legalisation"] == "none"
    assert entries[1].details["before"]["legalisation"] == "none" and entries[1].details["legalisation"] == "consular"


def test_delete_brings_back_the_default():
    admin = UserFactory(admin=True)
    country_rules.delete_rule(admin, "RU")
    assert db.session.info.get(CHANGED_FLAG) is True
    db.session.commit()
    assert country_rules.rule_for("RU").is_default
    [entry] = audit_entries("RU")
    assert entry.action == "country_rule.delete" and entry.details["legalisation"] == "none"
    with pytest.raises(CountryRuleError):
        country_rules.delete_rule(admin, "RU")


@pytest.mark.parametrize("country, legalisation, note, field, message", [
    ("XX", "apostille", "", "country", "Choose a country from the list."),
    ("", "apostille", "", "country", "Choose a country from the list."),
    ("FRA", "apostille", "", "country", "Choose a country from the list."),
    ("FR", "notarised", "", "legalisation", "Choose one of the options."),
    ("FR", "apostille", "x" * 301, "note", "Use at most 300 characters."),
])
def test_refusals_save_nothing(country, legalisation, note, field, message):
    admin = UserFactory(admin=True)
    with pytest.raises(CountryRuleError) as refused:
        country_rules.save_rule(admin, country, True, legalisation, note)
    assert isinstance(refused.value, ServiceError)
    assert refused.value.field == field and str(refused.value.message) == message
    assert db.session.get(CountryRule, "FR") is None and audit_entries("FR") == []
    assert CHANGED_FLAG not in db.session.info


def test_a_note_of_exactly_300_characters_is_kept():
    rule = country_rules.save_rule(UserFactory(admin=True), "FR", True, "apostille", "x" * 300)
    assert len(rule.note) == 300


def test_all_rules_are_sorted_by_the_name_in_the_page_language():
    codes = [rule.country for rule in country_rules.all_rules()]
    assert set(codes) >= {"RU", "TR", "IR", "GE"}
    assert codes.index("GE") < codes.index("IR") < codes.index("RU") < codes.index("TR")  # Georgia … Türkiye
    with force_locale("ru"):
        ru = [rule.country for rule in country_rules.all_rules()]
    # Russian: Грузия (GE) < Иран (IR) < Россия (RU) < Турция (TR), and Египет (EG) before Индия (IN)
    assert ru.index("EG") < ru.index("IN")
    assert ru != codes  # another language, another order
    assert [r.country for r in country_rules.public_rules()] == codes
