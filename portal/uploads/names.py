"""File names as people gave them: only ever display text, never a path or a storage key.

Storage keys are random (``storage``), so a name cannot reach the file system; it is still shown
to officers and offered back on download, so folders, control and bidi-override characters,
quotes and slashes go, Unicode letters stay (``паспорт.pdf`` remains readable), and the extension
must agree with what the content really is, so a person sees at once that they picked the wrong
file.
"""

from __future__ import annotations

import re
import unicodedata

from flask_babel import lazy_gettext as _l

from portal.uploads.errors import UploadRefused
from portal.uploads.kinds import Kind

MAX_NAME_LENGTH = 120

_UNSAFE_IN_NAME = set('"\'`<>:*?|/\\;=%{}$')


def sanitise_name(raw: str) -> str:
    """A file name as harmless display text: no folders, control or format characters, quotes
    or slashes; NFC; Unicode letters kept."""
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


def extension_of(name: str) -> str:
    """The lower-case extension of a (sanitised) name; ``""`` when there is none."""
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def display_name(raw: str, kind: Kind) -> str:
    """The sanitised name, capped at MAX_NAME_LENGTH characters, keeping its extension."""
    name = sanitise_name(raw)
    ext = extension_of(name)
    stem = name[: -(len(ext) + 1)] if ext else name
    ext = ext if ext in kind.extensions else kind.extension
    stem = stem.strip(" .")[: MAX_NAME_LENGTH - len(ext) - 1].rstrip(" .") or "document"
    return f"{stem}.{ext}"


def agreeing_name(filename: str | None, kind: Kind) -> str:
    """The display name, or UploadRefused when the name's extension does not match the content."""
    name = display_name(filename or "", kind)
    raw_ext = extension_of(sanitise_name(filename or ""))
    if raw_ext not in kind.extensions:
        if not raw_ext:
            raise UploadRefused(_l("The file name has no extension, so we cannot tell what it is meant to "
                                   "be. This file is a %(kind)s: rename it to end in .%(ext)s and try again.",
                                   kind=kind.label, ext=kind.extension))
        raise UploadRefused(_l("The file name ends in .%(ext)s but the file is really a %(kind)s file. "
                               "Please check that you chose the right file.", ext=raw_ext, kind=kind.label))
    return name
