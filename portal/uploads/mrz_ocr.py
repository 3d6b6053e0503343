"""Tesseract, run on this machine, on the cut-out zone only.

Why the ``tesseract`` binary through a subprocess and not a Python binding: it runs offline with
the image on its standard input (no file, nothing sent anywhere), its time limit is enforced by
killing the process, and ``OMP_THREAD_LIMIT=1`` keeps one reading to one core while other
requests are served. Why these settings, found on generated passport pages: page segmentation
mode 6 (one block of text), only A-Z 0-9 and ``<`` allowed, the zone resized to about 800 px wide
with its height squeezed to 0.7 (Tesseract's English model reads OCR-B's narrow, tall
characters better a little flattened), and each further read at another width, so that the reads
do not all make the same mistake. Most zones are settled by the first two reads.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from collections.abc import Iterator

from PIL import Image, ImageOps

WHITELIST = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"
READS = ((800, 0.7), (920, 0.7), (700, 0.7), (1000, 0.75), (620, 0.7), (860, 0.65))
MIN_LINE_LENGTH = 30  # shorter lines of output are specks, not a zone line


class OcrFailed(RuntimeError):
    """Tesseract is missing or failed (not: it read nothing useful)."""


def tesseract_path() -> str | None:
    return shutil.which("tesseract")


def sized(zone: Image.Image) -> Iterator[Image.Image]:
    """The zone as Tesseract gets it, once per read."""
    for width, squeeze in READS:
        height = max(8, round(zone.height * width / zone.width * squeeze))
        yield ImageOps.autocontrast(zone.resize((width, height), Image.Resampling.LANCZOS), cutoff=1)


def read_lines(image: Image.Image, timeout: float) -> list[str]:
    """Tesseract's lines of text, spaces removed. Raises subprocess.TimeoutExpired (the process is
    killed) and OcrFailed."""
    binary = tesseract_path()
    if binary is None:
        raise OcrFailed("tesseract is not installed")
    png = io.BytesIO()
    image.save(png, "PNG")
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    command = [binary, "stdin", "stdout", "-l", "eng", "--psm", "6", "-c", f"tessedit_char_whitelist={WHITELIST}"]
    done = subprocess.run(command, input=png.getvalue(), capture_output=True, timeout=max(0.01, timeout),  # noqa: S603
                          env=env, check=False)
    if done.returncode != 0:
        raise OcrFailed(done.stderr.decode(errors="replace").strip()[-200:])
    return [line.replace(" ", "") for line in done.stdout.decode(errors="replace").splitlines() if line.strip()]


def zone_lines(lines: list[str]) -> tuple[str, str] | None:
    """The two lines of the zone among Tesseract's lines: the two longest, in their order."""
    long = [line for line in lines if len(line) >= MIN_LINE_LENGTH]
    if len(long) < 2:
        return None
    keep = sorted(sorted(range(len(long)), key=lambda i: len(long[i]))[-2:])
    return long[keep[0]], long[keep[1]]
