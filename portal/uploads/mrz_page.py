"""The first page of an upload as grey pixels, for the MRZ reader and the scan-quality checks.

Why a page and not just an image: a PDF can be a scan (one big page image, whose own resolution
is what the scanner delivered) or a document made on a computer (text and lines, sharp at any
size). ``kind`` tells them apart, and a scan is rendered at its own resolution (at most
MAX_RENDER_DPI), so that neither check invents detail that was never there nor throws away
detail that was; ``scale`` says how many delivered pixels one rendered pixel stands for. Large
JPEGs may be decoded at a reduced scale (``max_side``), which ``scale`` records too. Nothing
here writes a file.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image, ImageOps

IMAGE = "image"
SCANNED_PDF = "scanned_pdf"
TEXT_PDF = "text_pdf"

MAX_PIXELS = 40_000_000  # as for uploaded images (images.MAX_IMAGE_PIXELS)
MAX_RENDER_DPI = 300
TEXT_PDF_DPI = 200
SCAN_SHARE = 0.2  # a page image covering at least this share of the page makes the PDF a scan
PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}
PDF = "application/pdf"


class PageUnreadable(ValueError):
    """The bytes are not a JPEG, PNG or PDF that can be decoded."""


@dataclass(frozen=True)
class Page:
    """``image`` is greyscale ("L"); one of its pixels stands for ``scale`` pixels of what the
    camera or scanner delivered (for a PDF of text: 1)."""

    image: Image.Image
    kind: str
    scale: float = 1.0


def load_page(data: bytes, content_type: str, *, max_side: int | None = None) -> Page:
    """Decode an upload's first page. ``max_side`` lets a JPEG decode at a reduced scale (never
    below that long side) when the caller does not need every pixel."""
    if content_type == PDF:
        return _pdf_page(data)
    if content_type not in PILLOW_FORMATS:
        raise PageUnreadable(f"not an image or PDF: {content_type}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[PILLOW_FORMATS[content_type]]) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise PageUnreadable("too many pixels")
                if max_side and max(width, height) > max_side:
                    image.draft("L", (width * max_side // max(width, height), height * max_side // max(width, height)))
                grey = ImageOps.exif_transpose(image).convert("L")
    except PageUnreadable:
        raise
    except Exception as exc:  # noqa: BLE001  (decoders raise OSError, SyntaxError, ValueError ...)
        raise PageUnreadable(type(exc).__name__) from exc
    return Page(image=grey, kind=IMAGE, scale=max(width, height) / max(grey.size))


def _pdf_page(data: bytes) -> Page:
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise PageUnreadable("not a readable PDF") from exc
    try:
        if len(pdf) < 1:
            raise PageUnreadable("a PDF without pages")
        page = pdf[0]
        scan_dpi = _scan_dpi(page)
        width, height = page.get_size()
        render_dpi = min(scan_dpi or TEXT_PDF_DPI, MAX_RENDER_DPI, 72 * (MAX_PIXELS / max(1.0, width * height)) ** 0.5)
        image = page.render(scale=render_dpi / 72, grayscale=True).to_pil().convert("L")
    except pdfium.PdfiumError as exc:
        raise PageUnreadable("the first page cannot be rendered") from exc
    finally:
        pdf.close()
    if scan_dpi:
        return Page(image=image, kind=SCANNED_PDF, scale=scan_dpi / render_dpi)
    return Page(image=image, kind=TEXT_PDF)


def _scan_dpi(page: pdfium.PdfPage) -> float | None:
    """The resolution of the largest page image, when it covers SCAN_SHARE of the page."""
    width, height = page.get_size()
    best, best_area = None, 0.0
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]):
        left, bottom, right, top = obj.get_bounds()
        area = max(0.0, right - left) * max(0.0, top - bottom)
        if area > best_area:
            best, best_area = obj.get_px_size()[0] / (max(1.0, right - left) / 72), area
    return best if best_area >= SCAN_SHARE * width * height else None
