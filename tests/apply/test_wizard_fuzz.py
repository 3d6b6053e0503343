"""No input makes the wizard fail: any text in any field gives a page with messages or a save."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.wizard.answers import STEP_FORMS
from tests.apply.test_wizard import VALID
from tests.builders.factories import PASSWORD, ApplicationFactory, UserFactory

pytestmark = pytest.mark.usefixtures("ctx")
HOSTILE = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["", " ", "0", "-1", "1e999", "NaN", "Infinity", "2024-02-30", "9999-12-31", "0000-01-01",
                     "' OR 1=1--", "<script>alert(1)</script>", "\x00", "+", "+0", "٣٤٥", "１２３", "🙂" * 50]),
)


@pytest.fixture
def logged_in(forms):
    user = UserFactory()
    ApplicationFactory(applicant=user, complete=True)
    forms.login(user.email, PASSWORD)
    return forms


@pytest.mark.parametrize("step", ["personal", "passport", "contact", "education"])
def test_any_answer_is_handled(logged_in, step):
    field_names = [name for name in VALID[step]]
    token = logged_in.token(f"/apply/step/{step}")

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(field=st.sampled_from(field_names), value=HOSTILE, draft=st.booleans())
    def post(field, value, draft):
        data = {**VALID[step], field: value, "csrf_token": token, ("save_draft" if draft else "save"): "1"}
        response = logged_in.client.post(f"/apply/step/{step}", data=data)
        assert response.status_code in (200, 302), (field, value, response.status_code)

    post()


def test_every_step_form_is_covered():
    assert set(STEP_FORMS) - {"programme"} == set(VALID)
