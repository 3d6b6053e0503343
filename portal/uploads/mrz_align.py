"""Fitting a line of Tesseract's text onto the 44 cells of a zone line.

Why: Tesseract's line is often a character too long or too short. It reads one glyph as both of
its likenesses (``AB094989`` comes back as ``ABO094989``), miscounts runs of fillers, and reads
a filler as K, X or E. ``mrz_cells`` has measured which cells hold fillers, and the format says
what kind of character each cell may hold; the cheapest alignment of the text onto the cells
(an edit distance) puts every character where it belongs. A K, X, E ... in a filler-shaped cell
is a filler; one in a cell with a stem is a letter. When one of a doubled pair (``O0``) is
dropped, the dropped likeness is kept as a doubt on its neighbour's cell, so that a later vote
sees the disagreement instead of a made-up certainty.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from portal.uploads.mrz_format import FILLER, LINE_LENGTH

UNKNOWN = "?"
FILLER_LOOKALIKES = frozenset("KXE")  # what Tesseract reads a filler as (not C: its cell looks like one)
CONFUSABLE = {"0": "OQD", "O": "0Q", "Q": "0OG", "D": "0", "1": "I", "I": "1", "2": "Z", "Z": "2", "5": "S",
              "S": "5", "8": "B", "B": "8", "6": "G", "G": "6Q"}

# Costs: a character read for a cell; a character read that stands for no cell; a cell missed.
MATCH, WRONG_KIND, LOOKALIKE, WRONG_SHAPE = 0.0, 0.2, 0.3, 1.0
EXTRA_FILLER, EXTRA_TWIN, EXTRA_CHAR, EXTRA_FIRST = 0.6, 0.5, 1.0, 1.3
MISSED_FILLER, MISSED_GLYPH = 0.6, 1.5


@dataclass(frozen=True)
class Aligned:
    """A line of 44 characters (UNKNOWN where nothing was read) and, per cell, the likenesses
    that were read beside its character and dropped."""

    text: str
    doubts: dict[int, str] = field(default_factory=dict)


def allows_filler(kind: str) -> bool:
    return kind.islower() or kind == "S"


def align(raw: str, shapes: list[bool], kinds: str) -> Aligned:
    """Fit ``raw`` onto the cells (``shapes[i]``: cell i looks like a filler; ``kinds``: see
    mrz_format.LINE1_KINDS) by the cheapest alignment."""
    shapes = [shape and allows_filler(kind) for shape, kind in zip(shapes, kinds, strict=True)]
    fit = [[_fit(char, shape, kind) for shape, kind in zip(shapes, kinds, strict=True)] for char in raw]
    extra = [_extra(raw, i) for i in range(len(raw))]
    missed = [MISSED_FILLER if shape else MISSED_GLYPH for shape in shapes]
    n = len(raw)
    cost = [[0.0] * (LINE_LENGTH + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        cost[i][0] = cost[i - 1][0] + extra[i - 1]
    for j in range(1, LINE_LENGTH + 1):
        cost[0][j] = cost[0][j - 1] + missed[j - 1]
        for i in range(1, n + 1):
            cost[i][j] = min(cost[i - 1][j - 1] + fit[i - 1][j - 1], cost[i - 1][j] + extra[i - 1],
                             cost[i][j - 1] + missed[j - 1])
    placed = _trace(cost, fit, extra, n)
    return _assemble(raw, shapes, placed)


def _fit(char: str, filler_shaped: bool, kind: str) -> float:
    if filler_shaped:
        return MATCH if char == FILLER else LOOKALIKE if char in FILLER_LOOKALIKES else WRONG_SHAPE
    if char == FILLER:
        return WRONG_SHAPE
    if kind in "Dd":
        return MATCH if char.isdigit() else WRONG_KIND
    if kind in "Ll":
        return MATCH if char.isalpha() else WRONG_KIND
    return MATCH


def _extra(raw: str, i: int) -> float:
    """Dropping a character: cheapest for a filler (runs are miscounted) or one of a doubled pair,
    dearest for the first (Tesseract starts reading at the first glyph, it does not invent one)."""
    if raw[i] == FILLER:
        return EXTRA_FILLER
    if _twin_of(raw, i) is not None:
        return EXTRA_TWIN
    return EXTRA_FIRST if i == 0 else EXTRA_CHAR


def _twin_of(raw: str, i: int) -> int | None:
    """The neighbour of raw[i] that is one of its likenesses (``O`` beside ``0``), if any."""
    for k in (i - 1, i + 1):
        if 0 <= k < len(raw) and raw[k] in CONFUSABLE.get(raw[i], ""):
            return k
    return None


def _trace(cost: list[list[float]], fit: list[list[float]], extra: list[float], n: int) -> list[int | None]:
    """For each character read, the cell it was placed in (None: dropped)."""
    placed: list[int | None] = [None] * n
    i, j = n, LINE_LENGTH
    while i > 0 or j > 0:
        if i > 0 and j > 0 and cost[i][j] == cost[i - 1][j - 1] + fit[i - 1][j - 1]:
            placed[i - 1] = j - 1
            i, j = i - 1, j - 1
        elif i > 0 and cost[i][j] == cost[i - 1][j] + extra[i - 1]:
            i -= 1
        else:
            j -= 1
    return placed


def _assemble(raw: str, shapes: list[bool], placed: list[int | None]) -> Aligned:
    cells = [FILLER if shape else UNKNOWN for shape in shapes]
    doubts: dict[int, str] = {}
    for i, cell in enumerate(placed):
        if cell is not None:
            cells[cell] = FILLER if shapes[cell] and raw[i] in FILLER_LOOKALIKES else raw[i]
        elif (twin := _twin_of(raw, i)) is not None and placed[twin] is not None:
            doubts[placed[twin]] = doubts.get(placed[twin], "") + raw[i]
    return Aligned("".join(cells), doubts)
