"""The audit log: one call per staff action or staff view. Never pass secrets in ``details``."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request

from portal.extensions import db
from portal.models import AuditLog, User


def record(actor: User | None, action: str, target_type: str, target_id: Any,
           details: dict[str, Any] | None = None) -> AuditLog:
    entry = AuditLog(actor_id=actor.id if actor is not None else None, action=action,
                     target_type=target_type, target_id=str(target_id), details=details or {},
                     ip=request.remote_addr if has_request_context() else None)
    db.session.add(entry)
    return entry
