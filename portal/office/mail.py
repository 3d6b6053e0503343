"""Office: the outbox (/office/mail, admins only). What has not gone out yet or failed for good,
filtered and paged newest first, and sending a failed e-mail again (one, or every failed one the
filters match). services/mail_log.py reads and changes the rows and audits each retry; the worker
gets the ids only after the commit."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from portal.extensions import db
from portal.forms import ButtonForm, show_error
from portal.office.blueprint import bp
from portal.office.mail_forms import MailFilterForm
from portal.security import admin_required
from portal.services import mail_log


def _filters(form: MailFilterForm) -> mail_log.MailFilters:
    """The valid filters; a field with an error (a state or kind not offered, a bad date) is
    ignored and marked, so a bad URL shows the list with a message, never an error page."""
    names = mail_log.template_names()
    form.set_templates(names)
    form.validate()
    if (form.state.data or "") not in mail_log.STATE_FILTERS:  # no state in the URL: the default
        form.state.errors = [*form.state.errors, _("Choose a state from the list.")]
    if form.template.data and form.template.data not in names:
        form.template.errors = [*form.template.errors, _("Choose a kind of e-mail from the list.")]
    if form.date_from.data and form.date_to.data and form.date_to.data < form.date_from.data:
        form.date_to.errors = [*form.date_to.errors, _("The end date must not be before the start date.")]

    def value(f):
        return None if f.errors else f.data

    return mail_log.MailFilters(
        state=value(form.state) or "", template=value(form.template) or "",
        recipient=(value(form.recipient) or "").strip(), date_from=value(form.date_from),
        date_to=value(form.date_to))


def _cursor(name: str) -> int | None:
    raw = request.args.get(name, "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 19 else None


@bp.route("/mail")
@admin_required
def mail():
    form = MailFilterForm(request.args)
    filters = _filters(form)
    page = mail_log.page(filters, before=_cursor("before"), after=_cursor("after"))
    return render_template("office/mail.html", form=form, page=page, args=filters.as_args(), filters=filters,
                           paged=bool(request.args.get("before") or request.args.get("after")),
                           states=mail_log.STATE_TEXT)


@bp.route("/mail/<int:email_id>/retry", methods=["POST"])
@admin_required
def mail_retry(email_id: int):
    filters = _filters(MailFilterForm(request.args))
    form = ButtonForm()
    if form.validate_on_submit():
        try:
            mail_log.retry(current_user, email_id)
        except LookupError:
            db.session.rollback()
            abort(404)
        except mail_log.MailError as error:
            db.session.rollback()
            show_error(error)
        else:
            db.session.commit()
            mail_log.hand_to_worker([email_id])
            flash(_("The e-mail will be sent again."), "success")
    return redirect(url_for("office.mail", **filters.as_args()))


@bp.route("/mail/retry-failed", methods=["POST"])
@admin_required
def mail_retry_failed():
    filters = _filters(MailFilterForm(request.args))
    form = ButtonForm()
    if form.validate_on_submit():
        ids = mail_log.retry_failed(current_user, filters)
        db.session.commit()
        mail_log.hand_to_worker(ids)
        if not ids:
            flash(_("No failed e-mail matches the filters."), "info")
        else:
            flash(ngettext("%(num)d e-mail will be sent again.", "%(num)d e-mails will be sent again.", len(ids)),
                  "success")
            if len(ids) >= mail_log.RETRY_ALL_MAX:
                flash(_("At most %(max)d are sent again at a time: press the button again for the rest.",
                        max=mail_log.RETRY_ALL_MAX), "info")
    return redirect(url_for("office.mail", **filters.as_args()))
