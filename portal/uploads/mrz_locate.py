"""Find the machine-readable zone on a page and cut it out straight.

Why like this (Pillow and numpy only, no OpenCV): the zone is easy to recognise by its shape.
It is the lowest pair of text lines on the data page, each about 44 characters long, and a line
of OCR-B is some 46 times as long as it is tall, with gaps between characters far narrower than
the characters: no other text on the page looks like that. So the page is reduced to a mask of
ink (pixels clearly darker than their surroundings), turned until its rows of ink are sharpest
(a passport photographed or scanned at an angle), and cut into bands of rows; a band whose ink
runs unbroken for 20 times its height is a zone line. White scanner margins and an A4 page
around the passport do not matter, because nothing is measured against the page's width.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter

from portal.uploads.mrz_cells import bridge, longest_run, runs_of

WORK_SIDE = 1200  # the page's long side while looking for the zone
INK_CONTRAST = 0.78  # ink is darker than this share of the local average brightness ...
INK_LEVEL = 170  # ... and darker than this
MAX_SKEW = 5.0  # degrees; a photo more crooked than that is asked for again
LINE_RATIO = 20  # an unbroken run of ink this many times the band's height is a zone line
MERGED_RATIO = 12  # two zone lines that touch make one band half as long for its height
MIN_LINE_HEIGHT = 4  # px at WORK_SIDE


def find_zone(page: Image.Image) -> Image.Image | None:
    """The zone cut out of the page, straightened, with a margin of paper around it; None when
    the page shows no zone."""
    scale = min(1.0, WORK_SIDE / max(page.size))
    work = page.resize((round(page.width * scale), round(page.height * scale)), Image.Resampling.BOX) \
        if scale < 1 else page
    mask = ink_mask(work)
    angle = skew_angle(mask)
    straight = Image.fromarray(mask).rotate(angle, expand=True) if angle else Image.fromarray(mask)
    box = zone_box(np.asarray(straight))
    if box is None:
        return None
    paper = int(np.percentile(np.asarray(work), 90))
    return cut_out(page, box, angle, scale, work.size, straight.size, paper)


def ink_mask(image: Image.Image) -> np.ndarray:
    """Pixels clearly darker than the average of their surroundings (about two text lines)."""
    radius = max(4, round(max(image.size) / 80))
    grey = np.asarray(image, dtype=np.float32)
    local = np.asarray(image.filter(ImageFilter.BoxBlur(radius)), dtype=np.float32)
    return (grey < local * INK_CONTRAST) & (grey < INK_LEVEL)


def skew_angle(mask: np.ndarray) -> float:
    """The rotation (degrees, counter-clockwise, as ``Image.rotate`` takes it) that makes the rows
    of ink sharpest: the ink's row profile is taken along slanted lines, coarse steps first, then
    finer ones around the best."""
    ys, xs = np.nonzero(mask)
    if len(ys) < 2:
        return 0.0
    xs = xs - mask.shape[1] / 2
    best = 0.0
    for step, reach in ((1.0, MAX_SKEW), (0.25, 0.75), (0.05, 0.2)):
        candidates = np.arange(best - reach, best + reach + step / 2, step)
        best = float(max(candidates, key=lambda a: _sharpness(ys, xs, float(a))))
    return round(best, 2)


def _sharpness(ys: np.ndarray, xs: np.ndarray, angle: float) -> float:
    rows = np.round(ys - xs * math.tan(math.radians(angle))).astype(np.int64)
    profile = np.bincount(rows - rows.min()).astype(np.float64)
    return float(np.square(np.diff(profile)).sum())


def cut_out(page: Image.Image, box: tuple[float, float, float, float], angle: float, scale: float,
            work_size: tuple[int, int], straight_size: tuple[int, int], paper: int) -> Image.Image:
    """The zone from the full-resolution page: the box found on the turned, reduced copy is
    mapped back onto the page, a square around it is turned about the zone's centre, and the
    zone is cut from the middle (turning the whole page would cost more than the rest)."""
    left, top, right, bottom = box
    dx, dy = (left + right - straight_size[0]) / 2, (top + bottom - straight_size[1]) / 2
    turn = math.radians(angle)
    x = (work_size[0] / 2 + dx * math.cos(turn) - dy * math.sin(turn)) / scale
    y = (work_size[1] / 2 + dx * math.sin(turn) + dy * math.cos(turn)) / scale
    width, height = (right - left) / scale, (bottom - top) / scale
    reach = math.ceil(math.hypot(width, height) / 2) + 2
    square = Image.new("L", (2 * reach, 2 * reach), paper)
    square.paste(page.crop((round(x) - reach, round(y) - reach, round(x) + reach, round(y) + reach)), (0, 0))
    if angle:
        square = square.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=paper)
    return square.crop((round(reach - width / 2), round(reach - height / 2), round(reach + width / 2),
                        round(reach + height / 2)))


def zone_box(mask: np.ndarray) -> tuple[float, float, float, float] | None:
    """(left, top, right, bottom) around the lowest two zone lines, with margins; None if none."""
    lines = [line for line in text_bands(mask) if line.ratio >= MERGED_RATIO]
    for lower in range(len(lines) - 1, -1, -1):
        band = lines[lower]
        if band.ratio < LINE_RATIO:  # two lines run together
            return band.box(top=band.top, bottom=band.bottom, line_height=band.height / 2)
        upper = lines[lower - 1] if lower else None
        if upper and upper.ratio >= LINE_RATIO and band.top - upper.bottom < 2 * band.height \
                and abs(upper.length - band.length) < 0.2 * band.length:
            height = (band.height + upper.height) / 2
            return band.box(top=upper.top, bottom=band.bottom, line_height=height,
                            left=min(band.left, upper.left), right=max(band.right, upper.right))
    return None


@dataclass(frozen=True)
class Band:
    top: int
    bottom: int
    left: int
    right: int

    @property
    def height(self) -> int:
        return self.bottom - self.top

    @property
    def length(self) -> int:
        return self.right - self.left

    @property
    def ratio(self) -> float:
        return self.length / self.height

    def box(self, *, top: float, bottom: float, line_height: float, left: float | None = None,
            right: float | None = None) -> tuple[float, float, float, float]:
        left = self.left if left is None else left
        right = self.right if right is None else right
        return (left - line_height, top - 0.6 * line_height, right + line_height, bottom + 0.6 * line_height)


def text_bands(mask: np.ndarray) -> list[Band]:
    """Runs of rows with ink, top to bottom, each with its longest unbroken run of ink (gaps
    narrower than the band's height bridged)."""
    rows = mask.sum(axis=1) >= max(3, mask.shape[1] // 200)
    bands = []
    for top, bottom in runs_of(rows):
        if bottom - top < MIN_LINE_HEIGHT:
            continue
        columns = mask[top:bottom].any(axis=0)
        left, right = longest_run(bridge(columns, bottom - top))
        bands.append(Band(top, bottom, left, right))
    return bands
