"""Apps configured the way an attacker meets them: production settings, rate limits on."""

from __future__ import annotations

import pytest

from portal import create_app
from portal.extensions import limiter
from tests.conftest import IsolatedClient, settings_for

PUBLIC_HOST = "admissions.example.edu"
PUBLIC_BASE_URL = f"https://{PUBLIC_HOST}"


@pytest.fixture
def make_app(database_url, tmp_path):
    """``make_app(**overrides)``: a portal of its own on the test database (the test's rolled-back
    transaction still holds every row it writes). Rate limits switched on by a test are switched
    off again afterwards: the limiter is one object shared by every app."""

    def make(**overrides):
        app = create_app(settings_for(database_url, tmp_path, CONTENT_VERSION_FILE=str(tmp_path / "version"),
                                      **overrides))
        app.test_client_class = IsolatedClient
        return app

    yield make
    limiter.enabled = False


@pytest.fixture
def production_app(make_app):
    return make_app(PORTAL_ENV="production", PUBLIC_BASE_URL=PUBLIC_BASE_URL, RATELIMIT_ENABLED=False)


def outbox_of(app) -> list:
    """What the locmem back-end of ``app`` delivered from now on (the ``outbox`` fixture's, for an
    app made by ``make_app``)."""
    state = app.extensions["mailman"]
    state.outbox = []
    return state.outbox
