"""Test helpers: a CSRF-aware form filler and small readers for pages and e-mails."""

from __future__ import annotations

import re
from html import unescape

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
LINK_RE = re.compile(r"https?://\S+")


class Forms:
    """Fill forms as a browser would: GET the page, take its CSRF token, POST the fields."""

    def __init__(self, client):
        self.client = client

    def token(self, url: str) -> str:
        page = self.client.get(url)
        match = CSRF_RE.search(page.get_data(as_text=True))
        assert match, f"no CSRF token on {url} (status {page.status_code})"
        return match.group(1)

    def post(self, url: str, data: dict | None = None, *, page: str | None = None,
             follow: bool = False, **kwargs):
        fields = {"csrf_token": self.token(page or url), **(data or {})}
        return self.client.post(url, data=fields, follow_redirects=follow, **kwargs)

    def login(self, email: str, password: str, **kwargs):
        return self.post("/auth/login", {"email": email, "password": password}, **kwargs)

    def logout(self):
        return self.post("/auth/logout", page="/")


def text_of(response) -> str:
    """The page's visible text, whitespace collapsed (good enough for assertions)."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def link_in(body: str) -> str:
    match = LINK_RE.search(body)
    assert match, f"no link in: {body[:300]}"
    return match.group(0)


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)
