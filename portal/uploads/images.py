"""Images are never stored as sent: they are decoded and written again.

Why: a JPEG or PNG can carry EXIF/GPS metadata (where a person lives), text chunks, and anything
appended after the picture (an HTML page, a ZIP). Decoding with the one Pillow decoder for the
detected kind, after the pixel count in the header is checked (a small file can claim a picture of
gigapixels), and writing a fresh file leaves only the pixels; the orientation the camera recorded
is applied first, so the picture still stands upright without its metadata.
"""

from __future__ import annotations

import io
import logging
import warnings
from pathlib import Path
from typing import BinaryIO

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps

from portal.uploads.errors import UploadRefused
from portal.uploads.kinds import Kind

log = logging.getLogger(__name__)

MAX_IMAGE_PIXELS = 40_000_000  # a 600 dpi A4 scan is 35 Mpx; phone photos are 12-24 Mpx
JPEG_QUALITY = 90

# Pillow's own bomb guard uses the same limit (a warning above it, an error above twice it).
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS

IMAGE_UNREADABLE = _l("This image could not be read; it may be damaged. Please take the photo or scan "
                      "again and upload the new file.")


def too_many_pixels_message():
    return _l("This image has too many pixels (at most %(limit)s million). Please upload a smaller "
              "photo or scan.", limit=MAX_IMAGE_PIXELS // 1_000_000)


def reencode_image(source: Path, kind: Kind, dest: Path) -> None:
    """Decode with the one decoder for the detected kind (pixel count checked from the header
    first), apply the EXIF orientation, and write a fresh file without any metadata."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source, formats=[kind.pillow_format]) as image:
                width, height = image.size
                if width < 1 or height < 1 or width * height > MAX_IMAGE_PIXELS:
                    raise UploadRefused(too_many_pixels_message())
                image.load()
                ImageOps.exif_transpose(image, in_place=True)  # no second copy of the pixels
                clean = _normalise_mode(image, kind)
        clean.info = {}  # EXIF, GPS, ICC, text chunks: nothing of the original travels on
        _save_clean(clean, kind, dest)
    except UploadRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise UploadRefused(too_many_pixels_message()) from exc
    except Exception as exc:  # noqa: BLE001  (decoders raise OSError, SyntaxError, ValueError ...)
        log.info("image refused as unreadable: %s", type(exc).__name__)
        raise UploadRefused(IMAGE_UNREADABLE) from exc


def _normalise_mode(image: Image.Image, kind: Kind) -> Image.Image:
    if kind.code == "jpeg":
        return image if image.mode in ("L", "RGB") else image.convert("RGB")
    if image.mode == "P" and "transparency" in image.info:
        return image.convert("RGBA")
    if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
        return image.convert("RGBA" if "A" in image.getbands() else "RGB")
    return image


def _save_clean(image: Image.Image, kind: Kind, dest: Path) -> None:
    if kind.code == "jpeg":
        image.save(dest, "JPEG", quality=JPEG_QUALITY, optimize=True)
    else:
        image.save(dest, "PNG", optimize=True)


def thumbnail(stream: BinaryIO, kind: Kind, size: int = 320) -> bytes:
    """A small JPEG of a stored (already re-encoded) image, for the applicant's checklist."""
    with Image.open(stream, formats=[kind.pillow_format]) as image:
        image.draft("RGB", (size * 2, size * 2))  # JPEG: decode at a reduced scale, cheaply
        image.thumbnail((size, size))
        small = image.convert("RGB")
    out = io.BytesIO()
    small.save(out, "JPEG", quality=80)
    return out.getvalue()
