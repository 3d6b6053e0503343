"""Finding 1: links in e-mails were built from the request's Host header, so a reset requested with
``Host: evil.example`` mailed the victim a link that hands the token to evil.example."""

import re

import pytest

from portal import config
from tests.builders.factories import UserFactory
from tests.helpers import CSRF_RE, link_in
from tests.security.conftest import PUBLIC_BASE_URL, PUBLIC_HOST, outbox_of

PRODUCTION = {"PORTAL_ENV": "production", "SECRET_KEY": "Zq8-production-secret-with-variety-0123456789"}


@pytest.mark.parametrize("base", ["", "admissions.example.edu", "ftp://admissions.example.edu", "https://",
                                  "https://admissions.example.edu/?next=x", "https://[::1"])
def test_production_refuses_to_start_without_a_public_base_url(base):
    settings = config.from_environment({**PRODUCTION, "PUBLIC_BASE_URL": base})
    with pytest.raises(config.ConfigError, match="PUBLIC_BASE_URL"):
        config.finalise(settings)


def test_production_trusts_only_its_own_host_and_the_listed_ones():
    settings = config.finalise(config.from_environment(
        {**PRODUCTION, "PUBLIC_BASE_URL": "https://Admissions.Example.edu/",
         "TRUSTED_HOSTS": " lb.internal , 10.0.0.7:8000,.example.org"}))
    assert settings["TRUSTED_HOSTS"] == ["admissions.example.edu", "lb.internal", "10.0.0.7", ".example.org"]
    assert not any("PUBLIC_BASE_URL" in warning for warning in config.production_warnings(settings))
    with pytest.raises(config.ConfigError, match="TRUSTED_HOSTS"):
        config.from_environment({"TRUSTED_HOSTS": "a.example, https://b.example"})


def post_reset(client, host: str, email: str):
    page = client.get("/auth/reset", base_url=f"https://{host}")
    token = CSRF_RE.search(page.get_data(as_text=True))
    data = {"email": email, "csrf_token": token.group(1) if token else ""}
    return client.post("/auth/reset", data=data, base_url=f"https://{host}",
                       headers={"Referer": f"https://{host}/auth/reset"})  # Flask-WTF checks it on HTTPS


def test_a_forged_host_is_refused_in_production(production_app, ctx, caplog):
    user = UserFactory()
    outbox = outbox_of(production_app)
    client = production_app.test_client()
    refused = post_reset(client, "evil.example", user.email)
    assert refused.status_code == 400 and outbox == []
    assert "unknown host" in refused.get_data(as_text=True) and "could not be rendered" not in caplog.text
    assert post_reset(client, PUBLIC_HOST, user.email).status_code == 302
    [mail] = outbox
    assert link_in(mail.body).startswith(f"{PUBLIC_BASE_URL}/auth/reset/")


def test_health_check_answers_the_balancers_own_host_when_listed(make_app):
    app = make_app(PORTAL_ENV="production", PUBLIC_BASE_URL=PUBLIC_BASE_URL, RATELIMIT_ENABLED=False,
                   TRUSTED_HOSTS=config.from_environment({"TRUSTED_HOSTS": "10.0.0.7"})["TRUSTED_HOSTS"])
    client = app.test_client()
    assert client.get("/healthz", base_url=f"http://{PUBLIC_HOST}").status_code == 200
    assert client.get("/healthz", base_url="http://10.0.0.7:8000").status_code == 200
    assert client.get("/healthz", base_url="http://evil.example").status_code == 400


def test_links_never_come_from_the_host_header(client, forms, outbox, ctx):
    """Outside production too (tests: PUBLIC_BASE_URL defaults to the test client's host)."""
    user = UserFactory()
    token = forms.token("/auth/reset")
    client.set_cookie("portal_session", client.get_cookie("portal_session").value, domain="evil.example")
    response = client.post("/auth/reset", data={"email": user.email, "csrf_token": token},
                           headers={"Host": "evil.example"})
    assert response.status_code == 302
    [mail] = outbox
    assert re.match(r"http://localhost/auth/reset/\S+$", link_in(mail.body))
    assert "evil.example" not in mail.body + mail.alternatives[0][0]
