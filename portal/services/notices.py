"""Notices: announcements, news and articles on the public site, each in up to three languages.

Why it is shaped this way:
- a notice is public only inside its window (published, ``publish_at`` reached or unset,
  ``expire_at`` not reached); one clause, :func:`visible`, serves every public query, so the
  lists, the page, the feed and the sitemap always agree;
- a notice is shown in the visitor's language when it has that translation, otherwise in the
  first one it has in ``LANGUAGES`` order, and says so (:attr:`LocalizedNotice.fallback`);
- each office change is one function here that validates, records the audit entry and marks the
  public content changed, so every worker's page cache drops its copies after the commit.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.database import utcnow
from portal.extensions import db
from portal.models import NOTICE_KINDS, Notice, NoticeTranslation, User
from portal.services import admission_info, audit, content_cache
from portal.services.errors import ServiceError
from portal.services.markdown import render

KIND_LABELS = {"announcement": _l("Announcement"), "news": _l("News"), "article": _l("Article")}
STATUS_LABELS = {"draft": _l("Draft"), "scheduled": _l("Scheduled"), "published": _l("Published"),
                 "expired": _l("Expired")}
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MAX = 120
TITLE_MAX, SUMMARY_MAX, BODY_MAX = 200, 500, 50_000
HOME_LATEST = 5
HOME_PINNED = 3


class NoticeError(ServiceError):
    """A notice that cannot be saved as given."""


# --- reading -------------------------------------------------------------------------------

def visible(now: datetime):
    """The SQL condition for "the public may see this notice now"."""
    return (Notice.published.is_(True)
            & (Notice.publish_at.is_(None) | (Notice.publish_at <= now))
            & (Notice.expire_at.is_(None) | (Notice.expire_at > now)))


def _newest_first():
    return (func.coalesce(Notice.publish_at, Notice.created_at).desc(), Notice.id.desc())


def status(notice: Notice, now: datetime | None = None) -> str:
    now = now or utcnow()
    if not notice.published:
        return "draft"
    if notice.expire_at is not None and notice.expire_at <= now:
        return "expired"
    if notice.publish_at is not None and notice.publish_at > now:
        return "scheduled"
    return "published"


@dataclass(frozen=True)
class LocalizedNotice:
    """A notice in one language, as plain data (safe to cache and to pass to any template)."""

    slug: str
    kind: str
    pinned: bool
    locale: str
    fallback: bool
    title: str
    summary: str
    body: str
    date: datetime
    updated_at: datetime

    @property
    def body_html(self):
        return render(self.body)


def pick_translation(notice: Notice, locale: str) -> NoticeTranslation | None:
    wanted = notice.translation(locale)
    if wanted is not None:
        return wanted
    for code in current_app.config["LANGUAGES"]:
        found = notice.translation(code)
        if found is not None:
            return found
    return None


def localize(notice: Notice, locale: str) -> LocalizedNotice | None:
    text = pick_translation(notice, locale)
    if text is None:
        return None
    return LocalizedNotice(slug=notice.slug, kind=notice.kind, pinned=notice.pinned, locale=text.locale,
                           fallback=text.locale != locale, title=text.title, summary=text.summary,
                           body=text.body, date=notice.publish_at or notice.created_at,
                           updated_at=notice.updated_at)


def localize_all(notices, locale: str) -> list[LocalizedNotice]:
    return [item for item in (localize(n, locale) for n in notices) if item is not None]


def public_page(kind: str | None, page: int, locale: str):
    """One page of visible notices, newest first; ``items`` are LocalizedNotice."""
    query = select(Notice).where(visible(utcnow())).order_by(*_newest_first())
    if kind:
        query = query.where(Notice.kind == kind)
    pagination = db.paginate(query, page=page, per_page=current_app.config["NOTICES_PER_PAGE"],
                             error_out=True, count=True)
    pagination.items = localize_all(pagination.items, locale)
    return pagination


def public_notice(slug: str) -> Notice | None:
    return db.session.scalar(select(Notice).where(Notice.slug == slug, visible(utcnow())))


def latest_visible(limit: int | None = None) -> list[Notice]:
    query = select(Notice).where(visible(utcnow())).order_by(*_newest_first())
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def next_window_change(now: datetime) -> datetime | None:
    """The next moment a published notice appears or disappears by itself."""
    return content_cache.next_change(now, Notice.published.is_(True), Notice.publish_at, Notice.expire_at)


@dataclass(frozen=True)
class HomeContent:
    pinned: list[LocalizedNotice] = field(default_factory=list)
    latest: list[LocalizedNotice] = field(default_factory=list)
    intake: admission_info.IntakeDates | None = None
    valid_until: datetime | None = None  # the next publish-window or intake change


def home_content(locale: str) -> HomeContent:
    """What the home page shows, cached per language until content changes or a window moves."""
    return content_cache.cached(("home-content", locale), lambda: _compute_home(locale))


def _compute_home(locale: str) -> tuple[HomeContent, datetime | None]:
    now = utcnow()
    notices = latest_visible(HOME_LATEST + HOME_PINNED)
    pinned = [n for n in notices if n.pinned][:HOME_PINNED]
    latest = [n for n in notices if n not in pinned][:HOME_LATEST]
    changes = [m for m in (next_window_change(now), admission_info.next_intake_change(now)) if m]
    content = HomeContent(pinned=localize_all(pinned, locale), latest=localize_all(latest, locale),
                          intake=admission_info.current_intake(now),
                          valid_until=min(changes) if changes else None)
    return content, content.valid_until


# --- the office ----------------------------------------------------------------------------

@dataclass
class NoticeInput:
    """What the office form edits. ``texts`` maps a locale to (title, summary, body)."""

    kind: str
    slug: str = ""
    pinned: bool = False
    publish_at: datetime | None = None
    expire_at: datetime | None = None
    texts: dict[str, tuple[str, str, str]] = field(default_factory=dict)


def get(notice_id: int) -> Notice | None:
    return db.session.get(Notice, notice_id)


def office_page(page: int, per_page: int = 20):
    query = select(Notice).order_by(Notice.published, *_newest_first())
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80].strip("-")


def _slug_taken(slug: str, notice: Notice | None) -> bool:
    query = select(Notice.id).where(Notice.slug == slug)
    if notice is not None and notice.id is not None:
        query = query.where(Notice.id != notice.id)
    return db.session.scalar(query) is not None


def _choose_slug(data: NoticeInput, notice: Notice | None) -> str:
    slug = data.slug.strip().lower()
    if slug:
        if len(slug) > SLUG_MAX or not SLUG_RE.match(slug):
            raise NoticeError(_l("Use lower-case Latin letters, digits and hyphens, like "
                                 "admission-2027-has-started."), "slug")
        if _slug_taken(slug, notice):
            raise NoticeError(_l("Another notice already uses this address."), "slug")
        return slug
    if notice is not None and notice.slug:
        return notice.slug
    titles = [data.texts[c][0] for c in current_app.config["LANGUAGES"] if c in data.texts]
    base = slugify(titles[0] if titles else "") or f"notice-{secrets.token_hex(3)}"
    slug, n = base, 1
    while _slug_taken(slug, notice):
        n += 1
        slug = f"{base}-{n}"
    return slug


def _check(data: NoticeInput) -> None:
    if data.kind not in NOTICE_KINDS:
        raise NoticeError(_l("Choose the kind of notice."), "kind")
    texts = {code: tuple(part.strip() for part in parts) for code, parts in data.texts.items()}
    for code, (title, summary, body) in texts.items():
        if (summary or body) and not title:
            raise NoticeError(_l("Give this language a title, or leave all its fields empty."),
                              f"title_{code}")
    if not any(title for title, _s, _b in texts.values()):
        raise NoticeError(_l("Write the title in at least one language."), "title_en")
    if data.publish_at and data.expire_at and data.expire_at <= data.publish_at:
        raise NoticeError(_l("The notice must expire after it is published."), "expire_at")


def _apply(notice: Notice, data: NoticeInput) -> list[str]:
    """Copy the input onto the notice; returns the names of the fields that changed."""
    changed = [name for name in ("kind", "slug", "pinned", "publish_at", "expire_at")
               if getattr(notice, name) != getattr(data, name)]
    for name in changed:
        setattr(notice, name, getattr(data, name))
    for code in current_app.config["LANGUAGES"]:
        title, summary, body = (part.strip() for part in data.texts.get(code, ("", "", "")))
        existing = notice.translation(code)
        if not title:
            if existing is not None:
                notice.translations.remove(existing)
                changed.append(f"text_{code}")
            continue
        if existing is None:
            notice.translations.append(
                NoticeTranslation(locale=code, title=title, summary=summary, body=body))
            changed.append(f"text_{code}")
        elif (existing.title, existing.summary, existing.body) != (title, summary, body):
            existing.title, existing.summary, existing.body = title, summary, body
            changed.append(f"text_{code}")
    return changed


def create(author: User, data: NoticeInput) -> Notice:
    _check(data)
    data.slug = _choose_slug(data, None)
    notice = Notice(kind=data.kind, slug=data.slug, author_id=author.id, published=False)
    db.session.add(notice)
    _apply(notice, data)
    db.session.flush()
    audit.record(author, "notice.create", "notice", notice.id, {"slug": notice.slug, "kind": notice.kind})
    content_cache.mark_changed()
    return notice


def update(actor: User, notice: Notice, data: NoticeInput) -> list[str]:
    _check(data)
    data.slug = _choose_slug(data, notice)
    changed = _apply(notice, data)
    if changed:
        audit.record(actor, "notice.update", "notice", notice.id, {"slug": notice.slug, "changed": changed})
        content_cache.mark_changed()
    return changed


def publish(actor: User, notice: Notice) -> None:
    """Publish now, or at ``publish_at`` when that is still ahead."""
    notice.published = True
    if notice.publish_at is None:
        notice.publish_at = utcnow()
    _record(actor, "notice.publish", notice, publish_at=notice.publish_at.isoformat())


def unpublish(actor: User, notice: Notice) -> None:
    notice.published = False
    _record(actor, "notice.unpublish", notice)


def pin(actor: User, notice: Notice) -> None:
    notice.pinned = True
    _record(actor, "notice.pin", notice)


def unpin(actor: User, notice: Notice) -> None:
    notice.pinned = False
    _record(actor, "notice.unpin", notice)


def delete(actor: User, notice: Notice) -> None:
    _record(actor, "notice.delete", notice, title=_any_title(notice))
    db.session.delete(notice)


def _record(actor: User, action: str, notice: Notice, **details) -> None:
    audit.record(actor, action, "notice", notice.id, {"slug": notice.slug, **details})
    content_cache.mark_changed()


def _any_title(notice: Notice) -> str:
    text = pick_translation(notice, "en")
    return text.title if text else ""
