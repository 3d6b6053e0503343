"""The office's home page: the application list at /office/.

The list's rules (filters, search, keyset pages, counts) live in services/office_list.py; its
bulk actions, saved views and exports in office/list_actions.py.
"""

from flask import render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user

from portal.office.blueprint import bp
from portal.office.list_display import display_rows
from portal.office.list_forms import BulkActionForm, ListFilterForm, SavedViewForm
from portal.security import staff_required
from portal.services import office_list


@bp.route("/")
@staff_required
def dashboard():
    locale = str(get_locale())
    choices = office_list.load_choices(current_user.id)
    filters = office_list.parse_filters(request.args, choices)
    page = office_list.list_page(filters, current_user.id)
    counts = office_list.status_counts(filters, current_user.id)
    here = url_for("office.dashboard", **filters.query_args(cursors=True))  # canonical: bad values dropped
    bulk_form = BulkActionForm(formdata=None, next=here)
    bulk_form.set_officers(choices)
    return render_template(
        "office/dashboard.html", filters=filters, choices=choices, page=page, counts=counts,
        total=counts[filters.status] if filters.status else sum(counts.values()),
        form=ListFilterForm.for_state(filters, choices, locale, current_user.id), bulk_form=bulk_form,
        view_form=SavedViewForm(formdata=None, query=office_list.view_query(filters)),
        rows=display_rows(page.rows, choices, locale),
        here=here)

