"""Real and hostile files, made in the tests: PDFs with pypdf, images with Pillow, the rest by hand."""

from __future__ import annotations

import io
import math
import struct
import zipfile
import zlib

from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)


def _write(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf(pages: int = 1, pad_bytes: int = 0) -> bytes:
    """A real PDF; ``pad_bytes`` adds an image stream of that size (for big files)."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    if pad_bytes:
        side = max(1, math.ceil((pad_bytes / 3) ** 0.5))
        image = DecodedStreamObject()
        image.set_data((bytes(range(256)) * (side * side * 3 // 256 + 1))[: side * side * 3])
        image.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Image"),
                      NameObject("/Width"): NumberObject(side), NameObject("/Height"): NumberObject(side),
                      NameObject("/ColorSpace"): NameObject("/DeviceRGB"),
                      NameObject("/BitsPerComponent"): NumberObject(8)})
        reference = writer._add_object(image)
        page = writer.pages[0]
        page[NameObject("/Resources")] = DictionaryObject({
            NameObject("/XObject"): DictionaryObject({NameObject("/Im0"): reference})})
    return _write(writer)


def _js_action(script: str = "app.alert('hello')") -> DictionaryObject:
    return DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                             NameObject("/JS"): TextStringObject(script)})


def pdf_with_open_action_js() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer._root_object[NameObject("/OpenAction")] = _js_action()
    return _write(writer)


def pdf_with_launch() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject({
        NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")})
    return _write(writer)


def pdf_with_page_aa() -> bytes:
    writer = PdfWriter()
    page = writer.add_blank_page(200, 200)
    page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): _js_action()})
    return _write(writer)


def pdf_with_link_js() -> bytes:
    writer = PdfWriter()
    page = writer.add_blank_page(200, 200)
    annotation = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
        NameObject("/Rect"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(50), NumberObject(50)]),
        NameObject("/A"): _js_action()})
    page[NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])
    return _write(writer)


def pdf_with_attachment() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_attachment("payload.exe", b"MZ not really a program")
    return _write(writer)


def pdf_encrypted() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt("secret password")
    return _write(writer)


def pdf_header_then_html() -> bytes:
    return b"%PDF-1.7\n<html><body><script>alert(document.cookie)</script></body></html>\n"


def pdf_with_html_after_eof() -> bytes:
    return pdf() + b"\n<html><script>alert(document.cookie)</script></html>\n"


def html_page() -> bytes:
    return b"<!doctype html><html><body><script>alert(1)</script></body></html>"


def svg() -> bytes:
    return (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
            b"<script>alert(1)</script></svg>")


def zip_file() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("passport.pdf", pdf())
    return out.getvalue()


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def jpeg(width: int = 120, height: int = 80, exif: Image.Exif | None = None, color=(200, 30, 30)) -> bytes:
    image = Image.new("RGB", (width, height), color)
    image.paste((20, 20, 200), (0, 0, width // 2, height // 4))  # something to orient by
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92, exif=exif.tobytes() if exif is not None else b"")
    return out.getvalue()


def exif_with_gps_and_rotation() -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (40.0, 22.0, 30.0)
    gps[3] = "E"
    gps[4] = (49.0, 50.0, 10.0)
    return exif


def png(width: int = 100, height: int = 60, mode: str = "RGB", text: str | None = None) -> bytes:
    from PIL import PngImagePlugin

    image = Image.new(mode, (width, height), "white" if mode != "1" else 1)
    info = None
    if text:
        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", text)
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    return out.getvalue()


def noise_png(width: int, height: int) -> bytes:
    import os

    image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=1)
    return out.getvalue()


def huge_png_header(width: int = 30000, height: int = 30000) -> bytes:
    """A small PNG file whose header claims an enormous picture (a decompression bomb's shape)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 1024)) + chunk(b"IEND", b""))


def gif() -> bytes:
    out = io.BytesIO()
    Image.new("P", (10, 10)).save(out, "GIF")
    return out.getvalue()
