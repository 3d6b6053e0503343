"""Stopping the optional reminder e-mails from the e-mail itself: /unsubscribe/<token>.

Every reminder (services/reminders.py) links here and names this address in its
``List-Unsubscribe`` header, with ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058).
A GET only shows a page with a button: link scanners and prefetchers follow links, so a GET
changes nothing. A POST turns the reminders off. A mail client's one-click POST carries no cookie
and no CSRF token, so that one view is exempt from CSRF: the signed token in the address is what
authorises it, and all it can ever do is stop reminders. A tampered or unknown token gets a page
that says so (404). Interview reminders are not optional and are not affected.
"""

from __future__ import annotations

from flask import make_response, render_template

from portal.extensions import csrf, db
from portal.public.blueprint import bp
from portal.services import reminders


def _page(status: int = 200, **context):
    response = make_response(render_template("public/unsubscribe.html", **context), status)
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the token stays out of other sites' logs
    return response


@bp.route("/unsubscribe/<token>")
def unsubscribe(token: str):
    user = reminders.user_for_unsubscribe(token)
    if user is None:
        return _page(404, invalid=True)
    return _page(token=token, email=user.email, done=user.reminders_opt_out)


@bp.route("/unsubscribe/<token>", methods=["POST"])
@csrf.exempt
def unsubscribe_confirm(token: str):
    """The page's button, or a mail client's one-click POST (body ``List-Unsubscribe=One-Click``).
    Answers 200 with the result (RFC 8058 clients do not follow redirects); a repeat is harmless."""
    user = reminders.user_for_unsubscribe(token)
    if user is None:
        return _page(404, invalid=True)
    reminders.set_reminders(user, False, via="unsubscribe")
    db.session.commit()
    return _page(token=token, email=user.email, done=True)
