"""The pipeline on real files, without the database: the size limit while spooling, what a file
really is, extensions that must agree, images re-encoded without their metadata, and the small
public helpers callers build their pages with."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from portal import uploads
from portal.uploads import images, pipeline
from tests.builders import files
from tests.uploads.helpers import ALL, MB, check, refused

# --- size -------------------------------------------------------------------------------------


class EndlessStream:
    """An upload that never ends, counting what the pipeline read from it."""

    def __init__(self, first: bytes = b"%PDF-1.7\n"):
        self.first, self.read_bytes = first, 0

    def read(self, size: int = -1) -> bytes:
        assert size > 0, "the pipeline asked for the whole stream"
        chunk = (self.first if self.read_bytes == 0 else b"") + b"0" * size
        chunk = chunk[:size]
        self.read_bytes += len(chunk)
        return chunk


def test_a_stream_over_the_limit_is_refused_without_reading_it_all():
    stream = EndlessStream()
    with pytest.raises(uploads.UploadRefused) as caught:
        with uploads.checked_upload(stream, "big.pdf", allowed=ALL, max_bytes=MB):
            pytest.fail("an oversized file was yielded")
    assert str(caught.value.message) == str(uploads.too_large_message(MB))
    assert MB < stream.read_bytes <= MB + pipeline.CHUNK


def test_size_limit_is_checked_while_copying():
    assert "larger than 1 MB" in refused(files.pdf(pad_bytes=MB + 1000), "big.pdf", max_bytes=MB)
    assert check(files.pdf(pad_bytes=MB // 2), "fits.pdf", max_bytes=MB)[0] == "pdf"


def test_exactly_the_limit_fits():
    data = files.pdf()
    assert check(data, "a.pdf", max_bytes=len(data))[0] == "pdf"
    assert "larger than" in refused(data, "a.pdf", max_bytes=len(data) - 1)


@pytest.mark.parametrize("size, text", [(10 * MB, "10"), (MB * 5 // 2, "2.5"), (MB, "1")])
def test_megabytes_for_people(size, text):
    assert uploads.megabytes(size) == text
    assert f"larger than {text} MB" in str(uploads.too_large_message(size))


def test_an_empty_file_is_refused():
    assert refused(b"", "empty.pdf") == "The file is empty. Please choose the file again."


# --- what a file is ---------------------------------------------------------------------------

def test_a_real_pdf_is_stored_unchanged_with_its_size_and_digest():
    import hashlib

    data = files.pdf(pages=2)
    with uploads.checked_upload(io.BytesIO(data), "certificate.pdf", allowed=["pdf"], max_bytes=MB) as checked:
        assert checked.path.read_bytes() == data and checked.kind is uploads.KINDS["pdf"]
        assert (checked.size, checked.sha256) == (len(data), hashlib.sha256(data).hexdigest())
        assert checked.display_name == "certificate.pdf"
        with checked.open() as fh:
            assert fh.read() == data


@pytest.mark.parametrize("data, name, expected", [
    (files.html_page(), "passport.pdf", "not a PDF, JPEG or PNG"),
    (files.svg(), "photo.svg", "not a PDF, JPEG or PNG"),
    (files.svg(), "photo.png", "not a PDF, JPEG or PNG"),
    (files.zip_file(), "documents.zip", "This is a ZIP file"),
    (files.docx(), "certificate.docx", "This is a DOCX file"),
    (files.docx(), "certificate.pdf", "This is a DOCX file"),
    (files.gif(), "photo.gif", "This is a GIF file"),
])
def test_files_that_are_not_pdf_jpeg_or_png_are_refused(data, name, expected):
    assert expected in refused(data, name)


def test_the_kind_must_be_allowed_for_the_document_type():
    assert refused(files.pdf(), "photo.pdf", allowed=["jpeg", "png"]) == (
        "PDF files are not accepted for this document. Accepted: JPEG, PNG.")


@pytest.mark.parametrize("data, name, expected", [
    (files.pdf(), "passport.jpg", "The file name ends in .jpg but the file is really a PDF file."),
    (files.jpeg(), "passport.pdf", "The file name ends in .pdf but the file is really a JPEG file."),
    (files.pdf(), "passport.pdf.exe", "The file name ends in .exe but the file is really a PDF file."),
    (files.png(), "scan", "The file name has no extension"),
])
def test_the_extension_must_agree_with_the_content(data, name, expected):
    assert refused(data, name).startswith(expected)


@pytest.mark.parametrize("name", ["photo.jpg", "photo.JPEG", "photo.jpe"])
def test_jpeg_extensions(name):
    assert check(files.jpeg(), name)[0] == "jpeg"


def test_temporary_files_are_removed_when_the_caller_fails_inside_the_block():
    with pytest.raises(RuntimeError), uploads.checked_upload(io.BytesIO(files.pdf()), "a.pdf", allowed=ALL,
                                                             max_bytes=MB):
        raise RuntimeError("the caller's database went away")
    # the autouse ``scratch`` fixture checks that the temporary folder is empty


# --- images -----------------------------------------------------------------------------------

def test_jpeg_is_reencoded_without_exif_or_gps_and_turned_upright():
    data = files.jpeg(120, 80, exif=files.exif_with_gps_and_rotation())
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # the sample has GPS
    kind, stored, _name = check(data, "photo.jpg")
    image = Image.open(io.BytesIO(stored))
    assert (kind, image.format) == ("jpeg", "JPEG")
    assert image.size == (80, 120)  # orientation 6 applied before the metadata was dropped
    assert not image.getexif() and b"Exif" not in stored and b"PhoneMaker" not in stored
    assert stored != data


def test_html_appended_to_a_jpeg_is_gone_after_reencoding():
    data = files.jpeg() + b"<html><script>alert(document.cookie)</script></html>"
    kind, stored, _name = check(data, "photo.jpg")
    assert kind == "jpeg" and b"<script" not in stored and b"<html" not in stored
    assert Image.open(io.BytesIO(stored)).size == (120, 80)


def test_png_text_chunks_are_dropped():
    data = files.png(text="taken at 40.37N 49.83E by someone")
    assert b"40.37N" in data
    kind, stored, _name = check(data, "scan.png")
    assert kind == "png" and b"40.37N" not in stored
    assert Image.open(io.BytesIO(stored)).size == (100, 60)


@pytest.mark.parametrize("mode", ["1", "L", "RGBA", "P"])
def test_png_modes_survive_reencoding(mode):
    _kind, stored, _name = check(files.png(mode=mode), "scan.png")
    assert Image.open(io.BytesIO(stored)).size == (100, 60)


def test_huge_dimension_png_is_refused_from_its_header():
    data = files.huge_png_header(30000, 30000)
    assert len(data) < 2000
    assert refused(data, "bomb.png") == str(images.too_many_pixels_message())


def test_just_over_the_pixel_limit_is_refused(monkeypatch):
    monkeypatch.setattr(images, "MAX_IMAGE_PIXELS", 100 * 59)
    assert "too many pixels" in refused(files.png(100, 60), "scan.png")


def test_a_truncated_image_is_refused():
    data = files.noise_png(64, 64)
    assert refused(data[: len(data) - 200], "scan.png") == str(images.IMAGE_UNREADABLE)


def test_thumbnail_is_a_small_jpeg():
    small = uploads.thumbnail(io.BytesIO(files.jpeg(1200, 800)), uploads.KINDS["jpeg"], size=100)
    image = Image.open(io.BytesIO(small))
    assert image.format == "JPEG" and max(image.size) == 100


# --- helpers for pages ------------------------------------------------------------------------

def test_kind_labels_and_accept_attribute():
    assert uploads.kind_labels(["pdf", "jpeg", "gif"]) == "PDF, JPEG"
    assert uploads.accept_attribute(["pdf", "jpeg"]) == ".pdf,.jpg,.jpeg,application/pdf,image/jpeg"


def test_kind_by_mime():
    assert uploads.kind_by_mime("image/png") is uploads.KINDS["png"]
    assert uploads.kind_by_mime("image/gif") is None and uploads.kind_by_mime(None) is None


def test_refusal_keeps_the_lazy_message():
    error = uploads.UploadRefused(uploads.too_large_message(MB))
    assert str(error) == str(error.message) and not isinstance(error.message, str)
