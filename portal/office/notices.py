"""Office: notices (/office/notices/). Officers and admins write, preview, publish, pin and
delete announcements, news and articles; services/notices.py owns the rules and the audit log."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from portal.extensions import db
from portal.forms import ButtonForm, commit_or_show
from portal.i18n import INTERFACE_LANGUAGES
from portal.office.blueprint import bp
from portal.security import safe_next, staff_required
from portal.services import notices as notice_service
from portal.services.markdown import render
from portal.services.notices import BODY_MAX, SLUG_MAX, SUMMARY_MAX, TITLE_MAX, NoticeInput

LOCALES = ("en", "ru", "az")


def _max(n: int) -> Length:
    return Length(max=n, message=_l("Use at most %(n)s characters.", n=n))


class UTCDateTimeField(DateTimeLocalField):
    """A date-and-time input read as UTC, with our own (translated) parse error."""

    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "").strip()
        if not raw:
            self.data = None
            return
        try:
            self.data = datetime.strptime(raw.replace(" ", "T"), "%Y-%m-%dT%H:%M").replace(tzinfo=UTC)
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a date and time, for example 2027-03-01 09:00.")) from None

    def _value(self):
        return self.data.astimezone(UTC).strftime("%Y-%m-%dT%H:%M") if self.data else ""


def _when(label):
    return UTCDateTimeField(label, validators=[Optional()])


class NoticeForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=list(notice_service.KIND_LABELS.items()))
    slug = StringField(_l("Address (slug)"), validators=[_max(SLUG_MAX)],
                       description=_l("The end of the notice's address, as in /notices/admission-has-started: "
                                      "lower-case Latin letters, digits and hyphens. Leave it empty to make "
                                      "one from the title."))
    pinned = BooleanField(_l("Pin to the top of the home page"))
    publish_at = _when(_l("Publish at (UTC)"))
    expire_at = _when(_l("Expire at (UTC)"))
    title_en, summary_en, body_en = (StringField(_l("Title"), validators=[_max(TITLE_MAX)]),
                                     TextAreaField(_l("Summary"), validators=[_max(SUMMARY_MAX)]),
                                     TextAreaField(_l("Text (Markdown)"), validators=[_max(BODY_MAX)]))
    title_ru, summary_ru, body_ru = (StringField(_l("Title"), validators=[_max(TITLE_MAX)]),
                                     TextAreaField(_l("Summary"), validators=[_max(SUMMARY_MAX)]),
                                     TextAreaField(_l("Text (Markdown)"), validators=[_max(BODY_MAX)]))
    title_az, summary_az, body_az = (StringField(_l("Title"), validators=[_max(TITLE_MAX)]),
                                     TextAreaField(_l("Summary"), validators=[_max(SUMMARY_MAX)]),
                                     TextAreaField(_l("Text (Markdown)"), validators=[_max(BODY_MAX)]))
    save = SubmitField(_l("Save"))
    show_preview = SubmitField(_l("Preview"))

    def texts(self) -> dict[str, tuple[str, str, str]]:
        return {code: tuple((self[f"{part}_{code}"].data or "") for part in ("title", "summary", "body"))
                for code in LOCALES}

    def to_input(self) -> NoticeInput:
        return NoticeInput(kind=self.kind.data, slug=self.slug.data or "", pinned=self.pinned.data,
                           publish_at=self.publish_at.data, expire_at=self.expire_at.data,
                           texts=self.texts())

    def fill(self, notice) -> None:
        self.kind.data, self.slug.data, self.pinned.data = notice.kind, notice.slug, notice.pinned
        self.publish_at.data, self.expire_at.data = notice.publish_at, notice.expire_at
        for text in notice.translations:
            self[f"title_{text.locale}"].data = text.title
            self[f"summary_{text.locale}"].data = text.summary
            self[f"body_{text.locale}"].data = text.body


def _preview(form: NoticeForm) -> list[dict]:
    """The texts as the public will see them (rendered and sanitised), one per language."""
    return [{"locale": code, "language": INTERFACE_LANGUAGES[code], "title": title, "summary": summary,
             "body": render(body)}
            for code, (title, summary, body) in form.texts().items() if title.strip()]


def _notice_or_404(notice_id: int):
    notice = notice_service.get(notice_id)
    if notice is None:
        abort(404)
    return notice


def _edit_page(form, notice, preview: bool):
    return render_template("office/notices/edit.html", form=form, notice=notice, button=ButtonForm(),
                           preview=_preview(form) if preview else None, languages=INTERFACE_LANGUAGES,
                           locales=LOCALES, status=notice_service.status(notice) if notice else "draft",
                           status_labels=notice_service.STATUS_LABELS)


@bp.route("/notices/")
@staff_required
def notices():
    pagination = notice_service.office_page(request.args.get("page", 1, type=int))
    return render_template("office/notices/list.html", pagination=pagination, button=ButtonForm(),
                           status=notice_service.status, status_labels=notice_service.STATUS_LABELS,
                           kinds=notice_service.KIND_LABELS, title_of=notice_service.pick_translation)


@bp.route("/notices/new", methods=["GET", "POST"])
@staff_required
def notice_new():
    form = NoticeForm()
    if form.validate_on_submit() and not form.show_preview.data and (notice := commit_or_show(
            lambda: notice_service.create(current_user, form.to_input()), form,
            _("The notice has been saved as a draft. Publish it when it is ready."))):
        return redirect(url_for("office.notice_edit", notice_id=notice.id))
    return _edit_page(form, None, preview=form.show_preview.data)


@bp.route("/notices/<int:notice_id>/edit", methods=["GET", "POST"])
@staff_required
def notice_edit(notice_id: int):
    notice = _notice_or_404(notice_id)
    form = NoticeForm()
    if request.method == "GET":
        form.fill(notice)
    elif form.validate_on_submit() and not form.show_preview.data and commit_or_show(
            lambda: notice_service.update(current_user, notice, form.to_input()), form,
            _("The notice has been saved.")):
        return redirect(url_for("office.notice_edit", notice_id=notice.id))
    return _edit_page(form, notice, preview=True)


ACTIONS = {
    "publish": (notice_service.publish, _l("The notice is published.")),
    "unpublish": (notice_service.unpublish, _l("The notice is withdrawn from the public site.")),
    "pin": (notice_service.pin, _l("The notice is pinned to the top of the home page.")),
    "unpin": (notice_service.unpin, _l("The notice is no longer pinned.")),
}


@bp.route("/notices/<int:notice_id>/<any(publish, unpublish, pin, unpin):action>", methods=["POST"])
@staff_required
def notice_action(notice_id: int, action: str):
    notice = _notice_or_404(notice_id)
    if ButtonForm().validate_on_submit():
        change, message = ACTIONS[action]
        change(current_user, notice)
        db.session.commit()
        flash(str(message), "success")
    return redirect(_back(url_for("office.notices")))


def _back(default: str) -> str:
    return safe_next(request.form.get("next"), default)


@bp.route("/notices/<int:notice_id>/delete", methods=["GET", "POST"])
@staff_required
def notice_delete(notice_id: int):
    notice = _notice_or_404(notice_id)
    form = ButtonForm()
    if form.validate_on_submit():
        notice_service.delete(current_user, notice)
        db.session.commit()
        flash(_("The notice has been deleted."), "success")
        return redirect(url_for("office.notices"))
    text = notice_service.pick_translation(notice, "en")
    return render_template("office/notices/delete.html", notice=notice, form=form,
                           title=text.title if text else notice.slug)
