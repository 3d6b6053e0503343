"""Real and hostile files for the whole suite, made in the tests: PDFs with pypdf's writer objects,
images with Pillow, the rest by hand. Every upload test builds its files here.

Where the old builders went (``tests/samples.py`` and the PDFs of ``tests/factories_public.py``):
- every ``samples.X`` is ``files.X``, same name, same behaviour;
- factories_public.plain_pdf              -> files.pdf()  (an A4 page instead of 200x200 points)
- factories_public.pdf_with_javascript    -> files.pdf_with_names_javascript()
- factories_public.pdf_with_open_action   -> files.pdf_with_open_action_uri()
- factories_public.pdf_with_launch_action -> files.pdf_with_link_launch()
- factories_public.pdf_with_embedded_file -> files.pdf_with_attachment()  (the same file)
- factories_public.encrypted_pdf          -> files.pdf_encrypted()  (a user password, no owner one)
New: pdf_with_hex_escaped_js_name, pdf_with_bookmark_js, pdf_with_indirect_script,
pdf_with_hex_escaped_launch, pdf_with_compressed_bookmark_js, pdf_with_indirect_action_name,
pdf_with_xfa_form, pdf_with_goto_open_action, pdf_with_bookmarks.
"""

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
    FloatObject,
    IndirectObject,
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


# --- PDFs that were only in factories_public ---------------------------------------------

def pdf_with_names_javascript() -> bytes:
    """A document-level script in the /Names tree (no /OpenAction, so only the script is found)."""
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    tree = DictionaryObject({NameObject("/Names"): ArrayObject([
        TextStringObject("hello"), writer._add_object(_js_action("app.alert('hello');"))])})
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})
    return _write(writer)


def pdf_with_open_action_uri() -> bytes:
    """Opening the file sends the viewer to a web address: no script, but it runs unasked."""
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    action = DictionaryObject({NameObject("/S"): NameObject("/URI"),
                               NameObject("/URI"): TextStringObject("https://example.com/")})
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    return _write(writer)


def _add_link(writer: PdfWriter, action) -> None:
    """A link annotation on the first page that runs ``action`` when clicked."""
    annotation = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
        NameObject("/Rect"): ArrayObject([FloatObject(0), FloatObject(0), FloatObject(50), FloatObject(50)]),
        NameObject("/A"): action})
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])


def pdf_with_link_launch() -> bytes:
    """A link annotation whose action launches a program (no /OpenAction, no /JS anywhere)."""
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    _add_link(writer, DictionaryObject({NameObject("/S"): NameObject("/Launch"),
                                        NameObject("/F"): TextStringObject("calc.exe")}))
    return _write(writer)


# --- hostile PDFs that hide their action --------------------------------------------------

class _HexEscapedName(NameObject):
    """A name pypdf writes with its third character as a ``#xx`` escape (``/J#61vaScript``).
    Every reader decodes it back to ``/JavaScript``; a search of the bytes does not."""

    def renumber(self) -> bytes:
        text = str(self)
        return f"{text[:2]}#{ord(text[2]):02X}{text[3:]}".encode()


def _middle_bookmark(writer: PdfWriter) -> DictionaryObject:
    """Three bookmarks (outline items) to three pages; returns the middle one, which the outline
    reaches only through the first item's /Next (and the last one's /Prev)."""
    for _ in range(3):
        writer.add_blank_page(200, 200)
    items = [writer.add_outline_item(title=f"Part {n + 1}", page_number=n) for n in range(3)]
    return items[1].get_object()


def pdf_with_bookmark_js() -> bytes:
    """The second bookmark's action is a script (run when the reader clicks the bookmark)."""
    writer = PdfWriter()
    _middle_bookmark(writer)[NameObject("/A")] = writer._add_object(_js_action())
    return _write(writer)


def pdf_with_hex_escaped_js_name() -> bytes:
    """The known bug's file: the second bookmark runs a script whose action name is written
    ``/S /J#61vaScript`` (no ``/JavaScript`` anywhere in the bytes)."""
    writer = PdfWriter()
    action = DictionaryObject({NameObject("/S"): _HexEscapedName("/JavaScript"),
                               NameObject("/JS"): TextStringObject("app.alert('hello')")})
    _middle_bookmark(writer)[NameObject("/A")] = writer._add_object(action)
    return _write(writer)


def pdf_with_hex_escaped_launch() -> bytes:
    """The second bookmark launches a program, its action written ``/S /L#61unch``: no /JS key and
    no plain /Launch in the bytes, so only the decoded /S gives it away."""
    writer = PdfWriter()
    action = DictionaryObject({NameObject("/S"): _HexEscapedName("/Launch"),
                               NameObject("/F"): TextStringObject("calc.exe")})
    _middle_bookmark(writer)[NameObject("/A")] = writer._add_object(action)
    return _write(writer)


def _serialised(obj) -> bytes:
    out = io.BytesIO()
    obj.write_to_stream(out)
    return out.getvalue()


def pdf_with_compressed_bookmark_js() -> bytes:
    """A bookmark's JavaScript action inside a compressed object stream (PDF 1.5), so no name of
    it appears in the file's bytes. pypdf's writer cannot write object streams: the objects are
    pypdf's, the stream and the cross-reference stream around them are put together here."""
    def ref(number: int) -> IndirectObject:
        return IndirectObject(number, 0, None)

    def box(*values: int) -> ArrayObject:
        return ArrayObject([NumberObject(v) for v in values])

    n = NameObject
    objects = [  # numbers 1-5, all inside object 6 (the object stream); 7 is the xref stream
        DictionaryObject({n("/Type"): n("/Catalog"), n("/Pages"): ref(2), n("/Outlines"): ref(3)}),
        DictionaryObject({n("/Type"): n("/Pages"), n("/Kids"): ArrayObject([ref(4)]), n("/Count"): NumberObject(1)}),
        DictionaryObject({n("/First"): ref(5), n("/Last"): ref(5), n("/Count"): NumberObject(1)}),
        DictionaryObject({n("/Type"): n("/Page"), n("/Parent"): ref(2), n("/MediaBox"): box(0, 0, 200, 200)}),
        DictionaryObject({n("/Title"): TextStringObject("Part 1"), n("/Parent"): ref(3), n("/A"): _js_action()}),
    ]
    bodies = [_serialised(obj) + b"\n" for obj in objects]
    offsets = [sum(len(body) for body in bodies[:i]) for i in range(len(bodies))]
    header = b"".join(b"%d %d " % (number, offset) for number, offset in enumerate(offsets, start=1))
    packed = zlib.compress(header + b"".join(bodies))
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    stream_at = len(out)
    out += (b"6 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
            % (len(objects), len(header), len(packed)) + packed + b"\nendstream\nendobj\n")
    xref_at = len(out)
    rows = struct.pack(">BIH", 0, 0, 65535) + b"".join(struct.pack(">BIH", 2, 6, i) for i in range(len(objects)))
    rows += struct.pack(">BIH", 1, stream_at, 0) + struct.pack(">BIH", 1, xref_at, 0)
    out += (b"7 0 obj\n<< /Type /XRef /Size 8 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" % len(rows)
            + rows + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at)
    return bytes(out)


def pdf_with_indirect_script() -> bytes:
    """A link's JavaScript action whose /JS is a reference to a separate stream object holding
    the script (the script itself lives in another object)."""
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    script = DecodedStreamObject()
    script.set_data(b"app.alert('hello');")
    _add_link(writer, DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                                        NameObject("/JS"): writer._add_object(script)}))
    return _write(writer)


def pdf_with_indirect_action_name() -> bytes:
    """A link whose action's /S is a reference to an object holding the name /Launch (no /JS key,
    so only the resolved /S tells what it does)."""
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    _add_link(writer, DictionaryObject({NameObject("/S"): writer._add_object(NameObject("/Launch")),
                                        NameObject("/F"): TextStringObject("calc.exe")}))
    return _write(writer)


def pdf_with_xfa_form() -> bytes:
    """An XFA form (scriptable XML forms) in the AcroForm dictionary."""
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    xfa = DecodedStreamObject()
    xfa.set_data(b'<xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/"></xdp:xdp>')
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject({
        NameObject("/Fields"): ArrayObject(), NameObject("/XFA"): writer._add_object(xfa)})
    return _write(writer)


# --- benign PDFs with actions -------------------------------------------------------------

def pdf_with_goto_open_action() -> bytes:
    """Opens at page 1, fitted to the window, as many scanners write it: harmless."""
    writer = PdfWriter()
    page = writer.add_blank_page(200, 200)
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject({
        NameObject("/S"): NameObject("/GoTo"),
        NameObject("/D"): ArrayObject([page.indirect_reference, NameObject("/Fit")])})
    return _write(writer)


def pdf_with_bookmarks() -> bytes:
    """Three bookmarks, each going to its page: what a long certificate or transcript has."""
    writer = PdfWriter()
    _middle_bookmark(writer)
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
