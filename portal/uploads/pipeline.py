"""One pipeline for every file a person sends: an application document, the PDF of a letter to the
Rector, an interview-fee receipt. The caller only says which kinds it accepts and how big a file
may be:

    with uploads.checked_upload(stream, filename, allowed=["pdf"], max_bytes=limit,
                                scanner=uploads.scanner_settings()) as checked:
        key = uploads.store(checked)

Why it is shaped this way:
- the upload is copied to a private temporary folder in chunks, counting bytes, so a file over the
  limit is refused without ever being held in memory, and the folder is always removed;
- the kind is decided from the first bytes (``filetype``), never from the name or the browser's
  Content-Type; the name's extension must then agree (``names``);
- the optional virus scanner (clamd socket or clamscan/clamdscan) fails closed;
- PDFs are kept as sent once ``pdf.check_pdf`` passed them; images are re-encoded (``images``),
  so what is stored is the clean copy, and its size and SHA-256 are those of the stored bytes;
- ``store`` saves into the configured storage and ties the file to the current transaction
  (``lifecycle``): no caller can forget that a rollback must take the file with it.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import filetype
from flask import current_app
from flask_babel import lazy_gettext as _l

from portal.uploads import scanning
from portal.uploads.errors import UploadRefused
from portal.uploads.images import reencode_image
from portal.uploads.kinds import Kind, kind_by_mime, kind_labels
from portal.uploads.lifecycle import delete_unless_committed
from portal.uploads.names import agreeing_name
from portal.uploads.pdf import check_pdf
from portal.uploads.scanning import ScannerSettings
from portal.uploads.storage import get_storage

CHUNK = 64 * 1024
SNIFF_BYTES = 8192

SCANNER_DOWN = _l("We could not check the file for viruses just now, so it was not saved. Please try "
                  "again in a few minutes.")
INFECTED = _l("The virus scanner found a threat in this file, so it was not saved. Please check your "
              "device and upload a clean copy of the document.")


@dataclass
class CheckedFile:
    """A file that passed every check: ``path`` holds the bytes to store."""

    path: Path
    kind: Kind
    size: int
    sha256: str
    display_name: str

    def open(self) -> BinaryIO:
        return self.path.open("rb")


@contextmanager
def checked_upload(stream: BinaryIO, filename: str | None, *, allowed: list[str], max_bytes: int,
                   scanner: ScannerSettings | None = None) -> Iterator[CheckedFile]:
    """Check an upload; yields the file to store. Temporary files never outlive the block.
    ``scanner=None`` means no virus scan: pass ``scanner_settings()`` in a request."""
    workdir = Path(tempfile.mkdtemp(prefix="portal-upload-"))
    try:
        original = workdir / "original"
        _spool(stream, original, max_bytes)
        kind = _sniff(original)
        if kind.code not in allowed:
            raise UploadRefused(_l("%(kind)s files are not accepted for this document. "
                                   "Accepted: %(allowed)s.", kind=kind.label, allowed=kind_labels(allowed)),
                                wrong_kind=True)
        name = agreeing_name(filename, kind)
        _scan(original, scanner or ScannerSettings())
        if kind.code == "pdf":
            check_pdf(original)
            stored = original
        else:
            stored = workdir / f"clean.{kind.extension}"
            reencode_image(original, kind, stored)
        size, digest = _digest(stored)
        yield CheckedFile(path=stored, kind=kind, size=size, sha256=digest, display_name=name)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def store(checked: CheckedFile) -> str:
    """Save a checked file (inside the ``checked_upload`` block) and return its key; the file is
    deleted again unless the current transaction commits."""
    storage = get_storage()
    with checked.open() as fh:
        key = storage.save(fh)
    try:
        delete_unless_committed(storage, key)
    except BaseException:
        storage.delete(key)
        raise
    return key


def scanner_settings() -> ScannerSettings:
    """The virus scanner configured for this application (``CLAMD_SOCKET``, ``CLAMSCAN_PATH``)."""
    cfg = current_app.config
    return ScannerSettings(clamd_socket=cfg.get("CLAMD_SOCKET") or "",
                           clamscan_path=cfg.get("CLAMSCAN_PATH") or "")


# --- size and kind -------------------------------------------------------------------------

def too_large_message(max_bytes: int):
    return _l("The file is larger than %(size)s MB. Please upload a smaller file: for a scan, a lower "
              "resolution (200-300 dpi) or black-and-white is usually enough.",
              size=megabytes(max_bytes))


def megabytes(n: int) -> str:
    """Bytes as megabytes for people: ``10`` or ``2.5``."""
    mb = n / (1024 * 1024)
    return f"{mb:.0f}" if mb == int(mb) else f"{mb:.1f}"


def _spool(stream: BinaryIO, path: Path, max_bytes: int) -> int:
    total = 0
    with path.open("wb") as out:
        while chunk := stream.read(CHUNK):
            total += len(chunk)
            if total > max_bytes:
                raise UploadRefused(too_large_message(max_bytes))
            out.write(chunk)
    if total == 0:
        raise UploadRefused(_l("The file is empty. Please choose the file again."))
    return total


def _sniff(path: Path) -> Kind:
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    guess = filetype.guess(head)
    if guess is None:
        raise UploadRefused(_l("This file is not a PDF, JPEG or PNG file. Please upload a scan or a photo "
                               "of the document in one of these formats."), wrong_kind=True)
    kind = kind_by_mime(guess.mime)
    if kind is None:
        raise UploadRefused(_l("This is a %(kind)s file, which is not accepted. Please upload a PDF, "
                               "JPEG or PNG file.", kind=guess.extension.upper()), wrong_kind=True)
    return kind


def _scan(path: Path, scanner: ScannerSettings) -> None:
    try:
        scanning.scan(path, scanner)
    except scanning.ScannerDown as exc:
        raise UploadRefused(SCANNER_DOWN) from exc
    except scanning.Infected as exc:
        raise UploadRefused(INFECTED) from exc


def _digest(path: Path) -> tuple[int, str]:
    sha = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            sha.update(chunk)
            size += len(chunk)
    return size, sha.hexdigest()
