"""The public pages' content (home, For foreign students) and the shared page cache: what it
serves, to whom, and how every worker learns that content changed."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import pytest

from portal.database import utcnow
from portal.extensions import db
from portal.models import DocumentType, Intake
from tests.builders.factories import PASSWORD, NoticeFactory, UserFactory
from tests.helpers import CSRF_RE, Forms, text_of
from tests.test_pages import make_app


def make_intake(**overrides) -> Intake:
    now = utcnow()
    values = {"code": "FC30", "name": "Foundation Course 2030/2031", "opens_at": now - timedelta(days=10),
              "closes_at": now + timedelta(days=100), "course_starts_on": date(2030, 9, 15)}
    values.update(overrides)
    intake = Intake(**values)
    db.session.add(intake)
    db.session.flush()
    return intake


# --- home ------------------------------------------------------------------------------------

def test_home_shows_pinned_first_then_latest_apply_now_and_intake_dates(client, ctx):
    now = utcnow()
    make_intake(closes_at=datetime(2030, 6, 30, 20, tzinfo=UTC))
    NoticeFactory(slug="pinned", pinned=True, kind="announcement", publish_at=now - timedelta(days=9),
                  texts={"en": ("Admission has started", "To the attention of foreigners", "")})
    for i in range(3):
        NoticeFactory(slug=f"news-{i}", publish_at=now - timedelta(days=i),
                      texts={"en": (f"News item {i}", "", "")})
    page = text_of(client.get("/"))
    assert page.index("Admission has started") < page.index("Foundation Course for international applicants")
    assert page.index("News item 0") < page.index("News item 1") < page.index("News item 2")
    assert "Apply now" in page and "More information" in page
    assert "Foundation Course 2030/2031" in page and "Applications close June 30, 2030" in page
    html = client.get("/").get_data(as_text=True)
    assert 'href="/auth/register">Apply now</a>' in html and 'href="/notices/pinned"' in html


def test_home_without_notices_or_intakes_still_guides_the_visitor(client):
    page = text_of(client.get("/", headers={"Accept-Language": "ru"}))
    assert "Подать заявление" in page or "Apply now" in page
    assert "How to apply" in page or "Как подать заявление" in page


@pytest.mark.parametrize("locale", ["en", "ru", "az"])
def test_home_shows_a_notice_in_each_language(client, ctx, locale):
    NoticeFactory(slug="tri", texts={"en": ("Hello", "", ""), "ru": ("Привет", "", ""), "az": ("Salam", "", "")})
    expected = {"en": "Hello", "ru": "Привет", "az": "Salam"}[locale]
    assert f'href="/notices/tri">{expected}</a>' in client.get("/", headers={"Accept-Language": locale}).get_data(
        as_text=True)


def test_home_for_a_logged_in_applicant_leads_to_the_application(client, forms, ctx):
    user = UserFactory()
    forms.login(user.email, PASSWORD)
    html = client.get("/").get_data(as_text=True)
    assert "Go to my application" in html and user.email in html


# --- For foreign students ------------------------------------------------------------------------

def test_foreign_students_reads_documents_intakes_and_fees_from_data_and_config(database_url, tmp_path, ctx):
    app = make_app(database_url, tmp_path, INTERVIEW_FEE="150 AZN (paid online)",
                   TUITION_FEE="5,500 USD per year")
    make_intake(code="FC31", name="Foundation Course 2031/2032")
    db.session.add_all([
        DocumentType(code="t-passport", name_en="Test passport page", name_ru="Тестовый паспорт",
                     name_az="Test pasport", help_en="The photo page.", requirement="required", position=1),
        DocumentType(code="t-birth", name_en="Test birth certificate", requirement="conditional",
                     condition="under_18", position=2),
        DocumentType(code="t-language", name_en="Test language certificate", requirement="optional",
                     allowed_kinds="pdf", max_size_mb=5, position=3),
        DocumentType(code="t-retired", name_en="Retired document", active=False, position=4),
    ])
    db.session.flush()
    client = app.test_client()
    page = text_of(client.get("/foreign-students"))
    assert "Foundation Course 2031/2032" in page
    assert "Test passport page" in page and "The photo page." in page
    assert "Test birth certificate" in page and "Only if you are under 18 when the course starts." in page
    assert "Test language certificate" in page and "PDF, up to 5 MB" in page
    assert "Retired document" not in page
    assert "150 AZN (paid online)" in page and "5,500 USD per year" in page
    assert "no recruiting agents" in page
    ru = text_of(client.get("/foreign-students", headers={"Accept-Language": "ru"}))
    assert "Тестовый паспорт" in ru and "Test language certificate" in ru  # English when not translated


def test_foreign_students_without_data_says_dates_follow(client):
    page = text_of(client.get("/foreign-students"))
    assert "The dates of the next intake will be published here." in page


# --- the shared page cache -------------------------------------------------------------------

@pytest.fixture
def version_file(tmp_path):
    return tmp_path / "content-version"


def cached_app(database_url, tmp_path, version_file, name="a"):
    return make_app(database_url, tmp_path / name, PAGE_CACHE_SECONDS=60, CONTENT_VERSION_FILE=str(version_file))


def test_anonymous_home_is_shared_without_cookie_token_or_user_data(database_url, tmp_path, version_file, ctx):
    app = cached_app(database_url, tmp_path, version_file)
    client = app.test_client()
    first = client.get("/")
    assert first.status_code == 200
    assert "Set-Cookie" not in first.headers and not CSRF_RE.search(first.get_data(as_text=True))
    assert {"Accept-Language", "Cookie"} <= set(first.vary)
    NoticeFactory(slug="sneaky", texts={"en": ("Added behind the cache's back", "", "")})  # no commit
    assert "Added behind the cache" not in text_of(client.get("/"))  # served from the cache
    assert CSRF_RE.search(client.get("/?page=1").get_data(as_text=True))  # a query is never shared
    ru = client.get("/", headers={"Accept-Language": "ru"})
    assert '<html lang="ru">' in ru.get_data(as_text=True)  # one copy per language


def test_people_with_a_session_never_get_the_shared_copy(database_url, tmp_path, version_file, ctx):
    app = cached_app(database_url, tmp_path, version_file)
    anonymous = app.test_client()
    anonymous.get("/")  # fills the shared copy
    user = UserFactory()
    forms = Forms(app.test_client())
    forms.login(user.email, PASSWORD)
    html = forms.client.get("/").get_data(as_text=True)
    assert user.email in html and CSRF_RE.search(html)
    forms.client.post("/language", data={"language": "az", "csrf_token": CSRF_RE.search(html).group(1)})
    assert user.email not in anonymous.get("/").get_data(as_text=True)
    # A flash message lives in the session: it is shown to its owner only.
    visitor = app.test_client()
    visitor.post("/language", data={"language": "ru"})  # anonymous: no token needed, session cookie set
    mine = visitor.get("/").get_data(as_text=True)
    assert '<html lang="ru">' in mine and CSRF_RE.search(mine)


def test_language_switch_needs_a_token_only_when_logged_in(client, forms, ctx):
    response = client.post("/language", data={"language": "az", "next": "/sitemap"})
    assert response.status_code == 302 and response.headers["Location"] == "/sitemap"
    assert '<html lang="az">' in client.get("/sitemap").get_data(as_text=True)
    user = UserFactory()
    forms.login(user.email, PASSWORD)
    assert client.post("/language", data={"language": "ru"}).status_code == 400
    db.session.refresh(user)
    assert user.locale == "en"


def test_a_change_committed_in_one_worker_reaches_every_worker(database_url, tmp_path, version_file, ctx):
    worker_a = cached_app(database_url, tmp_path, version_file, "a")
    worker_b = cached_app(database_url, tmp_path, version_file, "b")
    notice = NoticeFactory(slug="edited", published=False, texts={"en": ("Draft title", "", "")})
    for worker in (worker_a, worker_b):
        assert "Draft title" not in text_of(worker.test_client().get("/"))
    office = Forms(worker_a.test_client())
    office.login(UserFactory(officer=True).email, PASSWORD)
    office.post(f"/office/notices/{notice.id}/publish", page="/office/notices/")
    assert "Draft title" in text_of(worker_b.test_client().get("/"))  # the other worker's copy is stale
    assert "Draft title" in text_of(worker_a.test_client().get("/"))
    office.post(f"/office/notices/{notice.id}/unpublish", page="/office/notices/")
    assert "Draft title" not in text_of(worker_b.test_client().get("/"))


def test_a_scheduled_notice_appears_on_time_without_any_change(database_url, tmp_path, version_file, ctx):
    app = cached_app(database_url, tmp_path, version_file)
    client = app.test_client()
    NoticeFactory(slug="on-time", publish_at=utcnow() + timedelta(seconds=1),
                  texts={"en": ("Right on time", "", "")})
    assert "Right on time" not in text_of(client.get("/"))
    time.sleep(1.2)
    assert "Right on time" in text_of(client.get("/"))


def test_cache_off_when_the_seconds_are_zero(database_url, tmp_path, version_file, ctx):
    app = make_app(database_url, tmp_path, PAGE_CACHE_SECONDS=0, CONTENT_VERSION_FILE=str(version_file))
    client = app.test_client()
    client.get("/")
    NoticeFactory(slug="live", texts={"en": ("Seen at once", "", "")})
    assert "Seen at once" in text_of(client.get("/"))
    assert not version_file.exists()


def test_redis_version_store_falls_back_to_no_cache_when_redis_is_down(app):
    from portal.services.content_cache import ContentCache, RedisVersion

    store = RedisVersion("redis://127.0.0.1:1/0")  # nothing listens on port 1
    cache = ContentCache(60, store)
    calls = []

    def compute():
        calls.append(1)
        return "value", None

    assert cache.cached("k", compute) == "value" and cache.cached("k", compute) == "value"
    assert len(calls) == 2  # no version, no caching
    cache.bump()  # logged, never raised


def test_shared_copy_is_served_before_flask_with_the_same_headers(database_url, tmp_path, version_file,
                                                                  ctx, monkeypatch):
    app = cached_app(database_url, tmp_path, version_file)
    client = app.test_client()
    first = client.get("/", headers={"Accept-Language": "az"})
    from portal.public import routes

    def must_not_render(*args, **kwargs):
        raise AssertionError("the view ran for a cached page")

    monkeypatch.setattr(routes, "render_template", must_not_render)
    again = client.get("/", headers={"Accept-Language": "az,en;q=0.5"})
    assert again.status_code == 200 and again.data == first.data
    for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Vary"):
        assert again.headers[header] == first.headers[header], header
    head = client.head("/", headers={"Accept-Language": "az"})
    assert head.status_code == 200 and head.data == b"" and head.headers["Content-Length"] == str(len(first.data))
    with_session = client.get("/", headers={"Cookie": "portal_session=x"})
    assert with_session.status_code == 500  # the view ran (and met the trap): never the shared copy


def test_an_error_page_is_never_shared(database_url, tmp_path, version_file, ctx, monkeypatch):
    app = cached_app(database_url, tmp_path, version_file)
    from portal.services import notices

    def broken(locale):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(notices, "home_content", broken)
    assert app.test_client().get("/").status_code == 500
    monkeypatch.undo()
    assert app.test_client().get("/").status_code == 200


def test_page_cache_is_on_by_default_in_production_only(tmp_path):
    import secrets

    from portal import config

    production = {"PORTAL_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(48),
                  "DATABASE_URL": f"sqlite:///{tmp_path}/p.db", "PUBLIC_BASE_URL": "https://admissions.example.edu"}
    assert config.finalise(config.from_environment(production))["PAGE_CACHE_SECONDS"] == 60
    for portal_env in ("development", "testing"):
        env = {"PORTAL_ENV": portal_env, "SECRET_KEY": "x" * 40}
        assert config.finalise(config.from_environment(env))["PAGE_CACHE_SECONDS"] == 0
    explicit = config.from_environment({"PORTAL_ENV": "development", "PAGE_CACHE_SECONDS": "30",
                                        "SECRET_KEY": "x" * 40})
    assert config.finalise(explicit)["PAGE_CACHE_SECONDS"] == 30
