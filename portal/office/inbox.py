"""Office: the inbox of inquiries (/office/inbox). Officers filter, read, reply and set the
status; services/inquiries.py owns the rules, the e-mail and the audit log (views included)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from portal.extensions import db
from portal.i18n import INTERFACE_LANGUAGES
from portal.models import INQUIRY_KINDS, INQUIRY_STATUSES
from portal.office.blueprint import bp
from portal.security import staff_required
from portal.services import inquiries
from portal.services.inquiries import KIND_LABELS, REPLY_MAX, STATUS_LABELS, InquiryError


class InboxFilterForm(FlaskForm):
    """A GET form: it changes nothing, so it carries no CSRF token."""

    class Meta:
        csrf = False

    kind = SelectField(_l("Kind"), choices=[("", _l("All kinds")), *KIND_LABELS.items()])
    status = SelectField(_l("Status"), choices=[("", _l("Any status")), *STATUS_LABELS.items()])


class ReplyForm(FlaskForm):
    body = TextAreaField(_l("Your reply"), validators=[
        DataRequired(_l("Write the reply.")),
        Length(max=REPLY_MAX, message=_l("Use at most %(n)s characters.", n=REPLY_MAX))],
        render_kw={"rows": 8})
    submit = SubmitField(_l("Send reply"))


class StatusForm(FlaskForm):
    status = SelectField(_l("Status"), choices=list(STATUS_LABELS.items()))
    submit = SubmitField(_l("Change status"))


def _inquiry_or_404(inquiry_id: int):
    inquiry = inquiries.get(inquiry_id)
    if inquiry is None:
        abort(404)
    return inquiry


def _detail(inquiry, reply_form: ReplyForm, status_form: StatusForm):
    reply_form.body.description = _("Sent by e-mail to %(email)s with the reference number. "
                                    "The sender's language: %(language)s.",
                                    email=inquiry.email, language=INTERFACE_LANGUAGES.get(inquiry.locale, "English"))
    return render_template("office/inbox/detail.html", inquiry=inquiry, reply_form=reply_form,
                           status_form=status_form, kinds=KIND_LABELS, statuses=STATUS_LABELS,
                           languages=INTERFACE_LANGUAGES)


@bp.route("/inbox")
@staff_required
def inbox():
    form = InboxFilterForm(request.args)
    kind = request.args.get("kind") if request.args.get("kind") in INQUIRY_KINDS else None
    status = request.args.get("status") if request.args.get("status") in INQUIRY_STATUSES else None
    pagination = inquiries.inbox_page(kind, status, request.args.get("page", 1, type=int))
    args = {name: value for name, value in (("kind", kind), ("status", status)) if value}
    return render_template("office/inbox/list.html", form=form, pagination=pagination, args=args,
                           kinds=KIND_LABELS, statuses=STATUS_LABELS)


@bp.route("/inbox/<int:inquiry_id>")
@staff_required
def inquiry(inquiry_id: int):
    found = _inquiry_or_404(inquiry_id)
    inquiries.record_view(current_user, found)
    db.session.commit()
    return _detail(found, ReplyForm(), StatusForm(status=found.status))


@bp.route("/inbox/<int:inquiry_id>/reply", methods=["POST"])
@staff_required
def inquiry_reply(inquiry_id: int):
    found = _inquiry_or_404(inquiry_id)
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            inquiries.reply(current_user, found, form.body.data)
        except InquiryError as error:
            db.session.rollback()
            form.body.errors = [*form.body.errors, error.message]
        else:
            db.session.commit()
            flash(_("Your reply has been sent to %(email)s.", email=found.email), "success")
            return redirect(url_for("office.inquiry", inquiry_id=found.id))
    return _detail(found, form, StatusForm(formdata=None, status=found.status))


@bp.route("/inbox/<int:inquiry_id>/status", methods=["POST"])
@staff_required
def inquiry_status(inquiry_id: int):
    found = _inquiry_or_404(inquiry_id)
    form = StatusForm()
    if form.validate_on_submit():
        inquiries.set_status(current_user, found, form.status.data)
        db.session.commit()
        flash(_("The status is now: %(status)s.", status=STATUS_LABELS[found.status]), "success")
        return redirect(url_for("office.inquiry", inquiry_id=found.id))
    return _detail(found, ReplyForm(formdata=None), form)


@bp.route("/inbox/<int:inquiry_id>/attachment")
@staff_required
def inquiry_attachment(inquiry_id: int):
    found = _inquiry_or_404(inquiry_id)
    if not found.attachment_key:
        abort(404)
    stream = inquiries.open_attachment(current_user, found)
    db.session.commit()
    response = send_file(stream, mimetype="application/pdf", as_attachment=True,
                         download_name=found.attachment_name or "attachment.pdf")
    response.headers["Cache-Control"] = "private, no-store"
    return response
