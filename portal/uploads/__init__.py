"""Every file a person sends goes through this package: the same content checks, the same
spooling (never the whole file in memory), the same storage, and the same rule that a stored file
follows its transaction. It is infrastructure: it knows nothing of applications, documents or
inquiries, and the services decide which kinds and sizes they accept.

    from portal import uploads

    with uploads.checked_upload(stream, filename, allowed=["pdf"], max_bytes=limit,
                                scanner=uploads.scanner_settings()) as checked:
        key = uploads.store(checked)

Modules: ``pipeline`` (the flow), ``kinds``, ``names``, ``pdf``, ``images``, ``scanning``,
``storage``, ``lifecycle`` (files follow their transaction), ``serving`` (a file's response and its
headers), ``errors``; and the checks of what a scan shows: ``quality`` (too small, dark, overexposed,
blurred, nearly empty) and ``mrz`` with ``mrz_*`` (a passport's machine-readable zone read offline
with Tesseract, its ICAO 9303 check digits, and ``mrz_compare`` against the typed answers).
"""

from portal.uploads.errors import UploadRefused
from portal.uploads.images import thumbnail
from portal.uploads.kinds import KINDS, Kind, accept_attribute, kind_by_mime, kind_labels
from portal.uploads.lifecycle import delete_after_commit, delete_unless_committed
from portal.uploads.names import display_name, sanitise_name
from portal.uploads.pipeline import (
    CheckedFile,
    checked_upload,
    megabytes,
    scanner_settings,
    store,
    too_large_message,
)
from portal.uploads.scanning import ScannerSettings
from portal.uploads.serving import VIEWER_CSP, file_response
from portal.uploads.storage import LocalStorage, get_storage

__all__ = [
    "KINDS",
    "VIEWER_CSP",
    "CheckedFile",
    "Kind",
    "LocalStorage",
    "ScannerSettings",
    "UploadRefused",
    "accept_attribute",
    "checked_upload",
    "file_response",
    "delete_after_commit",
    "delete_unless_committed",
    "display_name",
    "get_storage",
    "kind_by_mime",
    "kind_labels",
    "megabytes",
    "sanitise_name",
    "scanner_settings",
    "store",
    "thumbnail",
    "too_large_message",
]
