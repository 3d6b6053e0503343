"""The interview fee on "For foreign students" is the one the open intake charges (admin settings),
and the configured text only when no intake sets one."""

from decimal import Decimal

from portal.extensions import db
from tests.builders.factories import IntakeFactory
from tests.helpers import text_of


def test_the_open_intakes_fee_wins(client, ctx, app):
    intake = IntakeFactory(interview_fee_amount=None)
    db.session.commit()
    assert app.config["INTERVIEW_FEE"] in text_of(client.get("/foreign-students"))
    intake.interview_fee_amount, intake.interview_fee_currency = Decimal("150"), "USD"
    db.session.commit()
    page = text_of(client.get("/foreign-students"))
    assert "$150.00" in page and app.config["INTERVIEW_FEE"] not in page
