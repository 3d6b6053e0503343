"""The documents checklist tells the applicant how their school certificate must be legalised,
from the rule for their citizenship (the strict default when there is none)."""

import pytest

from portal.extensions import db
from tests.builders.factories import PASSWORD, ApplicationFactory
from tests.helpers import text_of

PAGE = "/apply/documents"
SENTENCES = {
    "none": "Your school certificate needs no apostille or legalisation.",
    "apostille": "Your school certificate must carry an apostille.",
    "consular": "Your school certificate must be legalised by the consulate of Azerbaijan in your country.",
}


@pytest.mark.parametrize("citizenship, expected", [
    ("IR", "consular"),   # seeded: consular legalisation
    ("RU", "none"),       # seeded: no legalisation
    ("FR", "apostille"),  # no rule: the strict default
    (None, None),         # not known yet: nothing to say
])
def test_the_checklist_shows_the_legalisation_note_once(client, forms, ctx, citizenship, expected):
    application = ApplicationFactory(complete=True, citizenship=citizenship)
    db.session.commit()
    forms.login(application.applicant.email, PASSWORD)
    response = client.get(PAGE)
    assert response.status_code == 200
    page = text_of(response)
    for value, sentence in SENTENCES.items():
        assert page.count(sentence) == (1 if value == expected else 0)
    if expected:
        html = response.get_data(as_text=True)
        assert f'<p class="alert alert-info" role="note">{SENTENCES[expected]}</p>' in html
        assert html.index(SENTENCES[expected]) < html.index('<ol class="doc-list"')
