"""From several aligned reads of a zone to one pair of lines, or to none.

Why each step:
- ``correct`` uses what the format allows at each position: a digit where only digits may stand
  (O->0, I->1, S->5, B->8 ...), a letter where only letters may (0->O, 1->I, 5->S ...);
- ``vote`` joins reads of the zone at different sizes for line 1, the one without a check digit:
  each character must be read alike by at least two of them and more often than anything else;
- ``agreed_line2`` wants line 2 read alike by at least two reads that each pass every check
  digit on their own, and no read that passes them with another line. Taking each character
  by majority instead would join reads shifted by a dropped character into a line no read saw,
  which a lucky check digit could then accept. A read may settle one letter-or-digit character
  that Tesseract read twice (``O0``) by the check digits, but only between characters they tell
  apart: G and 6 count alike (16 and 6, modulo 10), so a G read beside a 6 makes the read
  worthless. Likenesses nobody read are never tried: two misread characters can make up for
  each other in a check digit (S for 5 and I for 1 can), and trying more guesses finds such
  pairs.
"""

from __future__ import annotations

from collections import Counter

from portal.uploads.mrz_align import UNKNOWN, Aligned
from portal.uploads.mrz_format import DOCUMENT_NUMBER, FILLER, OPTIONAL, check_value, failed_checks, valid_line2

TO_DIGIT = {"O": "0", "Q": "0", "D": "0", "U": "0", "I": "1", "L": "1", "Z": "2", "S": "5", "B": "8",
            "G": "6", "A": "4", "T": "7"}
TO_LETTER = {"0": "O", "1": "I", "2": "Z", "4": "A", "5": "S", "6": "G", "8": "B"}
# Document numbers and optional data: most states leave O and I out of them, and Tesseract reads
# 0 and 1 as O and I among letters (C0T06 as COTO6: two errors the check digit cannot see, as
# O and 0 differ by 24 and 3 x 24 + 7 x 24 is a multiple of 10). So O and I are taken as digits;
# a number with a true O or I then fails its check digit and is not read (never misread).
NUMBER_PRIOR = {"O": "0", "I": "1"}
ALNUM_POSITIONS = frozenset(p for a, b in (DOCUMENT_NUMBER, OPTIONAL) for p in range(a, b))


def correct(read: Aligned, kinds: str) -> Aligned:
    """Digits where only digits may stand, letters where only letters may (doubts included)."""
    text = "".join(_corrected(char, kind) for char, kind in zip(read.text, kinds, strict=True))
    doubts = {cell: "".join(_corrected(c, kinds[cell]) for c in chars) for cell, chars in read.doubts.items()}
    return Aligned(text, doubts)


def _corrected(char: str, kind: str) -> str:
    if kind == "D" or (kind == "d" and char != FILLER):
        return TO_DIGIT.get(char, char)
    if kind in "Ll":
        return TO_LETTER.get(char, char)
    return NUMBER_PRIOR.get(char, char) if kind == "a" else char


def vote(reads: list[Aligned]) -> tuple[str, bool]:
    """The character most reads agree on at each position, and whether every position had a clear
    majority of at least two reads (a likeness read beside a character counts against it)."""
    chosen, agreed = [], True
    for position in range(len(reads[0].text)):
        counts = Counter(read.text[position] for read in reads if read.text[position] != UNKNOWN)
        counts.update(c for read in reads for c in read.doubts.get(position, ""))
        ranked = counts.most_common()
        if not ranked:
            chosen.append(UNKNOWN)
            agreed = False
            continue
        chosen.append(ranked[0][0])
        agreed &= ranked[0][1] >= 2 and (len(ranked) == 1 or ranked[1][1] < ranked[0][1])
    return "".join(chosen), agreed


def plausible(line1: Aligned, line2: Aligned) -> bool:
    """Whether a read looks like a passport's zone at all: line 1 starts with P, and at least two
    of the five check digits of line 2 hold (for other text, each holds by chance one time in
    ten). Reads of a page that show no such thing need not go on."""
    failed = failed_checks(line2.text.replace(UNKNOWN, FILLER))
    return line1.text.startswith("P") and len(failed) <= 3


def agreed_line2(reads: list[Aligned]) -> str | None:
    """Line 2 as at least two reads give it, each passing every check digit on its own, when no
    read gives another line that passes them too."""
    valid = Counter(line for read in reads if (line := checked_line2(read)) is not None).most_common()
    if not valid or valid[0][1] < 2 or len(valid) > 1:
        return None
    return valid[0][0]


def checked_line2(read: Aligned) -> str | None:
    """The read's line 2 if it is valid (``mrz_format.valid_line2``), or valid after changing one
    letter-or-digit character into a likeness read beside it (``O0``), when exactly one such
    change makes it so; None otherwise, and None when a likeness read beside a character is one
    the check digits cannot tell from it (G beside 6)."""
    line = read.text
    if UNKNOWN in line or any(not told_apart({line[p], *read.doubts.get(p, "")}) for p in ALNUM_POSITIONS):
        return None
    if valid_line2(line):
        return line
    passing = {candidate for p in ALNUM_POSITIONS for c in set(read.doubts.get(p, "")) - {line[p]}
               if valid_line2(candidate := line[:p] + c + line[p + 1:])}
    return passing.pop() if len(passing) == 1 else None


def told_apart(chars: set[str]) -> bool:
    """Whether the check digits tell these characters apart (their values differ, modulo 10)."""
    values = [check_value(c) % 10 for c in chars]
    return len(set(values)) == len(values)
