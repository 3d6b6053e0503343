"""The upload pipeline's checks: what a file really is, whether it is safe to keep, and the
bytes we actually store. Used by services/documents.py; knows nothing about the database.

Why it is shaped this way:
- the upload is copied to a private temporary folder in chunks, counting bytes, so a file over
  the limit is refused without ever being held in memory, and the folder is always removed;
- the kind is decided from the first bytes (``filetype``), never from the name or the browser's
  Content-Type; the name's extension must then agree, so a person sees at once when they picked
  the wrong file;
- PDFs are parsed with pypdf and refused when encrypted or carrying active content (JavaScript,
  launch actions, embedded files, automatic actions): officers open these files all day;
- images are decoded by Pillow (only the decoder for the detected kind) after the pixel count
  from the header is checked, then re-encoded: EXIF/GPS metadata and anything appended to the
  file are gone, and the orientation the camera recorded is applied first;
- an optional virus scanner (clamd socket or clamscan/clamdscan) fails closed.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import shutil
import tempfile
import unicodedata
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import filetype
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from portal.services import scanning
from portal.services.scanning import ScannerSettings

log = logging.getLogger(__name__)

CHUNK = 64 * 1024
SNIFF_BYTES = 8192
MAX_IMAGE_PIXELS = 40_000_000  # a 600 dpi A4 scan is 35 Mpx; phone photos are 12-24 Mpx
JPEG_QUALITY = 90
MAX_NAME_LENGTH = 120

# Pillow's own bomb guard uses the same limit (a warning above it, an error above twice it).
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS


@dataclass(frozen=True)
class Kind:
    code: str  # as in DocumentType.allowed_kinds
    mime: str
    extension: str  # the canonical one
    extensions: tuple[str, ...]  # every extension a file name may end in
    label: str
    pillow_format: str | None = None


KINDS = {
    "pdf": Kind("pdf", "application/pdf", "pdf", ("pdf",), "PDF"),
    "jpeg": Kind("jpeg", "image/jpeg", "jpg", ("jpg", "jpeg", "jpe"), "JPEG", "JPEG"),
    "png": Kind("png", "image/png", "png", ("png",), "PNG", "PNG"),
}
_KIND_BY_MIME = {kind.mime: kind for kind in KINDS.values()}


class UploadRefused(Exception):
    """The file cannot be stored; ``message`` (a lazy string) tells the person why."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


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


def kind_labels(codes) -> str:
    return ", ".join(KINDS[c].label for c in codes if c in KINDS)


def accept_attribute(codes) -> str:
    """For ``<input type=file accept=...>``: a hint for the file picker, never a check."""
    kinds = [KINDS[c] for c in codes if c in KINDS]
    return ",".join([f".{e}" for k in kinds for e in k.extensions if e != "jpe"] + [k.mime for k in kinds])


@contextmanager
def checked_upload(stream: BinaryIO, filename: str | None, *, allowed: list[str], max_bytes: int,
                   scanner: ScannerSettings | None = None) -> Iterator[CheckedFile]:
    """Check an upload; yields the file to store. Temporary files never outlive the block."""
    workdir = Path(tempfile.mkdtemp(prefix="portal-upload-"))
    try:
        original = workdir / "original"
        _spool(stream, original, max_bytes)
        kind = _sniff(original)
        if kind.code not in allowed:
            raise UploadRefused(_l("%(kind)s files are not accepted for this document. "
                                   "Accepted: %(allowed)s.", kind=kind.label, allowed=kind_labels(allowed)))
        name = _agreeing_name(filename, kind)
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


# --- size and kind -------------------------------------------------------------------------

def too_large_message(max_bytes: int):
    return _l("The file is larger than %(size)s MB. Please upload a smaller file: for a scan, a lower "
              "resolution (200-300 dpi) or black-and-white is usually enough.",
              size=_megabytes(max_bytes))


def _megabytes(n: int) -> str:
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
                               "of the document in one of these formats."))
    kind = _KIND_BY_MIME.get(guess.mime)
    if kind is None:
        raise UploadRefused(_l("This is a %(kind)s file, which is not accepted. Please upload a PDF, "
                               "JPEG or PNG file.", kind=guess.extension.upper()))
    return kind


def _agreeing_name(filename: str | None, kind: Kind) -> str:
    name = display_name(filename or "", kind)
    raw_ext = _extension(sanitise_name(filename or ""))
    if raw_ext not in kind.extensions:
        if not raw_ext:
            raise UploadRefused(_l("The file name has no extension, so we cannot tell what it is meant to "
                                   "be. This file is a %(kind)s: rename it to end in .%(ext)s and try again.",
                                   kind=kind.label, ext=kind.extension))
        raise UploadRefused(_l("The file name ends in .%(ext)s but the file is really a %(kind)s file. "
                               "Please check that you chose the right file.", ext=raw_ext, kind=kind.label))
    return name


# --- names ---------------------------------------------------------------------------------

_UNSAFE_IN_NAME = set('"\'`<>:*?|/\\;=%{}$')


def sanitise_name(raw: str) -> str:
    """A file name as harmless display text: no folders, control or format characters, quotes
    or slashes; NFC; Unicode letters kept (``паспорт.pdf`` stays readable)."""
    name = unicodedata.normalize("NFC", raw)
    name = re.split(r"[/\\]", name)[-1]
    cleaned = []
    for char in name:
        category = unicodedata.category(char)
        if char in "\t\r\n" or category in ("Zl", "Zp"):
            cleaned.append(" ")
        elif category[0] == "C" or char in _UNSAFE_IN_NAME:
            continue  # control, format (bidi overrides), surrogates, private use; quotes, slashes
        else:
            cleaned.append(" " if category == "Zs" else char)
    name = re.sub(r"\s+", " ", "".join(cleaned)).strip(" .")
    return name


def _extension(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def display_name(raw: str, kind: Kind) -> str:
    """The sanitised name, capped at MAX_NAME_LENGTH characters, keeping its extension."""
    name = sanitise_name(raw)
    ext = _extension(name)
    stem = name[: -(len(ext) + 1)] if ext else name
    ext = ext if ext in kind.extensions else kind.extension
    stem = stem.strip(" .")[: MAX_NAME_LENGTH - len(ext) - 1].rstrip(" .") or "document"
    return f"{stem}.{ext}"


def _digest(path: Path) -> tuple[int, str]:
    sha = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            sha.update(chunk)
            size += len(chunk)
    return size, sha.hexdigest()


# --- PDF -----------------------------------------------------------------------------------

PDF_UNREADABLE = _l("This PDF could not be read; it may be damaged or not really a PDF. Please save or "
                    "scan the document again and upload the new file.")
PDF_ACTIVE = _l("This PDF contains JavaScript or other active content, which we do not accept for "
                "security reasons. Please print it to a new PDF (or scan the paper) and upload that file.")
PDF_EMBEDDED = _l("This PDF contains attached files, which we do not accept. Please upload a PDF "
                  "without attachments.")
PDF_ENCRYPTED = _l("This PDF is protected with a password or encrypted. Please upload a copy "
                   "without a password.")
PDF_TRAILING = _l("This PDF has unexpected content after its end and cannot be accepted. Please save "
                  "or scan the document again and upload the new file.")

# Actions that run code or open something outside the viewer.
_BAD_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/RichMediaExecute", "/SubmitForm", "/GoToE",
                "/Rendition", "/SetOCGState"}
_BAD_ANNOTATIONS = {"/RichMedia", "/Screen", "/Movie", "/Sound", "/3D"}
# Names that have no business in an admissions document even outside the reachable structure.
_RAW_MARKERS = re.compile(rb"/(?:JavaScript|Launch|EmbeddedFiles?|RichMedia)(?=[\s/<>\[\]()%]|$)")
_MARKUP = re.compile(rb"<\s*[!?a-zA-Z/]")
_MAX_TRAILING = 4096


def check_pdf(path: Path) -> None:
    """Raise UploadRefused unless the file is a readable, unencrypted PDF without active content."""
    _check_pdf_bytes(path)
    try:
        with path.open("rb") as fh:
            reader = PdfReader(fh, strict=False)
            if reader.is_encrypted:
                raise UploadRefused(PDF_ENCRYPTED)
            root = reader.trailer["/Root"].get_object()
            if not isinstance(root, DictionaryObject) or len(reader.pages) < 1:
                raise UploadRefused(PDF_UNREADABLE)
            problem = _active_content(reader, root)
    except UploadRefused:
        raise
    except Exception as exc:  # noqa: BLE001  (a hostile file can make a parser raise anything)
        log.info("PDF refused as unreadable: %s: %s", type(exc).__name__, str(exc)[:200])
        raise UploadRefused(PDF_UNREADABLE) from exc
    if problem is not None:
        raise UploadRefused(problem)


def _check_pdf_bytes(path: Path) -> None:
    """One streaming pass: active-content names anywhere, and what follows the last %%EOF."""
    last_eof = -1
    offset = 0
    carry = b""
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            window = carry + chunk
            base = offset - len(carry)
            if marker := _RAW_MARKERS.search(window):
                name = marker.group(0)
                raise UploadRefused(PDF_EMBEDDED if b"Embedded" in name else PDF_ACTIVE)
            found = window.rfind(b"%%EOF")
            if found >= 0:
                last_eof = max(last_eof, base + found)
            offset += len(chunk)
            carry = window[-32:]
        if last_eof < 0:
            raise UploadRefused(PDF_UNREADABLE)
        fh.seek(last_eof + 5)
        trailing = fh.read(_MAX_TRAILING + 1).strip(b"\r\n\t\f \x00")
    if len(trailing) > _MAX_TRAILING or _MARKUP.search(trailing):
        raise UploadRefused(PDF_TRAILING)


def _bad_action(action, depth: int = 0) -> bool:
    action = action.get_object() if action is not None else None
    if depth > 16 or not isinstance(action, DictionaryObject):
        return False
    if action.get("/S") in _BAD_ACTIONS or "/JS" in action:
        return True
    following = action.get("/Next")
    following = following.get_object() if following is not None else None
    items = following if isinstance(following, ArrayObject) else [following]
    return any(_bad_action(item, depth + 1) for item in items if item is not None)


def _has_bad_actions(holder: DictionaryObject) -> bool:
    return "/AA" in holder or _bad_action(holder.get("/A"))


def _active_content(reader: PdfReader, root: DictionaryObject):
    names = root.get("/Names")
    names = names.get_object() if names is not None else None
    if isinstance(names, DictionaryObject):
        if "/JavaScript" in names:
            return PDF_ACTIVE
        if "/EmbeddedFiles" in names:
            return PDF_EMBEDDED
    if "/AA" in root or _bad_action(root.get("/OpenAction")):
        return PDF_ACTIVE
    form = root.get("/AcroForm")
    form = form.get_object() if form is not None else None
    if isinstance(form, DictionaryObject) and ("/XFA" in form or _fields_have_actions(form.get("/Fields"))):
        return PDF_ACTIVE
    for page in reader.pages:
        if "/AA" in page:
            return PDF_ACTIVE
        annotations = page.get("/Annots")
        annotations = annotations.get_object() if annotations is not None else []
        for annotation in annotations or []:
            annotation = annotation.get_object()
            if not isinstance(annotation, DictionaryObject):
                continue
            if annotation.get("/Subtype") == "/FileAttachment":
                return PDF_EMBEDDED
            if annotation.get("/Subtype") in _BAD_ANNOTATIONS or _has_bad_actions(annotation):
                return PDF_ACTIVE
    return None


def _fields_have_actions(fields, depth: int = 0) -> bool:
    fields = fields.get_object() if fields is not None else None
    if depth > 16 or not isinstance(fields, ArrayObject):
        return False
    for field in fields:
        field = field.get_object()
        if isinstance(field, DictionaryObject) and (
                _has_bad_actions(field) or _fields_have_actions(field.get("/Kids"), depth + 1)):
            return True
    return False


# --- images --------------------------------------------------------------------------------

IMAGE_UNREADABLE = _l("This image could not be read; it may be damaged. Please take the photo or scan "
                      "again and upload the new file.")


def too_many_pixels_message():
    return _l("This image has too many pixels (at most %(limit)s million). Please upload a smaller "
              "photo or scan.", limit=MAX_IMAGE_PIXELS // 1_000_000)


def reencode_image(source: Path, kind: Kind, dest: Path) -> None:
    """Decode with the one decoder for the detected kind (pixel count checked from the header
    first), apply the EXIF orientation, and write a fresh file without any metadata."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source, formats=[kind.pillow_format]) as image:
                width, height = image.size
                if width < 1 or height < 1 or width * height > MAX_IMAGE_PIXELS:
                    raise UploadRefused(too_many_pixels_message())
                image.load()
                ImageOps.exif_transpose(image, in_place=True)  # no second copy of the pixels
                clean = _normalise_mode(image, kind)
        clean.info = {}  # EXIF, GPS, ICC, text chunks: nothing of the original travels on
        _save_clean(clean, kind, dest)
    except UploadRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise UploadRefused(too_many_pixels_message()) from exc
    except Exception as exc:  # noqa: BLE001  (decoders raise OSError, SyntaxError, ValueError ...)
        log.info("image refused as unreadable: %s: %s", type(exc).__name__, str(exc)[:200])
        raise UploadRefused(IMAGE_UNREADABLE) from exc


def _normalise_mode(image: Image.Image, kind: Kind) -> Image.Image:
    if kind.code == "jpeg":
        return image if image.mode in ("L", "RGB") else image.convert("RGB")
    if image.mode == "P" and "transparency" in image.info:
        return image.convert("RGBA")
    if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
        return image.convert("RGBA" if "A" in image.getbands() else "RGB")
    return image


def _save_clean(image: Image.Image, kind: Kind, dest: Path) -> None:
    if kind.code == "jpeg":
        image.save(dest, "JPEG", quality=JPEG_QUALITY, optimize=True)
    else:
        image.save(dest, "PNG", optimize=True)


def thumbnail(stream: BinaryIO, kind: Kind, size: int = 320) -> bytes:
    """A small JPEG of a stored (already re-encoded) image, for the applicant's checklist."""
    with Image.open(stream, formats=[kind.pillow_format]) as image:
        image.draft("RGB", (size * 2, size * 2))  # JPEG: decode at a reduced scale, cheaply
        image.thumbnail((size, size))
        small = image.convert("RGB")
    out = io.BytesIO()
    small.save(out, "JPEG", quality=80)
    return out.getvalue()


# --- virus scanning ------------------------------------------------------------------------

SCANNER_DOWN = _l("We could not check the file for viruses just now, so it was not saved. Please try "
                  "again in a few minutes.")
INFECTED = _l("The virus scanner found a threat in this file, so it was not saved. Please check your "
              "device and upload a clean copy of the document.")


def _scan(path: Path, scanner: ScannerSettings) -> None:
    try:
        scanning.scan(path, scanner)
    except scanning.ScannerDown as exc:
        raise UploadRefused(SCANNER_DOWN) from exc
    except scanning.Infected as exc:
        raise UploadRefused(INFECTED) from exc
