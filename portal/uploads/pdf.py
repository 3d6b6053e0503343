"""Whether a PDF is safe for officers to open all day: readable, unencrypted, nothing that runs.

Why it is shaped this way:
- the check walks the *parsed object graph* (pypdf, ``strict=False``) from the trailer, following
  every indirect reference and descending into every dictionary (streams included) and array.
  Looking only at chosen places (the catalog's /OpenAction, page annotations, form fields ...)
  missed a JavaScript action hung on the second bookmark; the walk reaches outlines and their
  /Next chains, name trees, AcroForm, every action and whatever it points to, and anything a
  future viewer feature hangs somewhere else. pypdf decodes ``#xx`` escapes in names, so
  ``/J#61vaScript`` is judged as ``/JavaScript``; objects inside compressed object streams are
  resolved like any other;
- the walk is bounded (MAX_PDF_OBJECTS indirect objects, MAX_PDF_NODES values in all): beyond
  that the file is refused as unreadable, never half-checked;
- the automatic action (/OpenAction) may only move within the document (a destination, or /GoTo,
  as many scanners write to open at page 1): anything else there runs without a click; /AA
  (additional, event-triggered actions) is refused wherever it appears;
- a raw byte search for active names stays as a *second* net: it sees objects the parsed graph
  does not reach (left-overs of incremental updates, objects a damaged cross-reference table
  hides from pypdf but another viewer's repair might find). It is not the primary check: an
  escaped name (``/J#61vaScript``) or a name inside a compressed object stream passes it, which is
  why the walk alone must find everything, and the tests check the walk on its own;
- the same streaming pass (the file is read in CHUNK pieces, never whole) finds the last
  ``%%EOF``: more than a little padding after it, or markup, is a polyglot (a PDF that is also an
  HTML page) and is refused.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from flask_babel import lazy_gettext as _l
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from portal.uploads.errors import UploadRefused

log = logging.getLogger(__name__)

CHUNK = 64 * 1024
MAX_PDF_OBJECTS = 50_000  # indirect objects followed; a 300-page scan has a few thousand
MAX_PDF_NODES = 2_000_000  # dictionaries, arrays and values visited, direct ones included

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
BAD_ACTIONS = frozenset({"/JavaScript", "/Launch", "/ImportData", "/RichMediaExecute", "/SubmitForm",
                         "/GoToE", "/Rendition", "/SetOCGState"})
# Annotations that play media or run 3D/Flash content.
BAD_ANNOTATIONS = frozenset({"/RichMedia", "/Screen", "/Movie", "/Sound", "/3D"})
# Keys that mean active content wherever they appear: a script, event-triggered actions, an XFA
# form (scriptable), rich media, and /JavaScript as the document-level scripts of the name tree.
ACTIVE_KEYS = frozenset({"/JS", "/AA", "/XFA", "/RichMedia", "/JavaScript"})
EMBEDDED_KEYS = frozenset({"/EmbeddedFiles", "/EmbeddedFile", "/EF"})
# What the document may do by itself when opened: move to a place inside it.
SAFE_OPEN_ACTIONS = frozenset({"/GoTo"})
MAX_ACTION_CHAIN = 64

_RAW_MARKERS = re.compile(rb"/(?:JavaScript|Launch|EmbeddedFiles?|RichMedia)(?=[\s/<>\[\]()%])")
_PADDING = b"\r\n\t\f\v \x00"
_MARKUP = re.compile(rb"<[!?a-zA-Z/]")  # searched with the padding removed: "< script" counts
_MAX_TRAILING = 4096
_CARRY = 32  # bytes kept between chunks, longer than any marker and "%%EOF"

_ACTIVE, _EMBEDDED = "active", "embedded"


class _TooComplex(Exception):
    """More objects than any admissions document has: refused, never half-checked."""


def check_pdf(path: Path) -> None:
    """Raise UploadRefused unless the file is a readable, unencrypted PDF without active content
    or attached files and without anything after its end."""
    check_pdf_bytes(path)
    check_pdf_structure(path)


# --- the streaming byte pass -----------------------------------------------------------------

def check_pdf_bytes(path: Path) -> None:
    """One streaming pass: active-content names written plainly anywhere in the file (the second
    net), and what follows the last ``%%EOF``."""
    last_eof = -1
    offset = 0
    carry = b""
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            window = carry + chunk
            _raise_on_marker(window)
            found = window.rfind(b"%%EOF")
            if found >= 0:
                last_eof = max(last_eof, offset - len(carry) + found)
            offset += len(chunk)
            carry = window[-_CARRY:]
        _raise_on_marker(carry + b"\n")  # a marker that ends the file has no delimiter after it
        if last_eof < 0:
            raise UploadRefused(PDF_UNREADABLE)
        _check_tail(fh, last_eof + len(b"%%EOF"))


def _check_tail(fh, start: int) -> None:
    """After the end: padding (line ends, spaces, NULs) is what scanners write; more than
    _MAX_TRAILING other bytes, or anything that starts markup, makes a polyglot."""
    fh.seek(start)
    kept = 0
    previous = b""
    while chunk := fh.read(CHUNK):
        content = chunk.translate(None, _PADDING)
        kept += len(content)
        if kept > _MAX_TRAILING or _MARKUP.search(previous + content):
            raise UploadRefused(PDF_TRAILING)
        previous = content[-1:] or previous


def _raise_on_marker(window: bytes) -> None:
    if marker := _RAW_MARKERS.search(window):
        raise UploadRefused(PDF_EMBEDDED if b"Embedded" in marker.group(0) else PDF_ACTIVE)


# --- the parsed structure --------------------------------------------------------------------

def check_pdf_structure(path: Path) -> None:
    """Parse the file and walk every object reachable from the trailer (see the module doc)."""
    try:
        with path.open("rb") as fh:
            reader = PdfReader(fh, strict=False)
            if reader.is_encrypted:
                raise UploadRefused(PDF_ENCRYPTED)
            root = reader.trailer["/Root"].get_object()
            if not isinstance(root, DictionaryObject) or len(reader.pages) < 1:
                raise UploadRefused(PDF_UNREADABLE)
            problem = _open_action(root) or _walk(reader.trailer)
    except UploadRefused:
        raise
    except Exception as exc:  # noqa: BLE001  (a hostile file can make a parser raise anything)
        log.info("PDF refused as unreadable: %s", type(exc).__name__)  # the text may quote the file
        raise UploadRefused(PDF_UNREADABLE) from exc
    if problem == _ACTIVE:
        raise UploadRefused(PDF_ACTIVE)
    if problem == _EMBEDDED:
        raise UploadRefused(PDF_EMBEDDED)


def _walk(trailer: DictionaryObject) -> str | None:
    """Every dictionary and array reachable from the trailer, each indirect object once.
    Active content ends the walk at once; attached files are remembered and reported when
    nothing active was found (so a file with both always gets the same message)."""
    seen: set[tuple[int, int]] = set()
    stack: list = [trailer]
    found = None
    nodes = 0
    while stack:
        obj = stack.pop()
        nodes += 1
        if nodes > MAX_PDF_NODES:
            raise _TooComplex(f"more than {MAX_PDF_NODES} values")
        if isinstance(obj, IndirectObject):
            if (obj.idnum, obj.generation) not in seen:
                seen.add((obj.idnum, obj.generation))
                if len(seen) > MAX_PDF_OBJECTS:
                    raise _TooComplex(f"more than {MAX_PDF_OBJECTS} objects")
                stack.append(obj.get_object())
        elif isinstance(obj, DictionaryObject):  # StreamObject included
            verdict = _judge(obj)
            if verdict == _ACTIVE:
                return _ACTIVE
            found = found or verdict
            stack.extend(dict.values(obj))  # unresolved: references stay references
        elif isinstance(obj, ArrayObject):
            stack.extend(list.__iter__(obj))
    return found


def _judge(obj: DictionaryObject) -> str | None:
    keys = obj.keys()
    subtype = _name(obj, "/Subtype")
    if not ACTIVE_KEYS.isdisjoint(keys) or _name(obj, "/S") in BAD_ACTIONS or subtype in BAD_ANNOTATIONS:
        return _ACTIVE
    if (not EMBEDDED_KEYS.isdisjoint(keys) or subtype == "/FileAttachment"
            or _name(obj, "/Type") == "/EmbeddedFile"):
        return _EMBEDDED
    return None


def _resolved(obj: DictionaryObject, key: str):
    """A value, following a reference: ``/S 12 0 R`` with ``12 0 obj /JavaScript`` counts too."""
    value = dict.get(obj, key)
    return value.get_object() if isinstance(value, IndirectObject) else value


def _name(obj: DictionaryObject, key: str) -> str | None:
    """A name (or string) value, resolved; anything else (an array where a name belongs) is None."""
    value = _resolved(obj, key)
    return str(value) if isinstance(value, str) else None


def _open_action(root: DictionaryObject) -> str | None:
    """The action run on opening may only go to a place in the document, and so may every action
    chained to it through /Next; a bare destination (an array, a name, a string) is always fine."""
    pending = [_resolved(root, "/OpenAction")]
    if not isinstance(pending[0], DictionaryObject):
        return None
    for _ in range(MAX_ACTION_CHAIN):
        if not pending:
            return None
        action = pending.pop()
        if isinstance(action, IndirectObject):
            action = action.get_object()
        if isinstance(action, ArrayObject):  # /Next may list several actions
            pending.extend(list.__iter__(action))
        elif isinstance(action, DictionaryObject):
            if _name(action, "/S") not in SAFE_OPEN_ACTIONS:
                return _ACTIVE
            if (following := dict.get(action, "/Next")) is not None:
                pending.append(following)
    return _ACTIVE  # a longer (or circular) chain than any real document writes
