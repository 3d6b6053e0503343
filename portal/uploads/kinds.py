"""The kinds of file a person may send: PDF, JPEG and PNG.

A kind is decided from the file's first bytes, never from its name or the browser's Content-Type
(see ``pipeline``); this table ties each kind to its MIME type, the extensions its name may end in,
the label people read and the Pillow decoder that may open it (one decoder per kind, so a file
cannot smuggle itself into a more fragile one).
"""

from __future__ import annotations

from dataclasses import dataclass


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


def kind_by_mime(mime: str | None) -> Kind | None:
    """The kind of a stored file from its recorded content type (``None`` if not one of ours)."""
    return _KIND_BY_MIME.get(mime or "")


def kind_labels(codes) -> str:
    return ", ".join(KINDS[c].label for c in codes if c in KINDS)


def accept_attribute(codes) -> str:
    """For ``<input type=file accept=...>``: a hint for the file picker, never a check."""
    kinds = [KINDS[c] for c in codes if c in KINDS]
    return ",".join([f".{e}" for k in kinds for e in k.extensions if e != "jpe"] + [k.mime for k in kinds])
