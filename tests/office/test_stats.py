"""/office/stats: applications per status, programme, citizenship and day, as SVG charts with a
table of the same numbers each; staff only."""

import re
from datetime import date, timedelta

import pytest

from portal.database import utcnow
from portal.services import stats
from tests.builders.factories import PASSWORD, ApplicationFactory, ProgrammeFactory, UserFactory
from tests.helpers import text_of
from tests.office.test_list import intake, officer, programme, submitted  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("ctx")
COUNTRIES = ["NG", "IN", "PK", "IR", "TR", "EG", "IQ", "RU", "UZ", "TM", "GE", "KE"]  # 12: two beyond the top 10


def tables(html: str) -> dict[str, dict[str, str]]:
    """Each table: caption -> {row heading: number}."""
    found = {}
    for caption, body in re.findall(r"<caption>(.*?)</caption>(.*?)</table>", html, re.S):
        rows = re.findall(r'<th scope="row">(?:<time[^>]*>)?(.*?)(?:</time>)?</th><td class="num">(\d+)</td>', body)
        found[caption.strip()] = dict(rows)
    return found


def test_stats_page_draws_charts_with_tables(client, officer, intake, programme):  # noqa: F811
    dentistry = ProgrammeFactory(code="dentistry", name_en="Dentistry")
    for n, country in enumerate(COUNTRIES):
        for _ in range(len(COUNTRIES) - n):  # NG most often, KE least
            submitted(intake, programme if n % 3 else dentistry, citizenship=country, days_ago=n % 5)
    submitted(intake, programme, status="accepted", citizenship="NG", days_ago=70)  # outside the 60 days
    ApplicationFactory(complete=True, intake=intake, programme=programme, citizenship="FR")  # a draft: not counted
    response = client.get("/office/stats")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    total = sum(range(1, len(COUNTRIES) + 1)) + 1
    assert f"{total} applications have been submitted" in text_of(response)
    svgs = re.findall(r"<svg[^>]*>.*?</svg>", html, re.S)
    assert len(svgs) == 4
    for svg in svgs:
        assert 'role="img"' in svg and re.search(r"<title id=\"[^\"]+\">[^<]+</title>", svg)
        labelled = re.search(r'aria-labelledby="([^"]+)"', svg).group(1).split()
        assert all(f'id="{i}"' in svg for i in labelled)
    found = tables(html)
    assert found["Applications per status"]["Submitted: waiting for the admissions office"] == str(total - 1)
    assert found["Applications per status"]["Accepted"] == "1"
    assert found["Applications per status"]["Withdrawn"] == "0"
    per_programme = found["Applications per programme"]
    assert int(per_programme["General Medicine"]) + int(per_programme["Dentistry"]) == total
    countries = found["Top 10 countries of citizenship"]
    assert list(countries)[:3] == ["Nigeria", "India", "Pakistan"] and countries["Nigeria"] == str(len(COUNTRIES) + 1)
    assert countries["All other countries"] == str(2 + 1) and "Kenya" not in countries and "France" not in countries
    per_day = found["Submissions per day, last 60 days"]
    assert len(per_day) == 60 and sum(int(n) for n in per_day.values()) == total - 1


def test_stats_with_nothing_submitted(client, officer):  # noqa: F811
    response = client.get("/office/stats")
    assert response.status_code == 200
    assert "0 applications have been submitted" in text_of(response)
    assert 'role="img"' in response.get_data(as_text=True)


def test_per_day_fills_every_day(officer, intake, programme):  # noqa: F811
    submitted(intake, programme, days_ago=0)
    submitted(intake, programme, days_ago=0)
    submitted(intake, programme, days_ago=3)
    days = stats.per_day()
    today = utcnow().date()
    assert len(days) == 60 and days[-1] == (today, 2) and days[0][0] == today - timedelta(days=59)
    assert dict(days)[today - timedelta(days=3)] == 1 and sum(n for _d, n in days) == 3


def test_bar_chart_geometry():
    chart = stats.bar_chart([("Short", 10), ("A label long enough to be wrapped onto a second line " * 2, 5),
                             ("None", 0)])
    first, second, third = chart.bars
    assert first.percent > second.percent > third.percent == 0 and first.percent <= 100
    assert len(second.lines) >= 2 and all(len(line) <= 44 for line in second.lines)
    assert first.bar_y < second.y < second.bar_y < third.y and chart.height > third.bar_y
    assert chart.total == 15
    assert stats.bar_chart([]).bars == []


def test_column_chart_geometry(app):
    items = [(date(2027, 1, 1) + timedelta(days=i), i % 4) for i in range(60)]
    chart = stats.column_chart(items)
    assert chart.top == 3 and len(chart.columns) == 60 and chart.total == sum(i % 4 for i in range(60))
    tallest = max(chart.columns, key=lambda c: c.height)
    assert tallest.height == chart.plot_height and all(0 <= c.x < 100 for c in chart.columns)
    labelled = [c for c in chart.columns if c.label]
    assert labelled[-1].day == items[-1][0] and labelled[-1].anchor == "end" and labelled[-1].label == "1 Mar"
    assert [c.day for c in labelled][-2] == items[-15][0] and labelled[0].anchor == "start"
    assert stats.column_chart([(date(2027, 1, 1), 0)]).columns[0].height == 0


def test_applicants_and_anonymous_users_cannot_see_stats(client, forms):
    assert client.get("/office/stats").headers["Location"].startswith("/auth/login")
    forms.login(UserFactory().email, PASSWORD)
    assert client.get("/office/stats").status_code == 403
