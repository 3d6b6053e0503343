"""factory_boy factories bound to the per-test session."""

import factory
from factory.alchemy import SQLAlchemyModelFactory

from portal.database import utcnow
from portal.extensions import db
from portal.models import User
from portal.services.accounts import hash_password

PASSWORD = "Quiet meadow lantern 1972"


class UserFactory(SQLAlchemyModelFactory):
    class Meta:
        model = User
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731  (replaced per test)
        sqlalchemy_session_persistence = "flush"

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    password_hash = factory.LazyFunction(lambda: hash_password(PASSWORD))
    role = "applicant"
    locale = "en"
    email_verified_at = factory.LazyFunction(utcnow)

    class Params:
        unverified = factory.Trait(email_verified_at=None)
        officer = factory.Trait(role="officer")
        admin = factory.Trait(role="admin")
