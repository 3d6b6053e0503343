"""Scan-quality flags on generated passport pages (bench/quality.py), one scan per case."""

from __future__ import annotations

import io
import json
import random

import pytest
from PIL import Image

from bench.quality import quality_sample, text_pdf
from portal.uploads.quality import (
    BLURRED,
    NEARLY_EMPTY,
    OVEREXPOSED,
    TOO_DARK,
    TOO_SMALL,
    PageUnreadable,
    QualityFlag,
    assess,
    flags_from_json,
    flags_to_json,
)

MIN = 1000


def codes(flags: list[QualityFlag]) -> set[str]:
    return {flag.code for flag in flags}


@pytest.mark.parametrize(("kind", "seed", "expected"), [
    ("good", 1, set()),
    ("good", 3, set()),
    ("blurred", 1, {BLURRED}),
    ("dark", 1, {TOO_DARK}),
    ("overexposed", 1, {OVEREXPOSED}),
    ("small", 1, {TOO_SMALL}),
    ("empty", 1, {NEARLY_EMPTY}),
])
def test_each_kind_of_scan_gets_its_flag(kind, seed, expected):
    scan = quality_sample(kind, seed)
    assert codes(assess(scan.data, scan.content_type, min_short_side=MIN)) == expected


def test_a_flag_says_what_was_measured_and_the_limit():
    scan = quality_sample("small", 1)
    (flag,) = assess(scan.data, scan.content_type, min_short_side=MIN)
    assert flag.code == TOO_SMALL and flag.threshold == MIN and 300 <= flag.value < MIN


def scanned_pdf(width: int, height: int, dpi: float) -> bytes:
    """A page image drawn like a scan of a printed page (text lines on white)."""
    image = Image.new("L", (width, height), 245)
    for y in range(height // 10, height - height // 10, max(6, height // 40)):
        image.paste(20, (width // 10, y, width - width // 10, y + max(2, height // 200)))
    out = io.BytesIO()
    image.save(out, "PDF", resolution=dpi)
    return out.getvalue()


def test_a_scanned_pdf_is_judged_by_its_page_image():
    low = assess(scanned_pdf(620, 877, 75), "application/pdf", min_short_side=MIN)
    assert TOO_SMALL in codes(low)
    fine = assess(scanned_pdf(2480, 3508, 300), "application/pdf", min_short_side=MIN)
    assert TOO_SMALL not in codes(fine)


def test_a_pdf_of_text_is_never_small_or_blurred():
    assert assess(text_pdf(random.Random(1)), "application/pdf", min_short_side=MIN) == []


def test_flags_travel_as_json():
    scan = quality_sample("dark", 2)
    flags = assess(scan.data, scan.content_type, min_short_side=MIN)
    assert flags and flags_from_json(json.loads(json.dumps(flags_to_json(flags)))) == flags
    with pytest.raises(ValueError):
        flags_from_json([{"code": "ugly", "value": 1, "threshold": 2}])


def test_bytes_that_are_no_image_raise():
    with pytest.raises(PageUnreadable):
        assess(b"not an image", "image/png", min_short_side=MIN)
