"""Is a scan or photo good enough for the office to read? Checked at upload, so the applicant can
take the photo again while the passport is still on the table.

    flags = quality.assess(data, "image/jpeg", min_short_side=1000)
    document.quality = quality.flags_to_json(flags)   # [] for a good scan

Each flag carries what was measured and the limit, for messages such as "the image is 640 px on
its short side; at least 1000 px". What is measured, and why:

- ``too_small``: the short side, in pixels of what the camera or scanner delivered, of the
  document on the page: the white margins of a scan (the scanner bed, an A4 page around a
  passport) are cut off first (``content_box``), and a scanned PDF counts in its page image's
  own pixels, not in those we render it at. A PDF made of text has no such limit, and is never
  called blurred either.
- ``too_dark``: the paper (the 90th percentile of brightness, 0-255) below DARK_PAPER.
- ``overexposed``: even the darkest ink (the 1st percentile) lighter than FAINT_INK: the print
  has washed out into the paper.
- ``nearly_empty``: less than EMPTY_DETAIL of the area is ink (after a 3x3 average, pixels
  INK_BELOW_SURROUNDINGS darker than their surroundings): a blank page, a wall, the back of a
  card. Nothing else is judged then.
- ``blurred``: sharpness = 100 x the standard deviation of the Laplacian in the sharpest tiles
  (the 90th percentile over tiles of TILE px, so that text decides and empty paper does not),
  divided by the contrast between paper and ink (so that a dark or pale scan does not count as
  blurred); below SHARPNESS.

All but ``too_small`` look at the document scaled to at most MEASURE_SIDE px on its long side,
so that photos of any size measure alike.

Calibrated with ``bench/quality.py`` (generated passport pages: OCR-B zone, photo, visual zone;
noise sigma 2-6, JPEG quality 70-92, 1600-2200 px wide, a quarter as PDF on an A4 page) on 420
scans (seeds 1 and 2, 60 of each kind), measured range -> threshold:
- sharpness: sharp pages (good, dark, washed out, small) 21.7-59.7, pages blurred with a
  Gaussian of radius 2.5-5 px per 1250 px of width 2.2-11.8 -> SHARPNESS 14;
- paper: normal pages 229-247, dark ones (x 0.25-0.45) 61-108 -> DARK_PAPER 140;
- darkest ink: normal pages 15-89 (blurred ones the palest), washed-out ones 184-226 ->
  FAINT_INK 140;
- ink share: pages 2.5-10.5 %, blank sheets and walls 0.0 % -> EMPTY_DETAIL 0.3 %.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter

from portal.uploads.mrz_page import TEXT_PDF, PageUnreadable, load_page

TOO_SMALL = "too_small"
TOO_DARK = "too_dark"
OVEREXPOSED = "overexposed"
BLURRED = "blurred"
NEARLY_EMPTY = "nearly_empty"
CODES = (TOO_SMALL, TOO_DARK, OVEREXPOSED, BLURRED, NEARLY_EMPTY)

DARK_PAPER = 140.0
FAINT_INK = 140.0
EMPTY_DETAIL = 0.003
SHARPNESS = 14.0
MEASURE_SIDE = 1200
TILE = 32
INK_BELOW_SURROUNDINGS = 10  # grey levels
MARGIN_WHITE = 248  # lighter than this (after smoothing) is scanner bed or blank page
CONTENT_SIDE = 256  # the long side of the copy on which the margins are found
DECODE_SIDE = 2400  # large photos are decoded at a reduced scale (never below this long side)


@dataclass(frozen=True)
class QualityFlag:
    """``code`` (one of CODES), what was measured, and the limit it crossed (px for too_small,
    grey levels 0-255 for too_dark and overexposed, a share for nearly_empty, sharpness for
    blurred)."""

    code: str
    value: float
    threshold: float

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> QualityFlag:
        if data.get("code") not in CODES:
            raise ValueError(f"not a quality flag: {data!r}")
        return cls(code=data["code"], value=float(data["value"]), threshold=float(data["threshold"]))


def flags_to_json(flags: list[QualityFlag]) -> list[dict]:
    return [flag.to_dict() for flag in flags]


def flags_from_json(data: list[dict]) -> list[QualityFlag]:
    return [QualityFlag.from_dict(item) for item in data]


def assess(data: bytes, content_type: str, *, min_short_side: int) -> list[QualityFlag]:
    """The quality flags of an upload's first page ([] when it is fine). Raises
    ``mrz_page.PageUnreadable`` for bytes that are no JPEG, PNG or PDF."""
    page = load_page(data, content_type, max_side=DECODE_SIDE)
    document = crop_to_content(page.image)
    flags = []
    if page.kind != TEXT_PDF and (short := round(min(document.size) * page.scale)) < min_short_side:
        flags.append(QualityFlag(TOO_SMALL, float(short), float(min_short_side)))
    return flags + _judge_document(scaled(document), page.kind)


def _judge_document(document: Image.Image, kind: str) -> list[QualityFlag]:
    grey = np.asarray(document, dtype=np.float32)
    paper, ink = (float(v) for v in np.percentile(grey, [90, 1]))
    detail = ink_share(document)
    if detail < EMPTY_DETAIL:
        return [QualityFlag(NEARLY_EMPTY, round(detail, 5), EMPTY_DETAIL)]
    flags = []
    if paper < DARK_PAPER:
        flags.append(QualityFlag(TOO_DARK, round(paper, 1), DARK_PAPER))
    if ink > FAINT_INK:
        flags.append(QualityFlag(OVEREXPOSED, round(ink, 1), FAINT_INK))
    if kind != TEXT_PDF and min(grey.shape) >= 3 * TILE and (value := sharpness(grey, paper - ink)) < SHARPNESS:
        flags.append(QualityFlag(BLURRED, round(value, 1), SHARPNESS))
    return flags


def scaled(image: Image.Image) -> Image.Image:
    """At most MEASURE_SIDE px on the long side: photos of any size measure alike."""
    scale = min(1.0, MEASURE_SIDE / max(image.size))
    if scale == 1:
        return image
    return image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))),
                        Image.Resampling.BOX)


def ink_share(image: Image.Image) -> float:
    """The share of pixels clearly darker than their surroundings, after a 3x3 average (sensor
    noise and JPEG speckle do not count; a shadow across a blank sheet does not either)."""
    smooth = np.asarray(image.filter(ImageFilter.BoxBlur(1)), dtype=np.float32)
    local = np.asarray(image.filter(ImageFilter.BoxBlur(max(4, max(image.size) // 60))), dtype=np.float32)
    return float((smooth < local - INK_BELOW_SURROUNDINGS).mean())


def crop_to_content(image: Image.Image) -> Image.Image:
    """The image without its white margins; the whole image when it is white all over."""
    box = content_box(image)
    return image.crop(box) if box else image


def content_box(image: Image.Image) -> tuple[int, int, int, int] | None:
    """(left, top, right, bottom) of what is not white margin, found on a small smoothed copy
    (noise and dust average out) and taken a step inwards (no strip of margin stays at the edge),
    or None when nothing is."""
    step = max(1, round(max(image.size) / CONTENT_SIDE))
    small = np.asarray(image.reduce(step), dtype=np.float32)
    content = small < MARGIN_WHITE
    rows, columns = np.flatnonzero(content.mean(axis=1) > 0.02), np.flatnonzero(content.mean(axis=0) > 0.02)
    if len(rows) < 3 or len(columns) < 3:
        return None
    return (int(columns[0] + 1) * step, int(rows[0] + 1) * step, int(columns[-1]) * step, int(rows[-1]) * step)


def sharpness(grey: np.ndarray, contrast: float) -> float:
    """100 x the standard deviation of the Laplacian in the sharpest tiles, per unit of contrast
    (``grey`` at least 3 tiles on each side)."""
    laplacian = 4 * grey[1:-1, 1:-1] - grey[:-2, 1:-1] - grey[2:, 1:-1] - grey[1:-1, :-2] - grey[1:-1, 2:]
    h, w = (laplacian.shape[0] // TILE) * TILE, (laplacian.shape[1] // TILE) * TILE
    tiles = laplacian[:h, :w].reshape(h // TILE, TILE, w // TILE, TILE).std(axis=(1, 3))
    return float(100 * np.percentile(tiles, 90) / max(contrast, 1.0))


__all__ = ["CODES", "PageUnreadable", "QualityFlag", "assess", "flags_from_json", "flags_to_json"]
