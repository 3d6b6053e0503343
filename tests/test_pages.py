"""Every page renders inside the real layout, in every language; errors too; access by role."""

import pytest
from sqlalchemy.exc import OperationalError

from portal import create_app
from portal.config import LANGUAGES
from tests.builders.factories import PASSWORD, UserFactory
from tests.conftest import IsolatedClient, settings_for
from tests.helpers import Forms, text_of

PUBLIC_PAGES = ["/", "/sitemap", "/foreign-students", "/contact", "/rector", "/notices/",
                "/auth/login", "/auth/register", "/auth/reset"]
FOOTER = {"en": "Letter to the Rector", "ru": "Письмо ректору", "az": "Rektora məktub"}


@pytest.mark.parametrize("locale", LANGUAGES)
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_render_in_the_layout(client, path, locale):
    response = client.get(path, headers={"Accept-Language": locale})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<html lang="{locale}">' in html
    assert FOOTER[locale] in html and 'href="/contact"' in html and 'href="/sitemap"' in html
    assert "Azerbaijan Medical University" in html  # institution name from configuration
    assert "<title>" in html and 'id="main"' in html


@pytest.mark.parametrize("path, role", [("/apply/", "applicant"), ("/account", "applicant"),
                                        ("/account/password", "applicant"), ("/office/", "officer"),
                                        ("/office/", "admin"), ("/account", "officer")])
def test_private_pages_render_for_their_role(client, forms, ctx, path, role):
    user = UserFactory(role=role)
    forms.login(user.email, PASSWORD)
    response = client.get(path)
    assert response.status_code == 200
    assert user.email in text_of(response)
    assert response.headers["Cache-Control"] == "private, no-store"


def staff_only_rules(app):
    return [rule.rule for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith("office.") and "GET" in rule.methods and not rule.arguments]


def test_office_refuses_applicants_and_anonymous(app, client, forms, ctx):
    rules = staff_only_rules(app)
    assert rules, "no office routes found"
    for rule in rules:
        anonymous = client.get(rule)
        assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/auth/login")
    forms.login(UserFactory().email, PASSWORD)
    for rule in rules:
        assert client.get(rule).status_code == 403, rule


def test_applicant_area_refuses_staff(client, forms, ctx):
    forms.login(UserFactory(officer=True).email, PASSWORD)
    response = client.get("/apply/")
    assert response.status_code == 403
    assert "Access denied" in text_of(response)


def test_not_found_page_in_the_layout(client):
    response = client.get("/no/such/page", headers={"Accept-Language": "az"})
    assert response.status_code == 404
    assert "Səhifə tapılmadı" in text_of(response) and FOOTER["az"] in text_of(response)


def test_method_not_allowed(client):
    assert client.delete("/").status_code == 405


def test_json_clients_get_json_errors(client):
    response = client.get("/nope", headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.json == {"error": "Page not found"}


def test_security_headers(client):
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie or cookie == ""


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok", "database": "ok"}


def test_healthz_reports_a_broken_database(client, monkeypatch):
    from portal.extensions import db

    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json["database"] == "unavailable"


def make_app(database_url, tmp_path, **overrides):
    app = create_app(settings_for(database_url, tmp_path, **overrides))
    app.test_client_class = IsolatedClient
    return app


def test_unexpected_error_shows_the_500_page_without_details(database_url, tmp_path, caplog):
    app = make_app(database_url, tmp_path)

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    response = app.test_client().get("/boom", headers={"Accept-Language": "ru"})
    assert response.status_code == 500
    page = text_of(response)
    assert "Что-то пошло не так" in page and "secret internal detail" not in page
    assert "Traceback" not in page
    assert "unhandled error on GET /boom" in caplog.text


def test_request_too_large_shows_the_413_page(database_url, tmp_path):
    app = make_app(database_url, tmp_path, MAX_CONTENT_LENGTH=1024)
    response = app.test_client().post("/auth/login", data={"email": "x" * 5000})
    assert response.status_code == 413
    assert "File too large" in text_of(response)


def test_login_is_rate_limited_with_a_clear_page(database_url, tmp_path):
    from portal.extensions import limiter

    app = make_app(database_url, tmp_path, RATELIMIT_ENABLED=True)
    try:
        forms = Forms(app.test_client())
        codes = [forms.login("nobody@example.com", "wrong password guess").status_code
                 for _ in range(11)]
        assert codes[:10] == [200] * 10 and codes[10] == 429
        page = forms.client.get("/auth/login")  # GET is not limited
        assert page.status_code == 200
        refused = forms.login("a@example.com", "wrong password guess")
        assert refused.status_code == 429
        assert "too many requests" in text_of(refused).lower()
    finally:
        limiter.enabled = False


def test_error_page_survives_a_broken_layout(database_url, tmp_path, monkeypatch):
    app = make_app(database_url, tmp_path)

    @app.route("/boom")
    def boom():
        raise RuntimeError("first failure")

    def broken_render(*args, **kwargs):
        raise RuntimeError("template failure")

    monkeypatch.setattr("portal.errors.render_template", broken_render)
    response = app.test_client().get("/boom")
    assert response.status_code == 500 and b"<h1>500</h1>" in response.data


def test_nul_characters_are_dropped_from_forms_and_queries(client, forms, ctx):
    """PostgreSQL refuses NUL in text; a pasted NUL must not become an error page anywhere."""
    from portal.extensions import db
    from portal.models import User

    response = forms.post("/auth/register", {"email": "nul\x00@example.com", "password": "Quiet meadow lantern 1972",
                                             "confirm": "Quiet meadow lantern 1972"})
    assert response.status_code == 302
    assert db.session.query(User).filter_by(email="nul@example.com").one()
    assert client.get("/notices/?kind=news\x00").status_code == 200
