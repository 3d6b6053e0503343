"""What the upload checks found about a document, and what the applicant and the officer are told.

Two checks, stored with the document (``Document.checks``, JSON):
- ``quality``: the scan's quality (portal/uploads/quality.py: too small, too dark, overexposed,
  blurred, nearly empty), measured at upload — it takes milliseconds — so the applicant sees it on
  the next page and can keep the file anyway (``quality_kept``) or replace it;
- ``mrz``: the passport's machine-readable zone (portal/uploads/mrz.py: Tesseract, offline, about
  a second), read by the worker after the commit (``documents.read_passport``). What the applicant
  typed is compared with it when a page is shown (``passport_check``), so correcting a typo in the
  wizard clears the warning at once. OCR never blocks a submission: "could not read" is a normal
  outcome, and a name difference is "please check", not an error (no check digit protects names).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.extensions import db
from portal.models import Application, Document
from portal.uploads import get_storage, mrz, quality
from portal.uploads.mrz_compare import CHECK, MISMATCH, FieldCheck, TypedPassport, compare
from portal.uploads.mrz_page import PageUnreadable
from portal.uploads.mrz_reading import MrzReading
from portal.worker import queue, tasks

READ_PASSPORT = "documents.read_passport"
SCANNED_KINDS = ("image/jpeg", "image/png", "application/pdf")
FIELD_NAMES = {
    "passport_number": _l("passport number"), "surname": _l("surname"), "given_names": _l("given names"),
    "nationality": _l("nationality"), "date_of_birth": _l("date of birth"), "sex": _l("sex"),
    "expires_on": _l("expiry date"),
}
QUALITY_TEXT = {
    quality.TOO_SMALL: _l("The image is %(value)d pixels on its short side; at least %(threshold)d are needed "
                          "for every line to be legible."),
    quality.TOO_DARK: _l("The scan is very dark, so parts of it may not be legible."),
    quality.OVEREXPOSED: _l("The scan is very bright, so parts of it may be washed out."),
    quality.BLURRED: _l("The scan looks blurred: the text may not be legible."),
    quality.NEARLY_EMPTY: _l("The page looks almost empty. Did you scan the right side?"),
}


def _min_short_side(document_type_code: str) -> int:
    cfg = current_app.config
    return cfg["PHOTO_MIN_SHORT_SIDE"] if document_type_code == cfg["PHOTO_DOCUMENT_CODE"] else \
        cfg["SCAN_MIN_SHORT_SIDE"]


def measure_quality(path: Path, content_type: str, document_type_code: str) -> list[dict]:
    """The quality flags of a checked upload (as stored); [] when fine or not a scan."""
    if content_type not in SCANNED_KINDS:
        return []
    try:
        flags = quality.assess(path.read_bytes(), content_type, min_short_side=_min_short_side(document_type_code))
    except PageUnreadable:
        return []
    return quality.flags_to_json(flags)


def is_passport(document: Document) -> bool:
    return (document.document_type.code == current_app.config["PASSPORT_DOCUMENT_CODE"]
            and document.content_type in SCANNED_KINDS)


def request_passport_read(document: Document) -> None:
    """After the commit that stored a passport scan: the worker reads its MRZ."""
    if is_passport(document):
        queue.enqueue(READ_PASSPORT, document.id)


@tasks.on_demand(READ_PASSPORT)
def read_passport(document_id: int) -> None:
    document = db.session.get(Document, document_id)
    if document is None or document.superseded:
        return
    with get_storage().open(document.storage_key) as fh:
        data = fh.read()
    reading = mrz.read_mrz(data, document.content_type, time_limit=current_app.config["MRZ_TIME_LIMIT_SECONDS"])
    document.checks = {**(document.checks or {}), "mrz": reading.to_dict()}


def keep_anyway(document: Document) -> None:
    """The applicant keeps a file whose quality was flagged; the officer still sees the flags."""
    document.checks = {**(document.checks or {}), "quality_kept": True}


# --- what people are told ------------------------------------------------------------------

def quality_messages(document: Document) -> list[str]:
    return [str(QUALITY_TEXT[flag.code]) % {"value": flag.value, "threshold": flag.threshold}
            for flag in quality.flags_from_json((document.checks or {}).get("quality", []))]


def quality_pending(document: Document) -> bool:
    """Flags the applicant has not yet answered (kept anyway, or replaced the file)."""
    checks = document.checks or {}
    return bool(checks.get("quality")) and not checks.get("quality_kept")


@dataclass(frozen=True)
class PassportCheck:
    state: str  # "pending" (the worker has not read it yet), "unreadable", "read"
    fields: list[FieldCheck]

    @property
    def differences(self) -> list[FieldCheck]:
        return [check for check in self.fields if check.outcome in (MISMATCH, CHECK)]


def passport_check(application: Application) -> PassportCheck | None:
    """The current passport scan's reading compared with the answers now (None: no scan)."""
    document = next((d for d in application.documents if not d.superseded and is_passport(d)), None)
    if document is None:
        return None
    stored = (document.checks or {}).get("mrz")
    if stored is None:
        return PassportCheck("pending", [])
    reading = MrzReading.from_dict(stored)
    if not reading.is_read:
        return PassportCheck("unreadable", [])
    return PassportCheck("read", compare(reading, _typed(application)))


def _typed(application: Application) -> TypedPassport:
    return TypedPassport(passport_number=application.passport_number, surname=application.surname,
                         given_names=application.given_names, nationality=application.citizenship,
                         date_of_birth=application.date_of_birth, sex=application.sex,
                         expires_on=application.passport_expires_on)


def shown(field: str, value: str) -> str:
    """A compared value as a person reads it: dates in words, in the page's language."""
    if field in ("date_of_birth", "expires_on") and value:
        try:
            return format_date(date.fromisoformat(value), "long")
        except ValueError:
            return value
    return value


def applicant_warnings(check: PassportCheck | None) -> list[str]:
    """Gentle, specific sentences: "Your passport scan says the expiry date is 9 January 2034; you typed
    19 January 2034"."""
    if check is None or check.state == "pending":
        return []
    if check.state == "unreadable":
        return [_("We could not read the passport scan automatically. That is a normal outcome: the "
                  "admissions office will check it by eye.")]
    messages = []
    for item in check.differences:
        values = {"field": FIELD_NAMES[item.field], "scan": shown(item.field, item.scan) or "—",
                  "typed": shown(item.field, item.typed) or "—"}
        if item.outcome == MISMATCH:
            messages.append(_("Your passport scan says the %(field)s is %(scan)s; you typed %(typed)s.", **values))
        else:
            messages.append(_("Please check your %(field)s: the passport scan reads %(scan)s; you typed "
                              "%(typed)s.", **values))
    return messages
