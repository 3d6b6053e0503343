"""Accounts at /auth/... and /account: register, verify, log in and out, reset and change the
password, accept a staff invitation."""

from portal.auth import routes  # noqa: F401  (registers its routes on bp)
from portal.auth.blueprint import bp

__all__ = ["bp"]
