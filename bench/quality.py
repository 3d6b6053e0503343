"""Does the scan-quality check sort scans right? A generated set of passport pages (the pages of
bench/passport_samples.py): sharp and blurred, normal, dark and washed out, large and small,
blank sheets and walls, some as scanned PDFs on an A4 page and some as PDFs of text. A scan is
sorted right when its flags are exactly the expected ones (none for a good scan).

    .venv/bin/python -m bench.quality [--count 60] [--seed 1] [--verbose]

Target: at least 95% sorted right; exits 1 below. --verbose prints each scan's measures, which
is how the thresholds in portal/uploads/quality.py were calibrated.
"""

from __future__ import annotations

import argparse
import io
import random
from dataclasses import dataclass

import numpy as np
from fpdf import FPDF
from PIL import Image, ImageFilter

from bench.passport_samples import PEOPLE, add_noise, passport, render_page
from portal.uploads.quality import BLURRED, NEARLY_EMPTY, OVEREXPOSED, TOO_DARK, TOO_SMALL, assess

TARGET = 0.95
MIN_SHORT_SIDE = 1000
KINDS = ("good", "blurred", "dark", "overexposed", "small", "empty", "text_pdf")
EXPECTED = {"good": set(), "blurred": {BLURRED}, "dark": {TOO_DARK}, "overexposed": {OVEREXPOSED},
            "small": {TOO_SMALL}, "empty": {NEARLY_EMPTY}, "text_pdf": set()}


@dataclass(frozen=True)
class QualitySample:
    kind: str
    data: bytes
    content_type: str

    @property
    def expected(self) -> set[str]:
        return EXPECTED[self.kind]


def quality_samples(count: int, seed: int = 0) -> list[QualitySample]:
    return [quality_sample(KINDS[n % len(KINDS)], seed * 100_000 + n) for n in range(count)]


def quality_sample(kind: str, seed: int) -> QualitySample:
    rng = random.Random(seed)  # noqa: S311  (made-up test data, reproducible from the seed)
    if kind == "text_pdf":
        return QualitySample(kind, text_pdf(rng), "application/pdf")
    image = blank(rng) if kind == "empty" else page(rng)
    long_side = rng.randrange(500, 800) if kind == "small" else rng.randrange(1600, 2200)
    image = image.resize((long_side, round(long_side * image.height / image.width)), Image.Resampling.LANCZOS)
    if kind == "blurred":
        image = image.filter(ImageFilter.GaussianBlur(rng.uniform(2.5, 5) * long_side / 1250))
    if kind == "dark":
        gain = rng.uniform(0.25, 0.45)
        image = image.point(lambda v: round(v * gain))
    if kind == "overexposed":
        keep = rng.uniform(0.12, 0.3)  # of the distance to white
        image = image.point(lambda v: round(255 - (255 - v) * keep))
    image = add_noise(image, rng.uniform(2, 6), rng)
    data, content_type = encode(rng, image)
    return QualitySample(kind, data, content_type)


def page(rng: random.Random) -> Image.Image:
    person = rng.choice(PEOPLE)
    truth, line1, line2 = passport(rng, person)
    return render_page(line1, line2, truth, person, rng)


def blank(rng: random.Random) -> Image.Image:
    """A blank sheet or a wall: one colour with a soft shade across it."""
    base = np.full((880, 1250), rng.uniform(120, 245), dtype=np.float32)
    shade = np.linspace(-rng.uniform(0, 15), rng.uniform(0, 15), 1250, dtype=np.float32)[None, :]
    return Image.fromarray(np.clip(base + shade, 0, 255).astype(np.uint8)).convert("RGB")


def encode(rng: random.Random, image: Image.Image) -> tuple[bytes, str]:
    out = io.BytesIO()
    if rng.random() < 0.25:
        dpi = 254 * image.width / 1250
        a4 = Image.new("RGB", (round(8.27 * dpi), round(11.69 * dpi)), (255, 255, 255))
        a4.paste(image, (round(0.6 * dpi), round(0.8 * dpi)))
        a4.save(out, "PDF", resolution=dpi, quality=85)
        return out.getvalue(), "application/pdf"
    image.save(out, "JPEG", quality=rng.randrange(70, 93))
    return out.getvalue(), "image/jpeg"


def text_pdf(rng: random.Random) -> bytes:
    """A letter made on a computer: text only, sharp at any size and without a page image."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    for n in range(rng.randrange(8, 30)):
        pdf.cell(0, 7, f"Line {n + 1} of a letter to the admissions office, written on a computer.",
                 new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=70, help="number of generated scans")
    parser.add_argument("--seed", type=int, default=1, help="the generated set (the tests use seed 0)")
    parser.add_argument("--verbose", action="store_true", help="one line per scan, with its measures")
    args = parser.parse_args()
    right = 0
    scans = quality_samples(args.count, args.seed)
    for scan in scans:
        flags = assess(scan.data, scan.content_type, min_short_side=MIN_SHORT_SIDE)
        ok = {flag.code for flag in flags} == scan.expected
        right += ok
        if args.verbose or not ok:
            print(f"  {scan.kind:<12} {scan.content_type:<16} {'ok   ' if ok else 'WRONG'} "
                  + ", ".join(f"{f.code} {f.value:g} (limit {f.threshold:g})" for f in flags))
    share = right / len(scans)
    print(f"scans: {len(scans)} ({', '.join(f'{sum(s.kind == k for s in scans)} {k}' for k in KINDS)})")
    print(f"sorted right: {right} / {len(scans)} = {share:.1%}   "
          f"(target >= {TARGET:.0%}: {'met' if share >= TARGET else 'NOT met'})")
    return 0 if share >= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
