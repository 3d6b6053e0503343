"""Verification codes printed on letters, and reading back what a person types.

Why random and this long: brokers sell fake letters, and a code that could be guessed or counted
(a row id, a date, a sequence) would let them make a fake that passes the verification page.
Each code is 100 bits from ``secrets`` (far beyond guessing, even with the page's rate limit
lifted), written in Crockford's base32: digits and capital letters without I, L, O and U, so a
code read aloud or copied by hand survives. Shown and stored as five groups of four
(``7KQ2-M8XD-…``), the way people copy it.

Reading it back forgives what people do: lower case, spaces, missing or extra hyphens, and the
letters Crockford maps onto digits (O is 0, I and L are 1). Anything that still cannot be a code
is refused here, so the verification page answers "not a valid code" without a database query.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32
CODE_LENGTH = 20  # symbols: 20 x 5 bits = 100 bits
GROUP = 4
CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})
SEPARATORS = re.compile(r"[\s\-‐‑‒–—_.]+")  # spaces and every hyphen/dash people paste
MAX_TYPED = 64  # longer input is not a mistyped code


def new_code() -> str:
    """A fresh random code in its canonical form, e.g. ``7KQ2-M8XD-4JNB-W0RT-HC9E``."""
    symbols = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return _grouped(symbols)


def normalise_code(typed: str) -> str | None:
    """The canonical form of what a person typed, or None when it cannot be a code."""
    if len(typed) > MAX_TYPED:
        return None
    symbols = SEPARATORS.sub("", typed).upper().translate(CONFUSABLE)
    if len(symbols) != CODE_LENGTH or any(symbol not in ALPHABET for symbol in symbols):
        return None
    return _grouped(symbols)


def _grouped(symbols: str) -> str:
    return "-".join(symbols[start:start + GROUP] for start in range(0, len(symbols), GROUP))
