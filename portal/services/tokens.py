"""Signed, expiring tokens for links in e-mails. One salt per purpose, so a token made for
one purpose is worthless for another."""

from __future__ import annotations

from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALTS = {
    "verify-email": "portal.verify-email.v1",
    "reset-password": "portal.reset-password.v1",
    "invite": "portal.staff-invite.v1",
    "unsubscribe": "portal.unsubscribe-reminders.v1",
    "known-device": "portal.known-device.v1",  # a browser that has logged in to an account before
}


class TokenInvalid(Exception):
    """Tampered, truncated or made for another purpose."""


class TokenExpired(TokenInvalid):
    """Genuine but older than its lifetime."""


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALTS[purpose])


def make_token(purpose: str, data: dict[str, Any]) -> str:
    return _serializer(purpose).dumps(data)


def read_token(purpose: str, token: str, max_age: int) -> dict[str, Any]:
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise TokenExpired() from exc
    except BadSignature as exc:
        raise TokenInvalid() from exc
    if not isinstance(data, dict):
        raise TokenInvalid()
    return data
