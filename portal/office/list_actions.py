"""Office: what the application list does besides showing itself — bulk actions on selected
rows, saved views (each officer's own), and CSV / XLSX exports of the filtered list.

Every status change or assignment goes through services/transitions.py (via
services/office_bulk.py); exports through services/export.py, which audits them.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from flask import Response, abort, flash, redirect, request, send_file, stream_with_context, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from portal.database import utcnow
from portal.extensions import db
from portal.forms import ButtonForm, first_error
from portal.models import User
from portal.office.blueprint import bp
from portal.office.list_forms import BulkActionForm, SavedViewForm
from portal.security import safe_next, staff_required
from portal.services import export, office_bulk, office_list

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SKIPPED_SHOWN = 10


def _list_url(query: str = "") -> str:
    return url_for("office.dashboard") + (f"?{query}" if query else "")


def _back(form_next: str | None) -> str:
    target = safe_next(form_next, _list_url())
    return target if target.startswith(_list_url()) else _list_url()


@bp.route("/bulk", methods=["POST"])
@staff_required
def bulk():
    choices = office_list.load_choices(current_user.id)
    form = BulkActionForm()
    form.set_officers(choices)
    back = _back(form.next.data)
    if not form.validate_on_submit():
        flash(_("The form has expired. Please try again."), "error")
        return redirect(back)
    ids = [int(v) for v in request.form.getlist("ids") if v.isascii() and v.isdigit() and len(v) < 10]
    action = "assign" if form.assign.data else "start_review" if form.start_review.data else None
    if not ids or action is None:
        flash(_("Select at least one application, then choose an action."), "error")
        return redirect(back)
    assignee = None
    if action == "assign" and form.assignee.data != "none":
        officer_id = int(form.assignee.data) if (form.assignee.data or "").isdigit() else None
        if officer_id not in choices.officer_emails:
            flash(_("Choose an officer from the list."), "error")
            return redirect(back)
        assignee = db.session.get(User, officer_id)
    result = office_bulk.bulk_apply(current_user, ids, action, assignee)
    db.session.commit()
    _report(result)
    return redirect(back)


def _report(result: office_bulk.BulkResult) -> None:
    changed, skipped = len(result.changed), len(result.skipped)
    if changed:
        flash(ngettext("%(num)d application was changed.", "%(num)d applications were changed.", changed),
              "success")
    if skipped:
        listed = "; ".join(f"{reference} ({why})" for reference, why in result.skipped[:SKIPPED_SHOWN])
        if skipped > SKIPPED_SHOWN:
            listed += "; …"
        flash(ngettext("%(num)d application was skipped: %(list)s", "%(num)d applications were skipped: %(list)s",
                       skipped, list=listed), "warning")
    if not changed and not skipped:
        flash(_("None of the selected applications could be found."), "warning")


# --- saved views ---------------------------------------------------------------------------

@bp.route("/views", methods=["POST"])
@staff_required
def save_view():
    form = SavedViewForm()
    choices = office_list.load_choices(current_user.id)
    query = (form.query.data or "")[:2000]
    if form.validate_on_submit():
        view = office_list.save_view(current_user, form.name.data, query, choices)
        db.session.commit()
        flash(_("The view “%(name)s” has been saved.", name=view.name), "success")
        return redirect(_list_url(view.query))
    flash(first_error(form, _("The form has expired. Please try again.")), "error")
    return redirect(_list_url(office_list.view_query(office_list.parse_filters(dict(parse_qsl(query)), choices))))


@bp.route("/views/<int:view_id>")
@staff_required
def saved_view(view_id: int):
    view = office_list.my_view(current_user, view_id)
    if view is None:
        abort(404)
    return redirect(_list_url(view.query))


@bp.route("/views/<int:view_id>/delete", methods=["POST"])
@staff_required
def delete_view(view_id: int):
    view = office_list.my_view(current_user, view_id)
    if view is None:
        abort(404)
    if ButtonForm().validate_on_submit():
        name = view.name
        office_list.delete_view(view)
        db.session.commit()
        flash(_("The view “%(name)s” has been deleted.", name=name), "success")
    return redirect(_back(request.form.get("next")))


# --- exports -------------------------------------------------------------------------------

@bp.route("/export.<any(csv, xlsx):kind>")
@staff_required
def export_list(kind: str):
    """The filtered list (every page of it), as CSV streamed row by row or as an XLSX file."""
    choices = office_list.load_choices(current_user.id)
    filters = office_list.parse_filters(request.args, choices).without_cursor()
    export.record_export(current_user, filters, kind, export.count_rows(filters, current_user.id))
    db.session.commit()
    cells = export.rows(filters, current_user.id, choices, str(get_locale()))
    name = f"applications-{utcnow():%Y%m%d-%H%M}.{kind}"
    if kind == "csv":
        response = Response(stream_with_context(export.csv_chunks(cells)), mimetype="text/csv")
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    else:
        response = send_file(export.xlsx_file(cells), mimetype=XLSX_MIMETYPE, as_attachment=True,
                             download_name=name, conditional=False, etag=False)
    response.headers["Cache-Control"] = "private, no-store"
    return response
