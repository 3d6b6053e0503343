"""All models, imported here so Alembic and the app see the whole metadata."""

from portal.models.outbox import OutboundEmail
from portal.models.user import STAFF_ROLES, Role, User

__all__ = ["OutboundEmail", "Role", "STAFF_ROLES", "User"]
