"""Letters as PDF: the admission letter and the visa invitation, each with a random verification
code and a QR code of the public page that confirms it (fake letters are sold by brokers).

Rendering only: what a letter says arrives as a ``LetterContent``; storing, issuing and checking
letters is services/letters.py.
"""

from __future__ import annotations

from portal.letters.codes import new_code, normalise_code
from portal.letters.content import LetterContent
from portal.letters.pdf import render_letter

__all__ = ["LetterContent", "new_code", "normalise_code", "render_letter"]
