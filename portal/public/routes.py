"""The public site: home, notices and their feed, the rules for foreign students, Contact Us,
Letter to the Rector, the site maps. Views parse, call one service, commit, flash, redirect."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import text

from portal.database import utcnow
from portal.extensions import csrf, db, limiter
from portal.forms import show_error
from portal.models import NOTICE_KINDS
from portal.public import page_cache
from portal.public.blueprint import bp
from portal.public.forms import ContactForm, InquiryForm, RectorForm
from portal.security import safe_next
from portal.services import accounts, admission_info, country_rules, inquiries
from portal.services import notices as notice_service
from portal.services.notifications import external_url

FEED_SIZE = 20
SITEMAP_PAGES = ("public.home", "public.notices", "public.foreign_students", "public.contact",
                 "public.rector", "public.sitemap")


def _locale() -> str:
    return str(get_locale())


# --- home ------------------------------------------------------------------------------------

@bp.record_once
def _install_page_cache(state) -> None:
    page_cache.install(state.app)


@bp.route("/")
def home():
    locale = _locale()
    content = notice_service.home_content(locale)
    shared = page_cache.offer(locale, content.valid_until)  # then: no CSRF token in the layout
    response = make_response(render_template("public/home.html", content=content,
                                             kinds=notice_service.KIND_LABELS, shared_cache=shared))
    response.vary.update(("Accept-Language", "Cookie"))
    return response


@bp.route("/language", methods=["POST"])
@csrf.exempt
def set_language():
    """Shared cached pages carry no CSRF token, so an anonymous switch needs none: session cookies
    are SameSite=Lax, so a forged cross-site post arrives without a session and can at worst pick
    a language for a fresh one. A logged-in user's setting changes only with a valid token."""
    if current_user.is_authenticated:
        csrf.protect()
    code = request.form.get("language", "")
    if code in current_app.config["LANGUAGES"]:
        session["locale"] = code
        if current_user.is_authenticated:
            accounts.set_locale(current_user, code)
            db.session.commit()
    return redirect(safe_next(request.form.get("next"), url_for("public.home")))


@bp.route("/healthz")
@limiter.exempt
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # the check reports, it does not raise
        db.session.rollback()
        return jsonify(status="error", database="unavailable"), 503
    return jsonify(status="ok", database="ok")


# --- notices -------------------------------------------------------------------------------

@bp.route("/notices/")
def notices():
    kind = request.args.get("kind") or None
    if kind is not None and kind not in NOTICE_KINDS:
        abort(404)
    pagination = notice_service.public_page(kind, request.args.get("page", 1, type=int), _locale())
    return render_template("public/notices.html", pagination=pagination, kind=kind,
                           kinds=notice_service.KIND_LABELS)


@bp.route("/notices/<slug>")
def notice(slug: str):
    found = notice_service.public_notice(slug)
    item = notice_service.localize(found, _locale()) if found is not None else None
    if item is None:
        abort(404)
    return render_template("public/notice.html", notice=item, kinds=notice_service.KIND_LABELS)


@bp.route("/notices/feed.xml")
def notices_feed():
    locale = request.args.get("lang", "")
    if locale not in current_app.config["LANGUAGES"]:
        locale = _locale()
    items = notice_service.localize_all(notice_service.latest_visible(FEED_SIZE), locale)
    updated = max((item.updated_at for item in items), default=utcnow())
    with force_locale(locale):
        xml = render_template("public/feed.xml", items=items, locale=locale, updated=updated,
                              external_url=external_url)
    return Response(xml, mimetype="application/atom+xml")


# --- information pages ---------------------------------------------------------------------

@bp.route("/foreign-students")
def foreign_students():
    return render_template("public/foreign_students.html", intakes=admission_info.intakes(),
                           documents=admission_info.document_lists(_locale()), fees=admission_info.fees(),
                           country_rules=country_rules.public_rules())


@bp.route("/sitemap")
def sitemap():
    items = notice_service.localize_all(notice_service.latest_visible(FEED_SIZE), _locale())
    return render_template("public/sitemap.html", items=items)


@bp.route("/sitemap.xml")
def sitemap_xml():
    pages = [external_url(endpoint) for endpoint in SITEMAP_PAGES]
    xml = render_template("public/sitemap.xml", pages=pages, notices=notice_service.latest_visible(),
                          external_url=external_url)
    return Response(xml, mimetype="application/xml")


@bp.route("/robots.txt")
def robots_txt():
    body = render_template("public/robots.txt", sitemap=external_url("public.sitemap_xml"))
    return Response(body, mimetype="text/plain")


# --- Contact Us and Letter to the Rector ---------------------------------------------------

def _inquiry_limit() -> str:
    return current_app.config["INQUIRY_RATE_LIMIT"]


@bp.route("/contact", methods=["GET", "POST"])
@limiter.shared_limit(_inquiry_limit, scope="inquiries", methods=["POST"])
def contact():
    return _inquiry_page("contact", ContactForm())


@bp.route("/rector", methods=["GET", "POST"])
@limiter.shared_limit(_inquiry_limit, scope="inquiries", methods=["POST"])
def rector():
    return _inquiry_page("rector", RectorForm())


def _inquiry_page(kind: str, form: InquiryForm):
    if form.validate_on_submit():
        if form.is_bot():  # the honeypot was filled: look successful, keep and send nothing
            flash(_("Thank you. Your message has been sent."), "success")
            return redirect(url_for(request.endpoint))
        try:
            inquiry = inquiries.submit(form.to_input(kind, _locale()), form.upload())
        except inquiries.InquiryError as error:
            db.session.rollback()
            show_error(error, form)
        else:
            db.session.commit()
            flash(_("Thank you. Your message has been sent. Its reference number is %(reference)s; "
                    "we have sent a confirmation to %(email)s.",
                    reference=inquiry.reference, email=inquiry.email), "success")
            return redirect(url_for(request.endpoint))
    return render_template(f"public/{kind}.html", form=form)


