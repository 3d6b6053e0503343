"""Interview times across zones: an applicant abroad must never miss an interview through a slip.

Every instant is stored in UTC (aware datetimes, ``UTCDateTime``) and only turned into a wall
clock at the edges: staff publish and read slots in the institution's zone
(``INSTITUTION_TIMEZONE``), applicants read them in the zone they chose (``User.timezone``).

The rules that keep a time from slipping:

* a wall-clock time that never happens (the hour the clocks skip in spring) is refused, not
  guessed; one that happens twice (the hour repeated in autumn) means its first occurrence;
* a naive datetime is refused: treating it as UTC or as local time would silently move it;
* every time shown names its zone and its offset *at that instant* (so it stays right across a
  DST change), and mails show the applicant's time next to the institution's;
* the calendar file carries UTC instants, which every calendar program imports correctly, and one
  UID per booking whose SEQUENCE grows, so a moved interview replaces the event instead of adding
  a second one.
"""

from __future__ import annotations

import functools
import importlib.resources
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, get_timezone_location
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from icalendar import Alarm, Calendar, Event, vCalAddress, vText

DEFAULT_INSTITUTION_TIMEZONE = "Asia/Baku"
DATE_TIME_PATTERN = "EEEE, d MMMM y, HH:mm"
PRODID = "-//Admissions Portal//Interviews//EN"
REMINDER = timedelta(hours=1)

# zone.tab lists a country's zones in no useful order (RU starts with Kaliningrad, CA with
# St John's); for a country with several zones propose the capital's or the most populous.
COUNTRY_ZONE_OVERRIDES = {
    "AU": "Australia/Sydney",
    "BR": "America/Sao_Paulo",
    "CA": "America/Toronto",
    "CD": "Africa/Kinshasa",
    "CN": "Asia/Shanghai",
    "ID": "Asia/Jakarta",
    "IN": "Asia/Kolkata",
    "KZ": "Asia/Almaty",
    "MX": "America/Mexico_City",
    "RU": "Europe/Moscow",
    "UA": "Europe/Kyiv",
    "US": "America/New_York",
    "UZ": "Asia/Tashkent",
    "FM": "Pacific/Pohnpei",
}

# Files in the tzdata wheel that are not zones (zoneinfo.available_timezones() skips most, not all).
_NOT_ZONES = frozenset({"Factory", "localtime", "posixrules"})


class NonexistentTime(ValueError):
    """A wall-clock time the clocks skip on that day (the spring DST gap)."""

    def __init__(self, day: date, at: time, zone: ZoneInfo):
        self.day, self.at, self.zone = day, at, zone
        super().__init__(_("%(time)s on %(date)s does not exist in %(zone)s: the clocks move forward then. "
                           "Choose another time.", time=at.strftime("%H:%M"), date=day.isoformat(),
                           zone=zone.key))


# --- zones ---------------------------------------------------------------------------------

@functools.cache
def _known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones()) - _NOT_ZONES


def valid_zone(name: str | None) -> bool:
    """An IANA zone name this process can load (aliases such as Asia/Calcutta included)."""
    return bool(name) and name in _known_zones()


def institution_zone() -> ZoneInfo:
    name = current_app.config.get("INSTITUTION_TIMEZONE", DEFAULT_INSTITUTION_TIMEZONE)
    if not valid_zone(name):
        raise RuntimeError(f"INSTITUTION_TIMEZONE {name!r} is not an IANA time zone")
    return ZoneInfo(name)


def zone_for(user) -> ZoneInfo:
    """The zone a person reads times in: their own choice if valid, otherwise the institution's."""
    name = getattr(user, "timezone", None)
    return ZoneInfo(name) if valid_zone(name) else institution_zone()


def _tzdata_table(name: str) -> list[list[str]]:
    text = (importlib.resources.files("tzdata") / "zoneinfo" / name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@functools.cache
def _canonical_zones() -> frozenset[str]:
    """The zones tzdata offers for people to choose from: every row of zone.tab and zone1970.tab
    (this drops the legacy aliases: US/Eastern, Asia/Calcutta, GB, Etc/GMT+4, ...)."""
    names = {row[2] for table in ("zone.tab", "zone1970.tab") for row in _tzdata_table(table)}
    return frozenset(names & _known_zones())


def offset_text(dt: datetime, zone: ZoneInfo) -> str:
    """The zone's offset at that instant, e.g. ``GMT+05:30``, ``GMT-03:00``, ``GMT+00:00``."""
    offset = _aware(dt).astimezone(zone).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"GMT{sign}{hours:02d}:{minutes:02d}"


@functools.lru_cache(maxsize=2)
def _choices_on(day: date) -> tuple[tuple[str, str], ...]:
    noon = datetime.combine(day, time(12), tzinfo=UTC)
    names = sorted(_canonical_zones() | ({"UTC"} & _known_zones()))
    return tuple((name, f"{name} ({offset_text(noon, ZoneInfo(name))})") for name in names)


def zone_choices() -> list[tuple[str, str]]:
    """(zone, label) for a form, e.g. ("Asia/Kolkata", "Asia/Kolkata (GMT+05:30)"), sorted.

    Built once per process and day (the labels show today's offset, which DST changes)."""
    return list(_choices_on(datetime.now(UTC).date()))


@functools.cache
def _aliases() -> dict[str, str]:
    """Backward links from tzdata.zi (``L Asia/Kolkata Asia/Calcutta``): alias → target."""
    text = (importlib.resources.files("tzdata") / "zoneinfo" / "tzdata.zi").read_text(encoding="utf-8")
    return {parts[2]: parts[1] for line in text.splitlines()
            if line.startswith("L ") and len(parts := line.split()) == 3}


def choice_for(name: str | None) -> str | None:
    """The entry of ``zone_choices()`` for a zone name, following a legacy alias (browsers still
    report Asia/Calcutta or Europe/Kiev); None when it is not a zone."""
    if not valid_zone(name):
        return None
    choices = _canonical_zones() | {"UTC"}
    for _hop in range(3):
        if name in choices:
            return name
        name = _aliases().get(name)
        if name is None:
            return None
    return None


@functools.cache
def _country_zones() -> dict[str, str]:
    first: dict[str, str] = {}
    for row in _tzdata_table("zone.tab"):
        first.setdefault(row[0], row[2])
    return first | COUNTRY_ZONE_OVERRIDES


def propose_zone(citizenship: str | None) -> str | None:
    """A likely zone for an ISO 3166 alpha-2 country (None when unknown); the browser's zone,
    when the page knows it, is the better guess."""
    code = (citizenship or "").strip().upper()
    zone = _country_zones().get(code)
    return zone if valid_zone(zone) else None


# --- wall clock ↔ UTC -------------------------------------------------------------------------

def _aware(dt: datetime) -> datetime:
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("naive datetime: interview times must be aware (UTC)")
    return dt


def to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The instant of a wall-clock time in ``zone``, in UTC.

    Raises ``NonexistentTime`` (a ValueError) for a time the clocks skip; a time that happens twice
    (clocks turned back) is its first occurrence."""
    local = datetime.combine(day, at.replace(tzinfo=None, fold=0), tzinfo=zone)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise NonexistentTime(day, at, zone)
    return instant


def series(day: date, start: time, end: time, every_minutes: int, zone: ZoneInfo) -> list[datetime]:
    """UTC starts every ``every_minutes`` from ``start`` while a whole slot of that length still
    ends by ``end`` (10:00 to 16:00 every 30 → 10:00 … 15:30, 12 starts). The steps are real
    minutes, so a DST change during the series does not stretch or squeeze a slot."""
    if every_minutes <= 0:
        raise ValueError("every_minutes must be positive")
    first, last = to_utc(day, start, zone), to_utc(day, end, zone)
    step = timedelta(minutes=every_minutes)
    starts = []
    while first + step <= last:
        starts.append(first)
        first += step
    return starts


def local_day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the local day ``day`` in ``zone`` (23 or 25 hours on DST days).

    Midnight is taken as it comes: where the clocks skip midnight the day starts at the change."""
    def midnight(d: date) -> datetime:
        return datetime.combine(d, time(0), tzinfo=zone).astimezone(UTC)

    return midnight(day), midnight(day + timedelta(days=1))


# --- formatting -------------------------------------------------------------------------------

def _locale_name(locale: str | None) -> str:
    return locale or str(get_locale() or "en")


def when(dt: datetime, zone: ZoneInfo, *, locale: str | None = None) -> str:
    """E.g. "Tuesday, 2 March 2027, 10:30 (Asia/Kolkata, GMT+05:30)", in the current locale."""
    text = format_datetime(_aware(dt), DATE_TIME_PATTERN, tzinfo=zone, locale=_locale_name(locale))
    return f"{text} ({zone.key}, {offset_text(dt, zone)})"


def city_of(zone: ZoneInfo, *, locale: str | None = None) -> str:
    """The zone's city in the current language (CLDR): Asia/Baku → "Baku", "Баку", "Bakı"."""
    try:
        return get_timezone_location(zone, locale=_locale_name(locale), return_city=True)
    except (LookupError, ValueError):
        return zone.key.rpartition("/")[2].replace("_", " ")


def both_times(dt: datetime, user_zone: ZoneInfo) -> str:
    """The time in the applicant's zone, then the institution's; once when the zones agree.

    To write in another person's language (mails), wrap the call in ``flask_babel.force_locale``."""
    office = institution_zone()
    if user_zone.key == office.key:
        return when(dt, user_zone)
    local = format_datetime(_aware(dt), DATE_TIME_PATTERN, tzinfo=office, locale=_locale_name(None))
    return _("%(applicant_time)s — %(office_time)s in %(city)s time (%(zone)s, %(offset)s)",
             applicant_time=when(dt, user_zone), office_time=local, city=city_of(office),
             zone=office.key, offset=offset_text(dt, office))


# --- calendar file ----------------------------------------------------------------------------

def booking_ics(*, uid: str, sequence: int, starts_at: datetime, minutes: int, summary: str,
                description: str, url: str, organizer_email: str, cancelled: bool = False,
                attendee_email: str | None = None) -> str:
    """An iCalendar invitation (METHOD:REQUEST) or cancellation (METHOD:CANCEL) for one interview.

    DTSTART/DTEND are UTC, so no VTIMEZONE is needed and no program can misread the zone. Send the
    same ``uid`` with a higher ``sequence`` when the booking moves or is cancelled, so calendars
    update the event they already have."""
    if sequence < 0 or minutes <= 0:
        raise ValueError("sequence must be >= 0 and minutes > 0")
    start = _aware(starts_at).astimezone(UTC)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")

    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", datetime.now(UTC).replace(microsecond=0))
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=minutes))
    event.add("summary", summary)
    event.add("description", description)
    event.add("url", url)
    event.add("location", url)
    organizer = vCalAddress(f"mailto:{organizer_email}")
    event.add("organizer", organizer)
    if attendee_email:
        attendee = vCalAddress(f"mailto:{attendee_email}")
        attendee.params.update({"ROLE": vText("REQ-PARTICIPANT"),
                                "PARTSTAT": vText("DECLINED" if cancelled else "ACCEPTED"),
                                "RSVP": vText("FALSE")})
        event.add("attendee", attendee)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    if not cancelled:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary)
        alarm.add("trigger", -REMINDER)
        event.add_component(alarm)
    calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")
