"""Office: statistics (/office/stats) — applications per status, programme, citizenship and
day, drawn as server-rendered SVG bar charts, each with a table of the same numbers."""

from flask import render_template
from flask_babel import get_locale

from portal.office.blueprint import bp
from portal.security import staff_required
from portal.services import stats as service


@bp.route("/stats")
@staff_required
def stats():
    locale = str(get_locale())
    statuses = service.per_status()
    programmes = service.per_programme(locale)
    countries, other_countries = service.top_citizenships()
    days = service.per_day()
    return render_template(
        "office/stats.html", statuses=statuses, programmes=programmes, countries=countries,
        other_countries=other_countries, days=days, total=sum(n for *_rest, n in statuses),
        status_chart=service.bar_chart([(name, n) for _code, name, n in statuses]),
        programme_chart=service.bar_chart(programmes),
        country_chart=service.bar_chart([(name, n) for _code, name, n in countries]),
        day_chart=service.column_chart(days))
