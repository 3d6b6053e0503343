"""Where the fillers are: the 44 character cells of each zone line, told apart by their shape.

Why: Tesseract's English model reads the filler ``<`` as K, X or E, above all right after a name
(``HAAKON<<<`` comes back as ``HAAKONK<<``), and often miscounts long runs of fillers. Line 1 has
no check digit to catch that. But the zone is printed in OCR-B, a monospaced font at a fixed
pitch, so each character sits in a known cell, and ``<`` is exactly K without its stem: in the
left part of its cell it has ink only around mid-height, where almost every other character of
OCR-B reaches the top or the bottom of the line (a stem, a bar, a curve, a corner). The digit 4
is shaped like a filler there too, but has its stem where a filler opens (middle right). On 80
generated pages, filler cells never had ink in the top or bottom of their left part; other
cells mostly 7-40 %, a few (1, C) less. So the masks are a strong hint, not a verdict:
``mrz_align`` weighs them against Tesseract's text and only turns K, X or E into fillers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from portal.uploads.mrz_format import LINE_LENGTH

# Measured on the OCR-B glyphs: ink starts about 0.17 of a cell after the cell's left edge and
# ends 0.83 into the last cell, so a line's ink spans 43.66 cells.
INK_START = 0.17
INK_SPAN = LINE_LENGTH - 1 + 0.83 - INK_START
LEFT_PART = (0.05, 0.35)  # of a cell: where a filler has no ink near the top or the bottom ...
EDGE_BAND = 0.2  # ... of the line (this share of its height)
RIGHT_MIDDLE = (0.58, 0.75, 0.4, 0.6)  # x0, x1, y0, y1: where a filler opens (and 4 has its stem)
EDGE_INK = 0.03  # shares of those areas with ink, below which the cell is a filler
MIDDLE_INK = 0.2
MIN_HEIGHT = 7  # px: a smaller line cannot be measured


@dataclass(frozen=True)
class Line:
    top: int
    bottom: int
    left: int
    right: int

    @property
    def pitch(self) -> float:
        return (self.right - self.left) / INK_SPAN


def filler_masks(zone: Image.Image) -> tuple[list[bool], list[bool]] | None:
    """For each of the two lines, whether each of its 44 cells holds a filler; None when the
    zone does not split into two measurable lines."""
    ink = binarise(np.asarray(zone, dtype=np.float32))
    bands = line_bands(ink)
    if bands is None:
        return None
    masks = []
    for band in bands:
        straight = level(band)
        line = measure(straight)
        if line is None:
            return None
        masks.append(fillers(straight, line))
    return masks[0], masks[1]


def binarise(grey: np.ndarray) -> np.ndarray:
    """Ink where darker than Otsu's threshold (the one that best separates two grey levels)."""
    counts = np.bincount(np.clip(grey, 0, 255).astype(np.uint8).ravel(), minlength=256).astype(np.float64)
    levels = np.arange(256)
    weight = np.cumsum(counts)
    total = weight[-1]
    mean = np.cumsum(counts * levels)
    between = (mean[-1] * weight - mean * total) ** 2 / np.maximum(weight * (total - weight), 1)
    return grey <= int(np.argmax(between))


def line_bands(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The rows of each of the two lines (the two tallest runs of rows with ink), with a margin
    of up to half the gap between them."""
    rows = ink.sum(axis=1)
    runs = sorted(sorted(runs_of(rows >= max(2, 0.15 * rows.max())), key=lambda r: r[1] - r[0])[-2:])
    if len(runs) < 2 or min(b - a for a, b in runs) < MIN_HEIGHT:
        return None
    (top1, bottom1), (top2, bottom2) = runs
    pad = max(1, min((bottom1 - top1) // 2, (top2 - bottom1) // 2))
    return ink[max(0, top1 - pad):bottom1 + pad], ink[top2 - pad:bottom2 + pad]


def level(band: np.ndarray) -> np.ndarray:
    """The band with each column shifted so that the line runs straight: the zone was turned
    as a whole, a line may still lean a pixel or two over its length, which matters when a
    filler differs from a letter by a few rows."""
    columns = np.flatnonzero(band.any(axis=0))
    if len(columns) < 6:
        return band
    left, right = columns[0], columns[-1]
    third = max(1, (right - left) // 3)
    rise = _centre_row(band[:, right - third:right + 1]) - _centre_row(band[:, left:left + third])
    slope = rise / (right - left - third)
    shifts = np.round(slope * (np.arange(band.shape[1]) - (left + right) / 2)).astype(int)
    rows = np.arange(band.shape[0])[:, None] + shifts[None, :]
    inside = (rows >= 0) & (rows < band.shape[0])
    return np.where(inside, band[rows.clip(0, band.shape[0] - 1), np.arange(band.shape[1])[None, :]], False)


def _centre_row(area: np.ndarray) -> float:
    ys = np.nonzero(area)[0]
    return float(ys.mean()) if len(ys) else 0.0


def measure(band: np.ndarray) -> Line | None:
    rows = band.sum(axis=1)
    top, bottom = longest_run(rows >= max(2, 0.15 * rows.max()))
    if bottom - top < MIN_HEIGHT:
        return None
    left, right = longest_run(bridge(band[top:bottom].sum(axis=0) >= 2, bottom - top))
    return Line(top, bottom, left, right)


def fillers(ink: np.ndarray, line: Line) -> list[bool]:
    return [_is_filler(*cell_ink(ink, line, cell)) for cell in range(LINE_LENGTH)]


def _is_filler(edges: float, middle: float) -> bool:
    return edges < EDGE_INK and middle < MIDDLE_INK


def cell_ink(ink: np.ndarray, line: Line, cell: int) -> tuple[float, float]:
    """The share of ink near the top or bottom of the cell's left part (the larger of the two),
    and in the middle of its right part (where a filler opens and a 4 has its stem)."""
    pitch, height = line.pitch, line.bottom - line.top
    origin = line.left - INK_START * pitch

    def area(x0: float, x1: float, y0: float, y1: float) -> float:
        left, top = round(origin + (cell + x0) * pitch), line.top + round(y0 * height)
        right, bottom = max(left + 1, round(origin + (cell + x1) * pitch)), max(top + 1, line.top + round(y1 * height))
        part = ink[top:bottom, left:right]
        return float(part.mean()) if part.size else 0.0

    edges = max(area(*LEFT_PART, 0.0, EDGE_BAND), area(*LEFT_PART, 1.0 - EDGE_BAND, 1.0))
    return edges, area(*RIGHT_MIDDLE)


def runs_of(flags: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) of each run of True."""
    edges = np.diff(np.concatenate(([0], flags.astype(np.int8), [0])))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist(), strict=True))


def bridge(flags: np.ndarray, gap: int) -> np.ndarray:
    """Fill runs of False shorter than ``gap`` that lie between two True."""
    bridged = flags.copy()
    for start, end in runs_of(~flags):
        if end - start < gap and start > 0 and end < len(flags):
            bridged[start:end] = True
    return bridged


def longest_run(flags: np.ndarray) -> tuple[int, int]:
    runs = runs_of(flags)
    return max(runs, key=lambda r: r[1] - r[0]) if runs else (0, 0)
