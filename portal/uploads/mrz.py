"""Reading a passport's machine-readable zone at upload, to catch typing mistakes early.

    reading = mrz.read_mrz(data, "image/jpeg")          # MrzReading, state "read" or "unreadable"
    checks = mrz.compare(reading, mrz.TypedPassport(...))  # [] unless the reading is confident
    document.mrz = reading.to_dict(); document.mrz_checks = mrz.checks_to_json(checks)

Why it is built this way: the scan never leaves the machine (Tesseract runs locally on the zone
cut out of the page); a wrong reading would do more harm than none, so a reading counts only when
every check digit passes and independent reads agree, and "we could not read the scan
automatically" is an ordinary outcome. Reading takes about half a second to a second of one
core (mostly two runs of Tesseract, 0.1-0.3 s each; up to six for a hard scan); ``time_limit``
bounds it.

The steps live in their own modules: ``mrz_page`` (the first page as pixels), ``mrz_locate``
(find and straighten the zone), ``mrz_cells`` (which cells hold fillers), ``mrz_ocr``
(Tesseract), ``mrz_align`` (fit a read onto the cells), ``mrz_repair`` (correct and join the
reads), ``mrz_format`` (ICAO 9303: check digits and fields), ``mrz_reading`` (the stored
result), ``mrz_compare`` (typed against read).
"""

from __future__ import annotations

import logging
import subprocess
import time
from datetime import date

from portal.uploads.mrz_align import Aligned, align
from portal.uploads.mrz_cells import filler_masks
from portal.uploads.mrz_compare import FieldCheck, TypedPassport, checks_from_json, checks_to_json, compare
from portal.uploads.mrz_format import LINE1_KINDS, LINE2_KINDS, parse
from portal.uploads.mrz_locate import find_zone
from portal.uploads.mrz_ocr import OcrFailed, read_lines, sized, zone_lines
from portal.uploads.mrz_page import PageUnreadable, load_page
from portal.uploads.mrz_reading import NO_OCR, NO_ZONE, NOT_AN_IMAGE, NOT_CONFIRMED, TIME_LIMIT, MrzReading
from portal.uploads.mrz_repair import agreed_line2, correct, plausible, vote

log = logging.getLogger(__name__)

MAX_SIDE = 2400  # a phone photo is decoded at a reduced scale: the zone needs no more
GIVE_UP_AFTER = 2  # reads, when none of them looks like a passport's zone

__all__ = ["FieldCheck", "MrzReading", "TypedPassport", "checks_from_json", "checks_to_json", "compare", "read_mrz"]


def read_mrz(data: bytes, content_type: str, *, time_limit: float = 10.0, today: date | None = None) -> MrzReading:
    """Read the zone of a passport scan (JPEG, PNG, or the first page of a PDF) within
    ``time_limit`` seconds. ``today`` resolves two-digit years (tests pin it)."""
    started = time.monotonic()
    deadline = started + time_limit
    try:
        page = load_page(data, content_type, max_side=MAX_SIDE)
    except PageUnreadable:
        return MrzReading.unreadable(NOT_AN_IMAGE, time.monotonic() - started)
    zone = find_zone(page.image)
    masks = filler_masks(zone) if zone else None
    if masks is None:
        return MrzReading.unreadable(NO_ZONE, time.monotonic() - started)
    reads: list[tuple[Aligned, Aligned]] = []
    for attempt, image in enumerate(sized(zone), start=1):
        try:
            pair = zone_lines(read_lines(image, timeout=deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            return MrzReading.unreadable(TIME_LIMIT, time.monotonic() - started)
        except OcrFailed as exc:
            log.warning("MRZ not read: %s", exc)
            return MrzReading.unreadable(NO_OCR, time.monotonic() - started)
        if pair:
            reads.append((correct(align(pair[0], masks[0], LINE1_KINDS), LINE1_KINDS),
                          correct(align(pair[1], masks[1], LINE2_KINDS), LINE2_KINDS)))
        reading = conclude(reads, today or date.today(), started)
        if reading:
            return reading
        if attempt >= GIVE_UP_AFTER and not any(plausible(*read) for read in reads):
            break  # text, but not a passport's zone (a letter, a certificate)
    return MrzReading.unreadable(NOT_CONFIRMED, time.monotonic() - started)


def conclude(reads: list[tuple[Aligned, Aligned]], today: date, started: float) -> MrzReading | None:
    """A confident reading once the reads so far agree and pass every check; None: read on."""
    if len(reads) < 2:
        return None
    line1, agreed = vote([read[0] for read in reads])
    line2 = agreed_line2([read[1] for read in reads]) if agreed else None
    fields = parse(line1, line2, today) if line2 else None
    if fields is None:
        return None
    return MrzReading.confident(line1, line2, fields, time.monotonic() - started)
