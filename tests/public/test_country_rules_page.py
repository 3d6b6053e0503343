"""For foreign students: the visa and certificate rules by citizenship, read from the office's data."""

import re

from tests.builders.factories import PASSWORD, UserFactory
from tests.helpers import Forms, text_of


def rows_of(html: str) -> dict[str, tuple[str, str]]:
    section = html.split('id="country-rules-heading"', 1)[1].split("</section>", 1)[0]
    cells = re.findall(r'<tr><th scope="row">([^<]+)</th><td>([^<]+)</td><td>([^<]+)</td></tr>', section)
    return {name: (visa, legalisation) for name, visa, legalisation in cells}


def test_foreign_students_shows_the_rules_table_and_the_default(app, ctx):
    visitor = app.test_client()
    html = visitor.get("/foreign-students").get_data(as_text=True)
    page = text_of(visitor.get("/foreign-students"))
    assert "Visa and certificate rules by citizenship" in page
    rows = rows_of(html)
    assert rows["Russia"] == ("no", "No legalisation") and rows["Georgia"] == ("no", "Apostille")
    assert rows["Iran"] == ("yes", "Consular legalisation") and rows["India"] == ("yes", "Apostille")
    assert "France" not in rows
    names = list(rows)
    assert names.index("Georgia") < names.index("Iran") < names.index("Russia")  # by name, not by code
    assert ("Citizens of every other country need the university's invitation letter for a study visa, "
            "and their school certificate must carry an apostille.") in page
    assert "Россия" in text_of(visitor.get("/foreign-students", headers={"Accept-Language": "ru"}))

    office = Forms(app.test_client())
    office.login(UserFactory(admin=True).email, PASSWORD)
    office.post("/office/settings/countries", {"country": "FR", "legalisation": "none", "note": "internal"})
    rows = rows_of(visitor.get("/foreign-students").get_data(as_text=True))
    assert rows["France"] == ("no", "No legalisation")
    assert "internal" not in text_of(visitor.get("/foreign-students"))  # the office's note stays inside
