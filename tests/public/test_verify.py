"""Public verification of letters (/verify, /verify/<code>): valid, superseded, revoked, unknown;
only the listed facts; never indexed; rate-limited; in three languages."""

import re

import pytest

from portal.extensions import db, limiter
from portal.letters import normalise_code
from portal.services import letters
from tests.builders.factories import UserFactory
from tests.helpers import text_of
from tests.services.test_interviews import make_application
from tests.test_pages import make_app


@pytest.fixture
def letter(ctx):
    application = make_application(status="accepted", fee=None, surname="MƏMMƏDOVA", given_names="GÜLŞƏN",
                                   passport_number="C01234567")
    issued = letters.issue_on_acceptance(application, UserFactory(officer=True))[0]
    db.session.commit()
    return issued


def test_valid_letter_shows_only_the_listed_facts(client, letter):
    response = client.get(f"/verify/{letter.code}")
    assert response.status_code == 200
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow" and response.headers["Cache-Control"] == "no-store"
    text = text_of(response)
    assert "Valid." in text and "GÜLŞƏN MƏMMƏDOVA" in text and "******567" in text
    application = letter.application
    for private in ("C01234567", application.reference, application.applicant.email, application.place_of_birth,
                    str(application.date_of_birth.year), "Iran"):
        assert private not in text


def test_revoked_and_superseded_say_so(client, letter):
    officer = UserFactory(officer=True)
    newer = letters.reissue(letter, officer)
    db.session.commit()
    assert "Superseded." in text_of(client.get(f"/verify/{letter.code}"))
    letters.revoke(newer, officer, "Issued by mistake.")
    db.session.commit()
    revoked = text_of(client.get(f"/verify/{newer.code}"))
    assert "Revoked." in revoked and "Issued by mistake." not in revoked  # the reason stays private


def test_typed_code_is_forgiving_and_unknown_code_is_plain(client, letter):
    typed = letter.code.lower().replace("-", " ")
    response = client.get("/verify", query_string={"code": typed})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/verify/{letter.code}")
    assert normalise_code(typed) == letter.code
    unknown = client.get("/verify", query_string={"code": "ABCD-EFGH-JKMN-PQRS-TVWX"})
    assert unknown.status_code == 404 and "No letter has the code" in text_of(unknown)
    hostile = client.get("/verify/" + "<script>x</script>")
    assert hostile.status_code == 404 and "<script>x" not in hostile.get_data(as_text=True)
    assert client.get("/verify").status_code == 200


@pytest.mark.parametrize("language, word", [("ru", "Действительно"), ("az", "Etibarlıdır")])
def test_in_russian_and_azerbaijani(client, letter, language, word):
    assert word in text_of(client.get(f"/verify/{letter.code}", headers={"Accept-Language": language}))


def test_rate_limited(database_url, tmp_path, ctx):
    app = make_app(database_url, tmp_path, RATELIMIT_ENABLED=True, VERIFY_RATE_LIMIT="3 per minute")
    try:
        client = app.test_client()
        codes = [client.get("/verify", query_string={"code": f"AAAA-BBBB-CCCC-DDDD-EEE{n}"}).status_code
                 for n in range(4)]
        assert codes == [404, 404, 404, 429]
    finally:
        limiter.enabled = False


def test_the_letter_qr_code_is_the_verification_url(client, letter):
    assert re.fullmatch(r"http://localhost/verify/[0-9A-Z-]+", letters.verify_url(letter.code))
