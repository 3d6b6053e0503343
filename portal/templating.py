"""What every template may use, registered in one step of ``create_app``: the page's language
and the language table, country names, the status text of an application, the wizard's
progress, the office's latest change request, and times in a given zone (``zone_time``: Flask-Babel's
own filters always convert to UTC). Blueprints register no app-wide helpers."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask import Flask
from flask_babel import get_locale

from portal.i18n import INTERFACE_LANGUAGES, country_name
from portal.models.status import status_text
from portal.services.timeline import change_request
from portal.wizard.answers import progress


def zone_time(value: datetime, zone: ZoneInfo, pattern: str = "HH:mm") -> str:
    """``value`` on the wall clock of ``zone``, in the page's language."""
    return format_datetime(value, pattern, tzinfo=zone, locale=str(get_locale() or "en"))


def init_app(app: Flask) -> None:
    app.add_template_filter(zone_time, "zone_time")
    app.add_template_global(status_text, "status_text")
    app.add_template_global(country_name, "country_name")
    app.add_template_global(progress, "wizard_progress")
    app.add_template_global(change_request, "change_request")

    @app.context_processor
    def language_context():
        return {"current_locale": str(get_locale()), "language_names": INTERFACE_LANGUAGES,
                "languages": app.config["LANGUAGES"]}
