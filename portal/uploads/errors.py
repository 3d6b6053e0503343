"""The one exception the upload pipeline raises for a file it will not keep.

Every check (size, kind, name, virus scan, PDF, image) refuses the same way, so a caller maps one
exception onto its own domain error or form field, and the person always reads a sentence that
says what to do next.
"""

from __future__ import annotations


class UploadRefused(Exception):
    """The file cannot be stored; ``message`` (a lazy string) tells the person why. ``wrong_kind``
    is set when the file is not of a kind the caller accepts, so a form that takes one kind only
    (a letter's PDF) can say so in its own words."""

    def __init__(self, message, wrong_kind: bool = False):
        super().__init__(str(message))
        self.message = message
        self.wrong_kind = wrong_kind
