"""The upload pipeline's checks on real and hostile files (services/uploads.py), without the
database: what is refused and why, what is stored instead, names, and the virus-scanner hook."""

from __future__ import annotations

import io
import socket
import tempfile
import threading
from pathlib import Path

import pytest
from PIL import Image

from portal.services import uploads
from tests import samples

ALL = ["pdf", "jpeg", "png"]
MB = 1024 * 1024


@pytest.fixture(autouse=True)
def _tmp(ctx, tmp_path, monkeypatch):
    """Temporary files go to a folder of this test's, so we can see that none are left."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield
    assert list(folder.iterdir()) == [], "the pipeline left temporary files behind"


def check(data: bytes, name: str, allowed=ALL, max_bytes=10 * MB, scanner=None):
    """Run the pipeline; returns (kind, stored bytes, display name)."""
    with uploads.checked_upload(io.BytesIO(data), name, allowed=allowed, max_bytes=max_bytes,
                                scanner=scanner or uploads.ScannerSettings()) as checked:
        return checked.kind.code, checked.path.read_bytes(), checked.display_name


def refused(data: bytes, name: str, **kwargs) -> str:
    with pytest.raises(uploads.UploadRefused) as caught:
        check(data, name, **kwargs)
    return str(caught.value.message)


# --- what a file is ------------------------------------------------------------------------

def test_a_real_pdf_is_stored_unchanged():
    data = samples.pdf(pages=2)
    kind, stored, name = check(data, "certificate.pdf")
    assert (kind, stored, name) == ("pdf", data, "certificate.pdf")


@pytest.mark.parametrize("data, name, expected", [
    (samples.html_page(), "passport.pdf", "not a PDF, JPEG or PNG"),
    (samples.svg(), "photo.svg", "not a PDF, JPEG or PNG"),
    (samples.svg(), "photo.png", "not a PDF, JPEG or PNG"),
    (samples.zip_file(), "documents.zip", "This is a ZIP file"),
    (samples.docx(), "certificate.docx", "This is a DOCX file"),
    (samples.docx(), "certificate.pdf", "This is a DOCX file"),
    (samples.gif(), "photo.gif", "This is a GIF file"),
    (b"", "empty.pdf", "The file is empty"),
])
def test_files_that_are_not_pdf_jpeg_or_png_are_refused(data, name, expected):
    assert expected in refused(data, name)


def test_the_kind_must_be_allowed_for_the_document_type():
    assert "PDF files are not accepted for this document. Accepted: JPEG, PNG." in refused(
        samples.pdf(), "photo.pdf", allowed=["jpeg", "png"])


@pytest.mark.parametrize("data, name, expected", [
    (samples.pdf(), "passport.jpg", "ends in .jpg but the file is really a PDF file"),
    (samples.jpeg(), "passport.pdf", "ends in .pdf but the file is really a JPEG file"),
    (samples.pdf(), "passport.pdf.exe", "ends in .exe"),
    (samples.png(), "scan", "has no extension"),
])
def test_the_extension_must_agree_with_the_content(data, name, expected):
    assert expected in refused(data, name)


@pytest.mark.parametrize("name", ["photo.jpg", "photo.JPEG", "photo.jpe"])
def test_jpeg_extensions(name):
    assert check(samples.jpeg(), name)[0] == "jpeg"


def test_size_limit_is_checked_while_copying():
    assert "larger than 1 MB" in refused(samples.pdf(pad_bytes=MB + 1000), "big.pdf", max_bytes=MB)
    assert check(samples.pdf(pad_bytes=MB // 2), "fits.pdf", max_bytes=MB)[0] == "pdf"


# --- PDFs ----------------------------------------------------------------------------------

HOSTILE_PDFS = [
    (samples.pdf_with_open_action_js, "JavaScript or other active content"),
    (samples.pdf_with_launch, "JavaScript or other active content"),
    (samples.pdf_with_page_aa, "JavaScript or other active content"),
    (samples.pdf_with_link_js, "JavaScript or other active content"),
    (samples.pdf_with_attachment, "attached files"),
]


@pytest.mark.parametrize("make, expected", HOSTILE_PDFS)
def test_pdfs_with_active_content_are_refused(make, expected):
    assert expected in refused(make(), "document.pdf")


@pytest.mark.parametrize("make, expected", HOSTILE_PDFS)
def test_the_pdf_structure_check_alone_finds_active_content(monkeypatch, make, expected):
    """The byte scan is a second net; the parsed structure finds the same things on its own
    (names can be written as /J#61vaScript, or hidden in compressed object streams)."""
    import re

    monkeypatch.setattr(uploads, "_RAW_MARKERS", re.compile(rb"(?!x)x"))
    assert expected in refused(make(), "document.pdf")


@pytest.mark.parametrize("data, expected", [
    (samples.pdf_encrypted(), "protected with a password"),
    (samples.pdf_header_then_html(), "could not be read"),
    (samples.pdf_with_html_after_eof(), "unexpected content after its end"),
    (samples.pdf()[: len(samples.pdf()) // 2], "could not be read"),
    (b"%PDF-1.4\n%%EOF\n", "could not be read"),
])
def test_broken_encrypted_and_polyglot_pdfs_are_refused(data, expected):
    assert expected in refused(data, "document.pdf")


def test_a_little_padding_after_eof_is_tolerated():
    data = samples.pdf() + b"\r\n\x00\x00  \n"
    assert check(data, "scanner-output.pdf")[0] == "pdf"


# --- images --------------------------------------------------------------------------------

def test_jpeg_is_reencoded_without_exif_or_gps_and_turned_upright():
    data = samples.jpeg(120, 80, exif=samples.exif_with_gps_and_rotation())
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # the sample has GPS
    kind, stored, _name = check(data, "photo.jpg")
    image = Image.open(io.BytesIO(stored))
    assert (kind, image.format) == ("jpeg", "JPEG")
    assert image.size == (80, 120)  # orientation 6 applied before the metadata was dropped
    assert not image.getexif() and b"Exif" not in stored and b"PhoneMaker" not in stored
    assert stored != data


def test_html_appended_to_a_jpeg_is_gone_after_reencoding():
    data = samples.jpeg() + b"<html><script>alert(document.cookie)</script></html>"
    kind, stored, _name = check(data, "photo.jpg")
    assert kind == "jpeg" and b"<script" not in stored and b"<html" not in stored
    assert Image.open(io.BytesIO(stored)).size == (120, 80)


def test_png_text_chunks_are_dropped():
    data = samples.png(text="taken at 40.37N 49.83E by someone")
    assert b"40.37N" in data
    kind, stored, _name = check(data, "scan.png")
    assert kind == "png" and b"40.37N" not in stored
    assert Image.open(io.BytesIO(stored)).size == (100, 60)


@pytest.mark.parametrize("mode", ["1", "L", "RGBA", "P"])
def test_png_modes_survive_reencoding(mode):
    kind, stored, _name = check(samples.png(mode=mode), "scan.png")
    assert Image.open(io.BytesIO(stored)).size == (100, 60)


def test_huge_dimension_png_is_refused_from_its_header():
    data = samples.huge_png_header(30000, 30000)
    assert len(data) < 2000
    assert "too many pixels" in refused(data, "bomb.png")


def test_just_over_the_pixel_limit_is_refused(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_IMAGE_PIXELS", 100 * 59)
    assert "too many pixels" in refused(samples.png(100, 60), "scan.png")


def test_a_truncated_image_is_refused():
    data = samples.noise_png(64, 64)
    assert "could not be read" in refused(data[: len(data) - 200], "scan.png")


# --- names ---------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("../../x.pdf", "x.pdf"),
    ("..\\..\\windows\\x.pdf", "x.pdf"),
    ("/etc/passwd.pdf", "passwd.pdf"),
    ("pass\r\nport.pdf", "pass port.pdf"),
    ('my "passport" \'scan\'.pdf', "my passport scan.pdf"),
    ("паспорт.pdf", "паспорт.pdf"),
    ("Pasport şəkli.pdf", "Pasport şəkli.pdf"),
    ("cafe\u0301.pdf", "café.pdf"),  # NFC
    ("report\u202egpj.pdf", "reportgpj.pdf"),  # a right-to-left override is dropped
    ("<script>alert(1)</script>.pdf", "script.pdf"),  # "/" starts a folder
    ("...pdf.pdf", "pdf.pdf"),
    (".pdf", "pdf.pdf"),
    ('"""', "document.pdf"),
    ("a\x00b\x1b[31m.pdf", "ab[31m.pdf"),
])
def test_display_names_are_sanitised(raw, expected):
    assert uploads.display_name(raw, uploads.KINDS["pdf"]) == expected


def test_long_names_are_capped_keeping_the_extension():
    name = uploads.display_name("п" * 300 + ".pdf", uploads.KINDS["pdf"])
    assert len(name) == uploads.MAX_NAME_LENGTH and name.endswith("п.pdf")


# --- the virus scanner hook ----------------------------------------------------------------

def fake_scanner(folder: Path, body: str) -> str:
    script = folder / "clamscan"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(0o755)
    return str(script)


def test_no_scanner_configured_means_no_scan():
    assert check(samples.pdf(), "a.pdf", scanner=uploads.ScannerSettings())[0] == "pdf"


def test_clamscan_clean(tmp_path):
    program = fake_scanner(tmp_path, 'test -s "$2" || exit 2\nexit 0')
    assert check(samples.pdf(), "a.pdf", scanner=uploads.ScannerSettings(clamscan_path=program))[0] == "pdf"


def test_clamscan_infected_is_refused(tmp_path, caplog):
    program = fake_scanner(tmp_path, 'echo "$2: Eicar-Test-Signature FOUND"\nexit 1')
    message = refused(samples.pdf(), "a.pdf", scanner=uploads.ScannerSettings(clamscan_path=program))
    assert "virus scanner found a threat" in message
    assert "Eicar-Test-Signature" in caplog.text


@pytest.mark.parametrize("body", ['echo "ERROR: Can\'t connect to clamd" >&2\nexit 2', None])
def test_scanner_configured_but_down_fails_closed(tmp_path, body):
    program = fake_scanner(tmp_path, body) if body else str(tmp_path / "no-such-scanner")
    message = refused(samples.pdf(), "a.pdf", scanner=uploads.ScannerSettings(clamscan_path=program))
    assert "could not check the file for viruses" in message


class FakeClamd:
    """Speaks clamd's INSTREAM protocol on a unix socket; answers with ``verdict``."""

    def __init__(self, verdict: bytes):
        self.folder = tempfile.mkdtemp(dir="/tmp")  # unix socket paths must stay short
        self.path = f"{self.folder}/clamd.sock"
        self.verdict = verdict
        self.received = b""
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.path)
        self.server.listen(1)
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def _read(self, conn, n):
        data = b""
        while len(data) < n:
            data += conn.recv(n - len(data))
        return data

    def serve(self):
        conn, _ = self.server.accept()
        with conn:
            assert self._read(conn, 10) == b"zINSTREAM\0"
            while True:
                size = int.from_bytes(self._read(conn, 4), "big")
                if size == 0:
                    break
                self.received += self._read(conn, size)
            conn.sendall(self.verdict)

    def close(self):
        self.server.close()
        Path(self.path).unlink(missing_ok=True)
        Path(self.folder).rmdir()


@pytest.mark.parametrize("verdict, ok", [(b"stream: OK\0", True),
                                         (b"stream: Eicar-Test-Signature FOUND\0", False)])
def test_clamd_socket(verdict, ok):
    clamd = FakeClamd(verdict)
    data = samples.pdf(pad_bytes=200_000)
    try:
        scanner = uploads.ScannerSettings(clamd_socket=clamd.path)
        if ok:
            assert check(data, "a.pdf", scanner=scanner)[0] == "pdf"
        else:
            assert "virus scanner found a threat" in refused(data, "a.pdf", scanner=scanner)
        clamd.thread.join(5)
        assert clamd.received == data  # the whole file went to the scanner
    finally:
        clamd.close()


def test_clamd_socket_down_fails_closed(tmp_path):
    scanner = uploads.ScannerSettings(clamd_socket=str(tmp_path / "no-such-clamd.sock"))
    assert "could not check the file for viruses" in refused(samples.pdf(), "a.pdf", scanner=scanner)
