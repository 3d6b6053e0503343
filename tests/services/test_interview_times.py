"""Interview times across zones (services/interview_times.py): wall clock ↔ UTC, what people read,
and the calendar file."""

from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale
from icalendar import Calendar

from portal.services import interview_times as it

pytestmark = pytest.mark.usefixtures("ctx")

BAKU = ZoneInfo("Asia/Baku")
KOLKATA = ZoneInfo("Asia/Kolkata")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


# --- zones ---------------------------------------------------------------------------------

def test_the_institution_zone_is_baku_by_default_and_follows_the_setting(app, monkeypatch):
    monkeypatch.delitem(app.config, "INSTITUTION_TIMEZONE", raising=False)
    assert it.institution_zone() == BAKU
    monkeypatch.setitem(app.config, "INSTITUTION_TIMEZONE", "Europe/Berlin")
    assert it.institution_zone() == BERLIN


def test_a_misconfigured_institution_zone_fails_loudly(app, monkeypatch):
    monkeypatch.setitem(app.config, "INSTITUTION_TIMEZONE", "Mars/Olympus")
    with pytest.raises(RuntimeError, match="Mars/Olympus"):
        it.institution_zone()


@pytest.mark.parametrize(("name", "valid"), [
    ("Asia/Kolkata", True), ("Asia/Calcutta", True), ("UTC", True), ("Mars/Olympus", False),
    ("", False), (None, False), ("../etc/passwd", False), ("Factory", False), ("localtime", False),
])
def test_valid_zone(name, valid):
    assert it.valid_zone(name) is valid


def test_a_person_reads_times_in_their_zone_or_else_the_institutions():
    assert it.zone_for(SimpleNamespace(timezone="Asia/Kolkata")) == KOLKATA
    assert it.zone_for(SimpleNamespace(timezone=None)) == BAKU
    assert it.zone_for(SimpleNamespace(timezone="Not/AZone")) == BAKU
    assert it.zone_for(None) == BAKU  # anonymous


def test_zone_choices_are_real_places_labelled_with_their_offset():
    choices = it.zone_choices()
    names = [name for name, _label in choices]
    assert names == sorted(names)
    assert len(names) == len(set(names)) > 300
    assert ("Asia/Baku", "Asia/Baku (GMT+04:00)") in choices
    assert ("Asia/Kolkata", "Asia/Kolkata (GMT+05:30)") in choices
    assert "Europe/Amsterdam" in names and "America/Sao_Paulo" in names
    assert not [n for n in names if n.startswith("Etc/") or n.startswith("US/") or n.startswith("posix/")]
    assert not {"Asia/Calcutta", "Europe/Kiev", "GB", "CET", "EST5EDT", "Factory", "localtime"} & set(names)
    assert it.zone_choices() == choices  # cached, and a copy each time
    assert it.zone_choices() is not choices


def test_a_legacy_alias_leads_to_its_choice():
    assert it.choice_for("Asia/Calcutta") == "Asia/Kolkata"
    assert it.choice_for("Europe/Kiev") == "Europe/Kyiv"
    assert it.choice_for("Europe/Amsterdam") == "Europe/Amsterdam"
    assert it.choice_for("UTC") == "UTC"
    assert it.choice_for("Nowhere/Town") is None
    assert it.choice_for(None) is None


@pytest.mark.parametrize(("country", "zone"), [
    ("AZ", "Asia/Baku"), ("IN", "Asia/Kolkata"), ("RU", "Europe/Moscow"), ("US", "America/New_York"),
    ("KZ", "Asia/Almaty"), ("BR", "America/Sao_Paulo"), ("CN", "Asia/Shanghai"), ("ID", "Asia/Jakarta"),
    ("AU", "Australia/Sydney"), ("CA", "America/Toronto"), ("MX", "America/Mexico_City"),
    ("TR", "Europe/Istanbul"), ("GE", "Asia/Tbilisi"), ("NG", "Africa/Lagos"), ("ua", "Europe/Kyiv"),
    (" de ", "Europe/Berlin"), (None, None), ("", None), ("XX", None), ("AZE", None),
])
def test_propose_zone(country, zone):
    assert it.propose_zone(country) == zone


def test_every_proposed_zone_is_a_choice():
    names = {name for name, _label in it.zone_choices()}
    assert set(it.COUNTRY_ZONE_OVERRIDES.values()) <= names


# --- wall clock ↔ UTC -------------------------------------------------------------------------

def test_to_utc_in_fixed_offset_zones():
    assert it.to_utc(date(2027, 3, 2), time(10, 0), BAKU) == datetime(2027, 3, 2, 6, 0, tzinfo=UTC)
    assert it.to_utc(date(2027, 3, 2), time(10, 0), KOLKATA) == datetime(2027, 3, 2, 4, 30, tzinfo=UTC)
    assert it.to_utc(date(2027, 3, 2), time(3, 0), KOLKATA) == datetime(2027, 3, 1, 21, 30, tzinfo=UTC)
    assert it.to_utc(date(2027, 3, 2), time(10, 0), BAKU).tzinfo is UTC


def test_to_utc_follows_daylight_saving_time():
    assert it.to_utc(date(2027, 1, 15), time(10, 0), BERLIN) == datetime(2027, 1, 15, 9, 0, tzinfo=UTC)
    assert it.to_utc(date(2027, 7, 15), time(10, 0), BERLIN) == datetime(2027, 7, 15, 8, 0, tzinfo=UTC)


def test_a_time_the_clocks_skip_is_refused():
    # 2027-03-28: Berlin's clocks jump from 02:00 to 03:00.
    with pytest.raises(ValueError, match=r"02:30 on 2027-03-28 does not exist in Europe/Berlin") as caught:
        it.to_utc(date(2027, 3, 28), time(2, 30), BERLIN)
    assert isinstance(caught.value, it.NonexistentTime)
    assert it.to_utc(date(2027, 3, 28), time(3, 0), BERLIN) == datetime(2027, 3, 28, 1, 0, tzinfo=UTC)


def test_a_time_that_happens_twice_is_its_first_occurrence():
    # 2027-10-31: Berlin's clocks go back from 03:00 (CEST) to 02:00 (CET); 02:30 happens twice.
    assert it.to_utc(date(2027, 10, 31), time(2, 30), BERLIN) == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    assert it.to_utc(date(2027, 10, 31), time(2, 30, fold=1), BERLIN) == datetime(2027, 10, 31, 0, 30,
                                                                                   tzinfo=UTC)


def test_a_series_runs_while_a_whole_slot_fits():
    starts = it.series(date(2027, 3, 2), time(10, 0), time(16, 0), 30, BAKU)
    assert len(starts) == 12
    assert starts[0] == datetime(2027, 3, 2, 6, 0, tzinfo=UTC)
    assert starts[-1] == datetime(2027, 3, 2, 11, 30, tzinfo=UTC)  # 15:30 Baku
    assert all(b - a == timedelta(minutes=30) for a, b in zip(starts, starts[1:], strict=False))
    assert len(it.series(date(2027, 3, 2), time(10, 0), time(16, 10), 30, BAKU)) == 12
    assert len(it.series(date(2027, 3, 2), time(10, 0), time(10, 20), 30, BAKU)) == 0
    assert it.series(date(2027, 3, 2), time(16, 0), time(10, 0), 30, BAKU) == []
    with pytest.raises(ValueError):
        it.series(date(2027, 3, 2), time(10, 0), time(16, 0), 0, BAKU)


def test_a_series_in_the_gap_is_refused():
    with pytest.raises(ValueError):
        it.series(date(2027, 3, 28), time(2, 30), time(6, 0), 30, BERLIN)


def test_local_day_bounds():
    assert it.local_day_bounds(date(2027, 3, 2), BAKU) == (datetime(2027, 3, 1, 20, 0, tzinfo=UTC),
                                                           datetime(2027, 3, 2, 20, 0, tzinfo=UTC))
    start, end = it.local_day_bounds(date(2027, 3, 28), BERLIN)  # a 23-hour day
    assert (start, end - start) == (datetime(2027, 3, 27, 23, 0, tzinfo=UTC), timedelta(hours=23))
    start, end = it.local_day_bounds(date(2027, 10, 31), BERLIN)  # a 25-hour day
    assert (start, end - start) == (datetime(2027, 10, 30, 22, 0, tzinfo=UTC), timedelta(hours=25))


def test_a_day_that_starts_after_midnight():
    # Santiago skips 00:00–01:00 on the first Sunday of September: the day starts at 01:00 (-03).
    start, _end = it.local_day_bounds(date(2027, 9, 5), ZoneInfo("America/Santiago"))
    assert start == datetime(2027, 9, 5, 4, 0, tzinfo=UTC)


# --- formatting -------------------------------------------------------------------------------

TUESDAY_0500 = datetime(2027, 3, 2, 5, 0, tzinfo=UTC)  # 10:30 Kolkata, 09:00 Baku
TUESDAY_2200 = datetime(2027, 3, 2, 22, 0, tzinfo=UTC)  # Wednesday 03:30 Kolkata, 02:00 Baku


def test_when_names_the_zone_and_its_offset():
    assert it.when(TUESDAY_0500, KOLKATA) == "Tuesday, 2 March 2027, 10:30 (Asia/Kolkata, GMT+05:30)"
    assert it.when(TUESDAY_0500, BAKU) == "Tuesday, 2 March 2027, 09:00 (Asia/Baku, GMT+04:00)"
    assert it.when(TUESDAY_0500, ZoneInfo("America/Sao_Paulo")) == \
        "Tuesday, 2 March 2027, 02:00 (America/Sao_Paulo, GMT-03:00)"


def test_when_shows_the_offset_of_that_instant():
    assert it.when(datetime(2027, 1, 15, 15, 0, tzinfo=UTC), NEW_YORK).endswith("10:00 (America/New_York, GMT-05:00)")
    assert it.when(datetime(2027, 7, 15, 14, 0, tzinfo=UTC), NEW_YORK).endswith("10:00 (America/New_York, GMT-04:00)")


def test_when_crosses_midnight():
    assert it.when(TUESDAY_2200, KOLKATA) == "Wednesday, 3 March 2027, 03:30 (Asia/Kolkata, GMT+05:30)"


def test_when_refuses_a_naive_datetime():
    with pytest.raises(ValueError, match="naive"):
        it.when(datetime(2027, 3, 2, 5, 0), KOLKATA)


def test_when_in_another_language_keeps_the_numbers_and_names():
    for locale in ("ru", "az"):
        text = it.when(TUESDAY_2200, KOLKATA, locale=locale)
        assert "3" in text and "2027" in text and text.endswith("03:30 (Asia/Kolkata, GMT+05:30)")
        assert "Wednesday" not in text
        with force_locale(locale):
            assert it.when(TUESDAY_2200, KOLKATA) == text


def test_both_times_shows_the_applicants_then_the_institutions():
    assert it.both_times(TUESDAY_0500, KOLKATA) == (
        "Tuesday, 2 March 2027, 10:30 (Asia/Kolkata, GMT+05:30) — "
        "Tuesday, 2 March 2027, 09:00 in Baku time (Asia/Baku, GMT+04:00)")


def test_both_times_shows_each_date_when_they_differ():
    assert it.both_times(TUESDAY_2200, KOLKATA) == (
        "Wednesday, 3 March 2027, 03:30 (Asia/Kolkata, GMT+05:30) — "
        "Wednesday, 3 March 2027, 02:00 in Baku time (Asia/Baku, GMT+04:00)")
    assert it.both_times(datetime(2027, 3, 2, 20, 30, tzinfo=UTC), NEW_YORK) == (
        "Tuesday, 2 March 2027, 15:30 (America/New_York, GMT-05:00) — "
        "Wednesday, 3 March 2027, 00:30 in Baku time (Asia/Baku, GMT+04:00)")


def test_both_times_says_it_once_in_the_same_zone():
    assert it.both_times(TUESDAY_0500, BAKU) == "Tuesday, 2 March 2027, 09:00 (Asia/Baku, GMT+04:00)"


def test_both_times_in_another_language_keeps_the_numbers_and_names():
    for locale in ("ru", "az"):
        with force_locale(locale):
            text = it.both_times(TUESDAY_2200, KOLKATA)
        assert "03:30 (Asia/Kolkata, GMT+05:30)" in text
        assert "02:00" in text and "(Asia/Baku, GMT+04:00)" in text
        assert text.count("2027") == 2 and "Wednesday" not in text


# --- calendar file ----------------------------------------------------------------------------

def ics(**overrides) -> str:
    fields = {"uid": "interview-7@example.edu", "sequence": 0, "starts_at": TUESDAY_0500, "minutes": 30,
              "summary": "BMU interview T27-000007", "description": "Join: https://meet.example.com/abc, room 1",
              "url": "https://meet.example.com/abc", "organizer_email": "admission@example.edu"}
    return it.booking_ics(**(fields | overrides))


def event_of(text: str):
    calendar = Calendar.from_ical(text)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def test_the_invitation_carries_the_utc_instant():
    text = ics()
    assert isinstance(text, str)
    assert "DTSTART:20270302T050000Z" in text and "DTEND:20270302T053000Z" in text
    assert "VTIMEZONE" not in text
    calendar, event = event_of(text)
    assert str(calendar["method"]) == "REQUEST" and str(calendar["version"]) == "2.0" and calendar["prodid"]
    assert event.decoded("dtstart") == TUESDAY_0500
    assert event.decoded("dtend") == TUESDAY_0500 + timedelta(minutes=30)
    assert str(event["uid"]) == "interview-7@example.edu"
    assert event.decoded("sequence") == 0
    assert str(event["status"]) == "CONFIRMED"
    assert str(event["summary"]) == "BMU interview T27-000007"
    assert str(event["description"]) == "Join: https://meet.example.com/abc, room 1"
    assert str(event["url"]) == str(event["location"]) == "https://meet.example.com/abc"
    assert str(event["organizer"]) == "mailto:admission@example.edu"
    assert event.decoded("dtstamp").tzinfo is not None


def test_the_invitation_reminds_an_hour_before():
    _calendar, event = event_of(ics())
    (alarm,) = event.walk("VALARM")
    assert str(alarm["action"]) == "DISPLAY"
    assert alarm.decoded("trigger") == timedelta(hours=-1)


def test_an_aware_start_in_any_zone_becomes_the_same_utc_instant():
    text = ics(starts_at=TUESDAY_0500.astimezone(KOLKATA))
    assert "DTSTART:20270302T050000Z" in text


def test_a_moved_booking_keeps_the_uid_with_a_higher_sequence():
    _calendar, event = event_of(ics(sequence=2, starts_at=TUESDAY_2200))
    assert str(event["uid"]) == "interview-7@example.edu" and event.decoded("sequence") == 2
    assert event.decoded("dtstart") == TUESDAY_2200


def test_a_cancellation():
    calendar, event = event_of(ics(sequence=3, cancelled=True))
    assert str(calendar["method"]) == "CANCEL"
    assert str(event["status"]) == "CANCELLED"
    assert event.decoded("sequence") == 3
    assert event.walk("VALARM") == []


def test_the_attendee_when_given():
    _calendar, event = event_of(ics(attendee_email="ali@example.com"))
    assert str(event["attendee"]) == "mailto:ali@example.com"
    assert "attendee" not in event_of(ics())[1]


def test_the_invitation_refuses_a_naive_start():
    with pytest.raises(ValueError):
        ics(starts_at=datetime(2027, 3, 2, 5, 0))
