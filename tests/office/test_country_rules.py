"""/office/settings/countries: visa and certificate rules per citizenship, for admins only."""

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditLog, CountryRule
from tests.builders.factories import PASSWORD, UserFactory
from tests.helpers import text_of

pytestmark = pytest.mark.usefixtures("ctx")
PAGE = "/office/settings/countries"
RULE = {"country": "FR", "visa_invitation": "", "legalisation": "none", "note": "E-visa since 2026."}


@pytest.fixture
def admin(forms):
    user = UserFactory(admin=True)
    forms.login(user.email, PASSWORD)
    return user


def actions(country: str) -> list[str]:
    return list(db.session.scalars(select(AuditLog.action).where(
        AuditLog.target_type == "country_rule", AuditLog.target_id == country).order_by(AuditLog.id)))


def test_the_page_lists_the_rules_with_a_labelled_form(client, admin):
    response = client.get(PAGE)
    assert response.status_code == 200
    page = text_of(response)
    assert "Visa and certificate rules by citizenship" in page
    assert "Russia RU" in page and "Consular legalisation" in page and "Apostille" in page
    html = response.get_data(as_text=True)
    assert 'name="csrf_token"' in html
    for name in ("country", "visa_invitation", "legalisation", "note"):
        assert f'for="{name}"' in html and f'id="{name}"' in html
    assert '<option value="FR">France</option>' in html
    assert f'href="{PAGE}/RU"' in html and f'href="{PAGE}/RU/delete"' in html


def test_settings_link_to_the_page(client, admin):
    html = client.get("/office/settings").get_data(as_text=True)
    assert f'href="{PAGE}"' in html
    assert '<title>Settings' in html and "<section" not in html.split("</title>")[0]
    nav = client.get(PAGE).get_data(as_text=True)
    assert 'href="/office/settings" aria-current="page"' in nav


def test_admin_adds_edits_and_deletes_a_rule(client, forms, admin):
    response = forms.post(PAGE, RULE)
    assert response.status_code == 302 and response.headers["Location"] == PAGE
    rule = db.session.get(CountryRule, "FR")
    assert (rule.visa_invitation, rule.legalisation, rule.note) == (False, "none", "E-visa since 2026.")
    page = text_of(client.get(PAGE))
    assert "The rule for France has been saved." in page and "E-visa since 2026." in page

    edit = client.get(f"{PAGE}/FR").get_data(as_text=True)
    assert '<option selected value="FR">France</option>' in edit and "E-visa since 2026." in edit
    forms.post(f"{PAGE}/FR", {**RULE, "visa_invitation": "y", "legalisation": "consular", "note": ""})
    db.session.refresh(rule)
    assert (rule.visa_invitation, rule.legalisation, rule.note) == (True, "consular", "")

    confirm = client.get(f"{PAGE}/FR/delete")
    assert confirm.status_code == 200 and "Delete the rule for France?" in text_of(confirm)
    assert db.session.get(CountryRule, "FR") is not None  # asking is not deleting
    response = forms.post(f"{PAGE}/FR/delete")
    assert response.headers["Location"] == PAGE
    db.session.expire_all()
    assert db.session.get(CountryRule, "FR") is None
    assert "the default applies now" in text_of(client.get(PAGE))
    assert actions("FR") == ["country_rule.create", "country_rule.update", "country_rule.delete"]
    assert db.session.scalar(select(AuditLog.actor_id).where(AuditLog.target_id == "FR").limit(1)) == admin.id


def test_saving_an_existing_country_from_the_add_form_replaces_its_rule(forms, admin):
    forms.post(PAGE, {**RULE, "country": "RU", "visa_invitation": "y", "legalisation": "apostille"})
    rule = db.session.get(CountryRule, "RU")
    db.session.refresh(rule)
    assert (rule.visa_invitation, rule.legalisation) == (True, "apostille")
    assert actions("RU") == ["country_rule.update"]


@pytest.mark.parametrize("overrides, message", [
    ({"country": "XX"}, "Choose a country from the list."),
    ({"country": ""}, "Choose a country from the list."),
    ({"legalisation": "notarised"}, "Choose one of the options."),
    ({"note": "x" * 301}, "Use at most 300 characters."),
])
def test_bad_input_is_shown_beside_its_field_and_saves_nothing(forms, admin, overrides, message):
    response = forms.post(PAGE, {**RULE, **overrides})
    assert response.status_code == 200 and message in text_of(response)
    field = next(iter(overrides))
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and 'aria-invalid="true"' in html
    assert db.session.get(CountryRule, "FR") is None and actions("FR") == []


def test_unknown_or_unlisted_countries_in_the_url_are_404(client, forms, admin):
    for url in (f"{PAGE}/FR", f"{PAGE}/XX", f"{PAGE}/ru", f"{PAGE}/FR/delete", f"{PAGE}/{'A' * 500}"):
        assert client.get(url).status_code == 404, url
    assert forms.post(f"{PAGE}/FR/delete", page=PAGE).status_code == 404


def test_a_post_without_the_csrf_token_is_refused(client, admin):
    assert client.post(PAGE, data=RULE).status_code == 400
    assert client.post(f"{PAGE}/RU/delete").status_code == 400
    assert db.session.get(CountryRule, "FR") is None and db.session.get(CountryRule, "RU") is not None


@pytest.mark.parametrize("role", ["officer", "applicant"])
def test_only_admins(client, forms, role):
    forms.login(UserFactory(role=role).email, PASSWORD)
    for url in (PAGE, f"{PAGE}/RU", f"{PAGE}/RU/delete"):
        assert client.get(url).status_code == 403, url
    assert forms.post(PAGE, RULE, page="/").status_code == 403
    assert forms.post(f"{PAGE}/RU/delete", page="/").status_code == 403
    assert db.session.get(CountryRule, "FR") is None and db.session.get(CountryRule, "RU") is not None
    assert 'href="/office/settings/countries"' not in client.get("/").get_data(as_text=True)


def test_anonymous_goes_to_login(client):
    for url in (PAGE, f"{PAGE}/RU", f"{PAGE}/RU/delete"):
        assert client.get(url).headers["Location"].startswith("/auth/login"), url
    assert client.post(f"{PAGE}/RU/delete").status_code in (302, 400)
    assert db.session.get(CountryRule, "RU") is not None
