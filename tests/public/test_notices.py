"""Notices: sanitising, publish windows, language fallback, the public list, the Atom feed and the
sitemaps; the office side (officers only, CSRF, errors per field, audit log)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.database import utcnow
from portal.extensions import db
from portal.models import AuditLog, Notice
from portal.services.markdown import render
from tests.builders.factories import PASSWORD, NoticeFactory, UserFactory
from tests.helpers import text_of

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

def parse_xml(data: bytes) -> ET.Element:
    return ET.fromstring(data)  # noqa: S314  (the portal's own output, in a test)


# --- sanitising ------------------------------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    '<a href="jav&#x09;ascript:alert(1)">click</a>',
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="data:text/html,<script>alert(1)</script>">click</a>',
    '<iframe src="https://evil.example.com/"></iframe>',
    '<p style="background:url(javascript:alert(1))" onclick="alert(1)">text</p>',
    '<svg onload="alert(1)"><script>alert(1)</script></svg>',
    '<object data="evil.swf"></object><embed src="evil.swf">',
    '<form action="https://evil.example.com/"><input name="password"></form>',
    "<scr<script>ipt>alert(1)</script>",
    '<div onmouseover="alert(1)">hover</div>',
    "<style>body{display:none}</style>",
    '<a href="vbscript:msgbox(1)">x</a>',
]
DANGEROUS = re.compile(r"<\s*(script|iframe|object|embed|svg|style|form|input)\b|\son\w+\s*=|javascript:|"
                       r"vbscript:|data:|style\s*=", re.I)


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_markdown_comes_out_inert(source):
    html = str(render(source))
    assert not DANGEROUS.search(html), html


def test_markdown_keeps_ordinary_formatting_and_safe_links():
    html = str(render("# Title\n\nSome **bold** and *italic*, [a link](https://example.org \"t\") "
                      "and [a page](/foreign-students).\n\n- one\n- two\n\n> quoted"))
    assert "<h2>Title</h2>" in html  # the page's own title is the only <h1>
    assert "<strong>bold</strong>" in html and "<em>italic</em>" in html
    assert 'href="https://example.org"' in html and 'href="/foreign-students"' in html
    assert 'rel="noopener noreferrer nofollow"' in html
    assert "<li>one</li>" in html and "<blockquote>" in html


def test_hostile_body_is_inert_on_the_public_page(client, ctx):
    NoticeFactory(slug="hostile", texts={"en": ("Title", "", "\n\n".join(HOSTILE))})
    html = client.get("/notices/hostile").get_data(as_text=True)
    article = html.split('<div class="prose">', 1)[1].split("</article>", 1)[0]
    assert not DANGEROUS.search(article), article


# --- publish windows -------------------------------------------------------------------------

def _windows():
    now = utcnow()
    return {
        "draft": {"published": False},
        "future": {"publish_at": now + timedelta(hours=1)},
        "expired": {"expire_at": now - timedelta(minutes=1)},
        "expired-at-publish": {"publish_at": now - timedelta(days=3), "expire_at": now - timedelta(days=1)},
    }


@pytest.mark.parametrize("case", ["draft", "future", "expired", "expired-at-publish"])
def test_unpublished_future_and_expired_notices_are_404_everywhere(client, ctx, case):
    NoticeFactory(slug=f"hidden-{case}", **_windows()[case],
                  texts={"en": (f"Hidden {case}", "", "secret")})
    assert client.get(f"/notices/hidden-{case}").status_code == 404
    for path in ("/", "/notices/", "/notices/feed.xml", "/sitemap", "/sitemap.xml"):
        assert f"Hidden {case}" not in client.get(path).get_data(as_text=True), path
        assert f"hidden-{case}" not in client.get(path).get_data(as_text=True), path


def test_visible_notice_with_an_open_window(client, ctx):
    now = utcnow()
    NoticeFactory(slug="open", publish_at=now - timedelta(minutes=1), expire_at=now + timedelta(days=1),
                  texts={"en": ("Open window", "A summary", "The **body**.")})
    page = client.get("/notices/open")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<h1>Open window</h1>" in html and "<strong>body</strong>" in html


def test_unknown_slug_is_404(client):
    assert client.get("/notices/no-such-notice").status_code == 404
    assert client.get("/notices/UPPER-case").status_code == 404


# --- languages -------------------------------------------------------------------------------

def test_notice_in_the_visitors_language(client, ctx):
    NoticeFactory(slug="three", texts={"en": ("In English", "", "en"), "ru": ("По-русски", "", "ru"),
                                       "az": ("Azərbaycanca", "", "az")})
    for locale, title in (("en", "In English"), ("ru", "По-русски"), ("az", "Azərbaycanca")):
        html = client.get("/notices/three", headers={"Accept-Language": locale}).get_data(as_text=True)
        assert f"<h1>{title}</h1>" in html and "fallback-note" not in html


def test_missing_language_falls_back_with_a_visible_note(client, ctx):
    NoticeFactory(slug="english-only", texts={"en": ("Only in English", "Summary", "Body")})
    page = client.get("/notices/english-only", headers={"Accept-Language": "az"})
    html = page.get_data(as_text=True)
    assert '<html lang="az">' in html and "<h1>Only in English</h1>" in html
    assert 'class="alert alert-info fallback-note"' in html and "English" in text_of(page)
    assert '<div lang="en">' in html  # screen readers read the English text as English
    listing = client.get("/notices/", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert 'lang="en"><a href="/notices/english-only">Only in English</a>' in listing
    assert "fallback-note" in listing


def test_fallback_prefers_english_then_the_configured_order(client, ctx):
    NoticeFactory(slug="ru-az", texts={"ru": ("Русский", "", ""), "az": ("Azərbaycan", "", "")})
    html = client.get("/notices/ru-az", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "<h1>Русский</h1>" in html and '<div lang="ru">' in html


# --- the list --------------------------------------------------------------------------------

def test_notices_list_is_paginated_newest_first(client, ctx, app):
    now = utcnow()
    per_page = app.config["NOTICES_PER_PAGE"]
    for i in range(per_page + 2):
        NoticeFactory(slug=f"n{i:02d}", publish_at=now - timedelta(hours=i),
                      texts={"en": (f"Notice number {i:02d}", "", "")})
    first = text_of(client.get("/notices/"))
    assert first.index("Notice number 00") < first.index("Notice number 01")
    assert "Notice number 11" not in first and "Page 1 of 2" in first
    second = text_of(client.get("/notices/?page=2"))
    assert "Notice number 11" in second and "Notice number 00" not in second
    assert client.get("/notices/?page=3").status_code == 404


def test_notices_list_filters_by_kind(client, ctx):
    NoticeFactory(slug="a-news", kind="news", texts={"en": ("A news item", "", "")})
    NoticeFactory(slug="an-article", kind="article", texts={"en": ("An article", "", "")})
    page = text_of(client.get("/notices/?kind=article"))
    assert "An article" in page and "A news item" not in page
    assert client.get("/notices/?kind=nonsense").status_code == 404


# --- feed and sitemaps -----------------------------------------------------------------------

def test_atom_feed_is_valid(client, ctx):
    NoticeFactory(slug="feed-one", texts={"en": ("Feed <one> & more", "Sum", "**Bold** <script>x</script>"),
                                          "ru": ("Лента", "", "")})
    NoticeFactory(slug="feed-draft", published=False)
    response = client.get("/notices/feed.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    root = parse_xml(response.data)
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{name}") is not None and root.find(f"{ATOM}{name}").text, name
    assert root.find(f"{ATOM}author/{ATOM}name").text
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links["self"].startswith("http://localhost/notices/feed.xml") and links["alternate"]
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 1
    entry = entries[0]
    for name in ("id", "title", "updated"):
        assert entry.find(f"{ATOM}{name}").text, name
    assert entry.find(f"{ATOM}title").text == "Feed <one> & more"
    assert entry.find(f"{ATOM}link").get("href") == "http://localhost/notices/feed-one"
    content = entry.find(f"{ATOM}content")
    assert content.get("type") == "html" and "<strong>Bold</strong>" in content.text
    assert "<script>" not in content.text
    ru = parse_xml(client.get("/notices/feed.xml?lang=ru").data)
    assert ru.find(f"{ATOM}entry/{ATOM}title").text == "Лента"


def test_empty_feed_is_still_valid(client):
    root = parse_xml(client.get("/notices/feed.xml").data)
    assert root.find(f"{ATOM}updated").text and not root.findall(f"{ATOM}entry")


def test_sitemap_xml_lists_pages_and_visible_notices(client, ctx):
    NoticeFactory(slug="in-sitemap")
    NoticeFactory(slug="not-in-sitemap", published=False)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    root = parse_xml(response.data)
    assert root.tag == f"{SITEMAP}urlset"
    locations = [url.find(f"{SITEMAP}loc").text for url in root.findall(f"{SITEMAP}url")]
    for path in ("/", "/notices/", "/foreign-students", "/contact", "/rector", "/sitemap",
                 "/notices/in-sitemap"):
        assert f"http://localhost{path}" in locations, path
    assert not any("not-in-sitemap" in loc for loc in locations)
    notice = [u for u in root.findall(f"{SITEMAP}url") if u.find(f"{SITEMAP}loc").text.endswith("in-sitemap")]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", notice[0].find(f"{SITEMAP}lastmod").text)


def test_robots_txt_points_to_the_sitemap_and_keeps_private_areas_out(client, app):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    body = response.get_data(as_text=True)
    assert "User-agent: *" in body and "Disallow: /office/" in body and "Disallow: /apply/" in body
    assert "Sitemap: http://localhost/sitemap.xml" in body


def test_public_base_url_is_used_for_absolute_links(database_url, tmp_path):
    from tests.test_pages import make_app

    app = make_app(database_url, tmp_path, PUBLIC_BASE_URL="https://admissions.example.edu")
    body = app.test_client().get("/robots.txt").get_data(as_text=True)
    assert "Sitemap: https://admissions.example.edu/sitemap.xml" in body


def test_human_sitemap_lists_the_sections_and_latest_notices(client, ctx):
    NoticeFactory(slug="latest-one", texts={"en": ("Latest one", "", "")})
    page = client.get("/sitemap")
    html = page.get_data(as_text=True)
    for href in ("/notices/", "/foreign-students", "/contact", "/rector", "/notices/feed.xml",
                 "/notices/latest-one", "/auth/register"):
        assert f'href="{href}' in html, href


# --- the office --------------------------------------------------------------------------------

OFFICE_PAGES = ["/office/notices/", "/office/notices/new"]


@pytest.fixture
def officer(ctx, forms):
    user = UserFactory(officer=True)
    forms.login(user.email, PASSWORD)
    return user


def notice_form(**overrides):
    data = {"kind": "news", "slug": "", "publish_at": "", "expire_at": "",
            "title_en": "Exam results", "summary_en": "Short", "body_en": "Results are **out**.",
            "title_ru": "", "summary_ru": "", "body_ru": "", "title_az": "", "summary_az": "", "body_az": "",
            "save": "Save"}
    data.update(overrides)
    return data


def fresh(model, ident):
    """The row as the database has it now (the requests ran in their own sessions)."""
    db.session.expire_all()
    return db.session.get(model, ident)


def audit_actions(target_id=None):
    query = select(AuditLog.action).where(AuditLog.target_type == "notice").order_by(AuditLog.id)
    if target_id is not None:
        query = query.where(AuditLog.target_id == str(target_id))
    return list(db.session.scalars(query))


@pytest.mark.parametrize("path", OFFICE_PAGES)
def test_office_notices_refuse_anonymous_and_applicants(client, forms, ctx, path):
    notice = NoticeFactory()
    for url in (path, f"/office/notices/{notice.id}/edit", f"/office/notices/{notice.id}/delete"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")
    forms.login(UserFactory().email, PASSWORD)
    for url in (path, f"/office/notices/{notice.id}/edit", f"/office/notices/{notice.id}/delete"):
        assert client.get(url).status_code == 403, url
    assert forms.post(f"/office/notices/{notice.id}/unpublish", page="/").status_code == 403
    assert fresh(Notice, notice.id).published


@pytest.mark.parametrize("role", ["officer", "admin"])
def test_staff_create_preview_publish_pin_and_delete(client, forms, ctx, role):
    user = UserFactory(role=role)
    forms.login(user.email, PASSWORD)
    preview = forms.post("/office/notices/new", notice_form(save=None, show_preview="Preview",
                                                            body_en="<script>x</script>Hi **there**"))
    html = preview.get_data(as_text=True)
    assert "<strong>there</strong>" in html and "<script>x" not in html
    assert db.session.scalar(select(Notice)) is None  # a preview saves nothing

    created = forms.post("/office/notices/new", notice_form())
    notice = db.session.scalar(select(Notice))
    notice_id = notice.id
    assert created.status_code == 302 and created.headers["Location"] == f"/office/notices/{notice_id}/edit"
    assert notice.slug == "exam-results" and not notice.published and notice.author_id == user.id
    assert client.get("/notices/exam-results").status_code == 404  # still a draft

    forms.post(f"/office/notices/{notice_id}/publish", page=f"/office/notices/{notice_id}/edit")
    assert client.get("/notices/exam-results").status_code == 200
    forms.post(f"/office/notices/{notice_id}/pin", page="/office/notices/")
    assert fresh(Notice, notice_id).pinned
    edit = forms.post(f"/office/notices/{notice_id}/edit",
                      notice_form(slug="exam-results", title_ru="Результаты", body_ru="Тест"))
    assert edit.status_code == 302
    assert fresh(Notice, notice_id).translation("ru").title == "Результаты"
    confirm = client.get(f"/office/notices/{notice_id}/delete")
    assert "Delete for good" in text_of(confirm)
    forms.post(f"/office/notices/{notice_id}/delete")
    assert fresh(Notice, notice_id) is None
    assert client.get("/notices/exam-results").status_code == 404
    assert audit_actions(notice_id) == ["notice.create", "notice.publish", "notice.pin", "notice.update",
                                        "notice.delete"]
    entries = db.session.scalars(select(AuditLog).where(AuditLog.target_type == "notice")).all()
    assert all(entry.actor_id == user.id and entry.created_at for entry in entries)
    assert "text_ru" in entries[3].details["changed"]


def test_edit_page_shows_a_preview_of_the_saved_body(client, officer):
    notice = NoticeFactory(texts={"en": ("Saved", "", "Saved **text** <iframe src=x></iframe>")})
    html = client.get(f"/office/notices/{notice.id}/edit").get_data(as_text=True)
    assert "<strong>text</strong>" in html and "<iframe" not in html


def test_unpublish_hides_the_notice(client, forms, officer):
    notice = NoticeFactory(slug="to-hide")
    forms.post(f"/office/notices/{notice.id}/unpublish", page="/office/notices/")
    assert client.get("/notices/to-hide").status_code == 404
    assert audit_actions(notice.id) == ["notice.unpublish"]


@pytest.mark.parametrize("overrides, field, message", [
    ({"title_en": "", "summary_en": "", "body_en": ""}, "title_en", "Write the title in at least one language."),
    ({"title_ru": "", "body_ru": "Text without title"}, "title_ru", "Give this language a title"),
    ({"slug": "Not A Slug!"}, "slug", "Use lower-case Latin letters"),
    ({"slug": "taken"}, "slug", "Another notice already uses this address."),
    ({"publish_at": "2030-01-02T10:00", "expire_at": "2030-01-01T10:00"}, "expire_at",
     "The notice must expire after it is published."),
    ({"publish_at": "not a date"}, "publish_at", "Enter a date and time"),
    ({"title_en": "x" * 201}, "title_en", "Use at most 200 characters."),
    ({"summary_en": "x" * 501}, "summary_en", "Use at most 500 characters."),
])
def test_bad_notice_input_is_shown_next_to_its_field_and_nothing_is_saved(client, forms, officer,
                                                                          overrides, field, message):
    NoticeFactory(slug="taken")
    before = db.session.scalar(select(db.func.count(Notice.id)))
    response = forms.post("/office/notices/new", notice_form(**overrides))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    error = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', html, re.S)
    assert error and message in error.group(1), html[:200]
    assert f'id="{field}"' in html and 'aria-invalid="true"' in html
    assert db.session.scalar(select(db.func.count(Notice.id))) == before


def test_office_notice_csrf_is_refused(client, officer):
    notice = NoticeFactory()
    response = client.post(f"/office/notices/{notice.id}/unpublish")
    assert response.status_code == 400 and "nothing was saved" in text_of(response)
    assert fresh(Notice, notice.id).published
    assert client.post("/office/notices/new", data=notice_form()).status_code == 400
    assert audit_actions() == []


def test_office_unknown_notice_is_404(client, forms, officer):
    assert client.get("/office/notices/999999/edit").status_code == 404
    assert client.get("/office/notices/999999/delete").status_code == 404
    assert forms.post("/office/notices/999999/publish", page="/office/notices/").status_code == 404


def test_office_list_shows_status_of_each_notice(client, officer):
    now = utcnow()
    NoticeFactory(slug="draft-one", published=False, texts={"en": ("Draft one", "", "")})
    NoticeFactory(slug="later-one", publish_at=now + timedelta(days=2), texts={"en": ("Later one", "", "")})
    NoticeFactory(slug="old-one", expire_at=now - timedelta(days=1), texts={"en": ("Old one", "", "")})
    NoticeFactory(slug="live-one", texts={"en": ("Live one", "", "")})
    page = text_of(client.get("/office/notices/"))
    for title, state in (("Draft one", "Draft"), ("Later one", "Scheduled"), ("Old one", "Expired"),
                         ("Live one", "Published")):
        assert re.search(rf"{title} .*?{state}", page), title
