"""Accounts at /auth/... and /account: register, verify, log in and out, reset and change the
password, accept a staff invitation, choose a time zone."""

from portal.auth import preferences, routes  # noqa: F401  (each registers its routes on bp)
from portal.auth.blueprint import bp

__all__ = ["bp"]
