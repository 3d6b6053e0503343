"""Staff accounts, managed by admins at /office/users.

Why it is shaped this way:
- an admin never chooses or sees a staff member's password: the account is created with an
  unusable password hash and the person gets an invitation link (its own token salt) to choose
  one; the link carries a fingerprint of that hash, so it works once, and sending a new
  invitation replaces the hash, which voids every older link;
- deactivating an account also rotates its session token, so its open sessions die at once
  (the cookie holds the token, security.py's loader refuses inactive users as well), and voids
  any invitation still open (reactivated, the person needs a new one);
- the portal never loses its last active admin, and an admin can neither deactivate nor demote
  themselves; the active admins are read ``FOR UPDATE`` on PostgreSQL, so two admins demoting
  each other at the same moment cannot both succeed;
- every change is written to the audit log with the facts, never a password, hash or token.
"""

from __future__ import annotations

import secrets

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.database import utcnow
from portal.extensions import db
from portal.models import STAFF_ROLES, Role, User
from portal.services import accounts, audit, notifications, tokens
from portal.services.accounts import AccountError, BadLink

# A password hash no password can match (argon2 refuses to parse it: password_matches -> False).
UNUSABLE_PREFIX = "!invited:"
SEARCH_LIMIT = 50
STAFF_ROLE_CHOICES = (Role.OFFICER.value, Role.ADMIN.value)
ROLE_LABELS = {Role.APPLICANT.value: _l("Applicant"), Role.OFFICER.value: _l("Admissions officer"),
               Role.ADMIN.value: _l("Admin")}


class StaffError(AccountError):
    """A refusal the admin can act on; ``field`` names the form field it belongs to."""


class LastAdmin(StaffError):
    pass


def unusable_password_hash() -> str:
    return UNUSABLE_PREFIX + secrets.token_urlsafe(32)


def invitation_pending(user: User) -> bool:
    """Invited, and the person has not chosen a password yet."""
    return user.password_hash.startswith(UNUSABLE_PREFIX)


# --- reading -------------------------------------------------------------------------------

def active_staff() -> list[User]:
    """Who can be assigned an application."""
    return list(db.session.scalars(select(User).where(User.role.in_(STAFF_ROLES), User.active.is_(True))
                                   .order_by(User.email)))


def list_staff() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role.in_(STAFF_ROLES))
                                   .order_by(User.role, User.email)))


def search(term: str) -> list[User]:
    """Any account (applicants too) whose e-mail address contains ``term``."""
    term = (term or "").strip().lower()
    if not term:
        return []
    return list(db.session.scalars(select(User).where(User.email.contains(term, autoescape=True))
                                   .order_by(User.email).limit(SEARCH_LIMIT)))


def get(user_id: int) -> User | None:
    return db.session.get(User, user_id)


# --- invitations ---------------------------------------------------------------------------

def _check_staff_role(role: str) -> None:
    if role not in STAFF_ROLE_CHOICES:
        raise StaffError(_l("Choose officer or admin."), field="role")


def invite(actor: User, email: str, role: str, locale: str) -> User:
    """Create a staff account without a usable password and e-mail it an invitation."""
    _check_staff_role(role)
    email = accounts.normalise_email(email)
    if accounts.find_by_email(email) is not None:
        raise StaffError(_l("An account with this e-mail address already exists."), field="email")
    if locale not in current_app.config["LANGUAGES"]:
        raise StaffError(_l("Choose a language from the list."), field="locale")
    user = User(email=email, password_hash=unusable_password_hash(), role=role, locale=locale,
                email_verified_at=None)
    db.session.add(user)
    db.session.flush()
    _send_invitation(user, actor)
    audit.record(actor, "user.invite", "user", user.id, {"email": email, "role": role, "locale": locale})
    return user


def resend_invitation(actor: User, user: User) -> None:
    """A new link; every older link stops working (the hash it was bound to is replaced)."""
    if not invitation_pending(user):
        raise StaffError(_l("This person has already chosen a password. If they forgot it, they can "
                            "reset it from the login page."))
    if not user.active:
        raise StaffError(_l("This account is deactivated. Reactivate it before you send an invitation."))
    user.password_hash = unusable_password_hash()
    _send_invitation(user, actor)
    audit.record(actor, "user.invite_resend", "user", user.id, {"email": user.email})


def _send_invitation(user: User, actor: User) -> None:
    token = tokens.make_token("invite", {"uid": user.id, "fp": accounts._fingerprint(user.password_hash)})
    notifications.queue_for_user(user, "staff_invitation",
                                 link=notifications.external_url("auth.invite_link", token=token),
                                 days=max(1, current_app.config["INVITE_MAX_AGE"] // 86400),
                                 inviter=actor.email, role=user.role)


def user_for_invitation(token: str) -> User:
    """The invited account, or BadLink: tampered, expired, used, replaced or deactivated."""
    try:
        data = tokens.read_token("invite", token, current_app.config["INVITE_MAX_AGE"])
    except tokens.TokenExpired as exc:
        raise BadLink(_l("This invitation has expired. Ask an administrator to send you a new one.")) from exc
    except tokens.TokenInvalid as exc:
        raise BadLink(_l("This invitation link is not valid. Check that you copied the whole link, "
                         "or ask an administrator to send you a new one.")) from exc
    user = db.session.get(User, data.get("uid"))
    if user is None or not user.active:
        raise BadLink(_l("This invitation link is not valid. Check that you copied the whole link, "
                         "or ask an administrator to send you a new one."))
    if data.get("fp") != accounts._fingerprint(user.password_hash) or not invitation_pending(user):
        raise BadLink(_l("This invitation has already been used or replaced by a newer one. "
                         "Log in, or ask an administrator to send you a new one."))
    return user


def accept_invitation(token: str, password: str) -> User:
    user = user_for_invitation(token)
    accounts.check_password_policy(password, user.email)
    now = utcnow()
    user.password_hash = accounts.hash_password(password)
    user.password_changed_at = now
    user.email_verified_at = user.email_verified_at or now  # the link proved the address works
    user.failed_login_count = 0
    user.locked_until = None
    accounts.rotate_session(user)
    audit.record(user, "user.invite_accept", "user", user.id)
    return user


# --- deactivation and roles ----------------------------------------------------------------

def _active_admin_ids() -> list[int]:
    query = select(User.id).where(User.role == Role.ADMIN.value, User.active.is_(True))
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update()  # serialise concurrent demotions (see the module docstring)
    return list(db.session.scalars(query))


def _keep_an_admin(user: User) -> None:
    """Refuse when ``user`` is the last active admin."""
    if user.role == Role.ADMIN.value and user.active and not [i for i in _active_admin_ids() if i != user.id]:
        raise LastAdmin(_l("The portal must keep at least one active admin. Make another account an "
                           "admin first."))


def deactivate(actor: User, user: User) -> None:
    if user.id == actor.id:
        raise StaffError(_l("You cannot deactivate your own account. Ask another admin to do it."))
    if not user.active:
        return
    _keep_an_admin(user)
    user.active = False
    accounts.rotate_session(user)  # every open session of this user ends now
    if invitation_pending(user):
        user.password_hash = unusable_password_hash()  # and no invitation sent so far works again
    audit.record(actor, "user.deactivate", "user", user.id, {"email": user.email, "role": user.role})


def reactivate(actor: User, user: User) -> None:
    if user.active:
        return
    user.active = True
    user.failed_login_count = 0
    user.locked_until = None
    audit.record(actor, "user.reactivate", "user", user.id, {"email": user.email, "role": user.role})


def change_role(actor: User, user: User, role: str) -> None:
    """Between officer and admin only: applicant accounts are not turned into staff here."""
    _check_staff_role(role)
    if not user.is_staff:
        raise StaffError(_l("Only staff accounts can change role here. Invite the person as a new "
                            "staff member instead."), field="role")
    if role == user.role:
        return
    if user.id == actor.id:
        raise StaffError(_l("You cannot remove your own admin role. Ask another admin to do it."),
                         field="role")
    if role != Role.ADMIN.value:
        _keep_an_admin(user)
    audit.record(actor, "user.role", "user", user.id, {"email": user.email, "from": user.role, "to": role})
    user.role = role
