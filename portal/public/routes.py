"""The public site. Notices, inquiries and the rules page are filled in by later issues."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text

from portal.extensions import db, limiter
from portal.security import safe_next
from portal.services import accounts

bp = Blueprint("public", __name__)


@bp.route("/")
def home():
    return render_template("public/home.html")


@bp.route("/language", methods=["POST"])
def set_language():
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


# Pages that later issues fill; each already renders inside the real layout.
PLACEHOLDERS = {
    "foreign_students": "/foreign-students",
    "contact": "/contact",
    "rector": "/rector",
    "notices": "/notices/",
}


def _placeholder(name: str):
    def view():
        return render_template("public/placeholder.html", page=name)

    view.__name__ = name
    return view


for _name, _rule in PLACEHOLDERS.items():
    bp.add_url_rule(_rule, _name, _placeholder(_name))


@bp.route("/sitemap")
def sitemap():
    return render_template("public/sitemap.html")
