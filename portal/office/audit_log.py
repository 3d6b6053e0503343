"""Office: the audit log (/office/audit, admins only), filterable and paged newest first;
services/audit_search.py builds the one query per page. (Named ``audit_log`` so it never
shadows ``portal.services.audit``, which other office modules import as ``audit``.)"""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _

from portal.office.blueprint import bp
from portal.office.forms import AuditFilterForm
from portal.security import admin_required
from portal.services import audit_search


def _filters(form: AuditFilterForm) -> audit_search.AuditFilters:
    """The valid filters; a field with an error (a bad date, too long) is ignored and marked."""
    form.validate()
    if form.date_from.data and form.date_to.data and form.date_to.data < form.date_from.data:
        form.date_to.errors = [*form.date_to.errors, _("The end date must not be before the start date.")]

    def value(f):
        return None if f.errors else f.data

    return audit_search.AuditFilters(
        actor=(value(form.actor) or "").strip(), action=(value(form.action) or "").strip(),
        target_type=(value(form.target_type) or "").strip(), target_id=(value(form.target_id) or "").strip(),
        date_from=value(form.date_from), date_to=value(form.date_to))


@bp.route("/audit")
@admin_required
def audit():
    form = AuditFilterForm(request.args)
    filters = _filters(form)
    page = audit_search.page(filters, before=request.args.get("before", type=int),
                             after=request.args.get("after", type=int))
    return render_template("office/audit.html", form=form, page=page, args=filters.as_args(),
                           paged=bool(request.args.get("before") or request.args.get("after")))
