"""Forms of the application list (/office/): the filters (a GET form, no CSRF: it changes
nothing), the bulk actions and the saved views (POST, with CSRF).

The filter form only *renders* the list's state: services/office_list.py parses and whitelists
request.args, and the form is filled from that result, so a bad value in the URL never shows up
as an error or a pre-selected option.
"""

from __future__ import annotations

import functools

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import BooleanField, HiddenField, SearchField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import Select, html_params

from portal.i18n import country_choices
from portal.models import INSTRUCTION_LANGUAGES
from portal.models.status import STATUS_TEXT
from portal.services.office_list import LISTED_STATUSES, SEARCH_MAX, Choices, ListFilters


@functools.lru_cache(maxsize=16)
def _country_options(locale: str, any_label: str) -> str:
    options = [f'<option value="">{escape(any_label)}</option>']
    options += [f'<option value="{escape(code)}">{escape(name)}</option>' for code, name in country_choices()]
    return "".join(options)


class PlainSelect(Select):
    """A select rendered with one f-string per option: the list page renders a few dozen options
    on every request, and WTForms' general widget spends more time on them than the queries do."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        return self.render(field, self.options(field), **kwargs)

    @staticmethod
    def options(field) -> str:
        current = "" if field.data is None else str(field.data)
        return "".join(f'<option value="{escape(value)}"{" selected" if str(value) == current else ""}>'
                       f"{escape(label)}</option>" for value, label in field.choices)

    @staticmethod
    def render(field, options: str, **kwargs) -> Markup:
        return Markup(f"<select {html_params(name=field.name, **kwargs)}>{options}</select>")  # noqa: S704 (escaped)


class CountrySelect(PlainSelect):
    """Every country is an option: escaping 250 of them on each request cost more than all the
    list's queries, so the options are rendered once per language and kept."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        options = _country_options(str(get_locale()), str(_l("Any country")))
        if field.data:
            chosen = f'<option value="{escape(field.data)}">'
            options = options.replace(chosen, chosen.replace("<option ", "<option selected "), 1)
        return self.render(field, options, **kwargs)


class ListFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = SearchField(_l("Search"), validators=[Length(max=SEARCH_MAX)],
                    description=_l("A reference or passport number, the start of a surname or given name, "
                                   "or the applicant's whole e-mail address."),
                    render_kw={"spellcheck": "false", "autocomplete": "off"})
    status = SelectField(_l("Status"), validate_choice=False, widget=PlainSelect())
    intake = SelectField(_l("Intake"), validate_choice=False, widget=PlainSelect())
    programme = SelectField(_l("Programme"), validate_choice=False, widget=PlainSelect())
    language = SelectField(_l("Language of instruction"), validate_choice=False, widget=PlainSelect())
    citizenship = SelectField(_l("Citizenship"), validate_choice=False, widget=CountrySelect())
    officer = SelectField(_l("Assigned officer"), validate_choice=False, widget=PlainSelect())
    submitted_from = StringField(_l("Submitted on or after"), render_kw={"type": "date"})
    submitted_to = StringField(_l("Submitted on or before"), render_kw={"type": "date"})
    flagged = BooleanField(_l("Only possible duplicates"))
    mail_failed = BooleanField(_l("Only those whose last e-mail failed"),
                               description=_l("The applicant's most recent e-mail could not be delivered."))
    sort = SelectField(_l("Sort by"), validate_choice=False, widget=PlainSelect(),
                       choices=[("submitted", _l("Date submitted")), ("reference", _l("Reference")),
                                ("surname", _l("Surname"))])
    direction = SelectField(_l("Order"), validate_choice=False, widget=PlainSelect(),
                            choices=[("desc", _l("Descending")), ("asc", _l("Ascending"))])

    @classmethod
    def for_state(cls, filters: ListFilters, choices: Choices, locale: str, me: int) -> ListFilterForm:
        data = filters.query_args()
        data.setdefault("sort", filters.sort)
        data.setdefault("direction", filters.direction)
        data["flagged"] = filters.flagged
        data["mail_failed"] = filters.mail_failed
        form = cls(formdata=None, data=data)
        form.status.choices = [("", _l("Any status"))] + [(s, STATUS_TEXT[s]) for s in LISTED_STATUSES]
        form.intake.choices = [("", _l("Any intake"))] + [(str(i), label) for i, label in choices.intake_names.items()]
        form.programme.choices = [("", _l("Any programme"))] + [
            (str(i), names.get(locale) or names["en"]) for i, names in choices.programmes]
        form.language.choices = [("", _l("Any language"))] + list(INSTRUCTION_LANGUAGES.items())
        form.officer.choices = [("", _l("Anyone or nobody")), ("me", _l("Me")), ("none", _l("Nobody (unassigned)"))]
        form.officer.choices += [(str(i), email) for i, email in choices.officers if i != me]
        return form


class BulkActionForm(FlaskForm):
    assignee = SelectField(_l("Assign to"), validate_choice=False, widget=PlainSelect())
    assign = SubmitField(_l("Assign selected"))
    start_review = SubmitField(_l("Start review of selected"))
    next = HiddenField()

    def set_officers(self, choices: Choices) -> None:
        self.assignee.choices = [(str(i), email) for i, email in choices.officers]
        self.assignee.choices.append(("none", _l("Nobody (unassign)")))


class SavedViewForm(FlaskForm):
    name = StringField(_l("Name of this view"), validators=[
        DataRequired(_l("Enter a name for the view.")),
        Length(max=80, message=_l("Use at most %(max)d characters."))])
    query = HiddenField()
    save = SubmitField(_l("Save this view"))
