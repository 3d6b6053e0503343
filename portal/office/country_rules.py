"""Office: visa and certificate rules per citizenship (admins only), at /office/settings/countries.
The list, a form that adds or replaces one citizenship's rule, and deletion after a confirmation
(the citizenship then gets the strict default). services/country_rules.py owns the rules."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.forms import ButtonForm, commit_or_show
from portal.i18n import country_name
from portal.models import CountryRule
from portal.office.blueprint import bp
from portal.office.country_rule_forms import CountryRuleForm
from portal.security import admin_required
from portal.services import country_rules as rules


def _rule_or_404(country: str) -> CountryRule:
    rule = rules.find(country) if country == country.upper() else None
    if rule is None:
        abort(404)
    return rule


def _page(**context):
    return render_template("office/country_rules.html", rules=rules.all_rules(), labels=rules.LEGALISATION_LABELS,
                           **context)


@bp.route("/settings/countries", methods=["GET", "POST"], defaults={"country": None})
@bp.route("/settings/countries/<country>", methods=["GET", "POST"])
@admin_required
def country_rules(country: str | None):
    rule = _rule_or_404(country) if country is not None else None
    form = CountryRuleForm(obj=rule)
    if form.validate_on_submit() and commit_or_show(lambda: rules.save_rule(
            current_user, form.country.data, form.visa_invitation.data, form.legalisation.data, form.note.data),
            form, _("The rule for %(country)s has been saved.", country=country_name(form.country.data))):
        return redirect(url_for("office.country_rules"))
    return _page(form=form, rule=rule)


@bp.route("/settings/countries/<country>/delete", methods=["GET", "POST"])
@admin_required
def country_rule_delete(country: str):
    rule = _rule_or_404(country)
    form = ButtonForm()
    if form.validate_on_submit():
        name = country_name(rule.country)
        commit_or_show(lambda: rules.delete_rule(current_user, rule.country),
                       done=_("The rule for %(country)s has been deleted: the default applies now.", country=name))
        return redirect(url_for("office.country_rules"))
    return _page(form=form, deleting=rule)
