"""Public verification of letters: /verify/<code> (the QR code's address) and /verify (a typed
code). Shows whether a letter is valid, superseded or revoked, with only the facts a consulate
or a border officer needs (services/letters.PublicFacts). Rate-limited per address, never
indexed, never cached by a shared cache."""

from __future__ import annotations

from flask import current_app, make_response, redirect, render_template, request, url_for

from portal.extensions import limiter
from portal.public.blueprint import bp
from portal.services import letters


def _limit() -> str:
    return current_app.config["VERIFY_RATE_LIMIT"]


def _page(status: int = 200, **context):
    response = make_response(render_template("public/verify.html", **context), status)
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/verify")
@limiter.limit(_limit, scope="verify")
def verify():
    typed = (request.args.get("code") or "").strip()[:64]
    if not typed:
        return _page()
    letter = letters.by_code(typed)
    if letter is None:
        return _page(404, typed=typed, unknown=True)
    return redirect(url_for("public.verify_code", code=letter.code))


@bp.route("/verify/<code>")
@limiter.limit(_limit, scope="verify")
def verify_code(code: str):
    letter = letters.by_code(code[:64])
    if letter is None:
        return _page(404, typed=code[:64], unknown=True)
    return _page(facts=letters.public_facts(letter), kinds=letters.KIND_TEXT, states=letters.STATE_TEXT,
                 code=letter.code)
