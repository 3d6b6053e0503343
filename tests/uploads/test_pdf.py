"""The PDF check on real and hostile files: the parsed object graph finds active content and
attached files wherever they hang (bookmarks, name trees, links, forms, compressed object
streams, escaped names), harmless files pass, and the byte pass judges what follows %%EOF
without reading the file whole."""

from __future__ import annotations

import pytest

from portal.uploads import pdf
from portal.uploads.pdf import PDF_ACTIVE, PDF_EMBEDDED, PDF_ENCRYPTED, PDF_TRAILING, PDF_UNREADABLE
from tests.builders import files
from tests.uploads.helpers import check, refused

HOSTILE = [
    (files.pdf_with_open_action_js, PDF_ACTIVE),
    (files.pdf_with_launch, PDF_ACTIVE),
    (files.pdf_with_page_aa, PDF_ACTIVE),
    (files.pdf_with_link_js, PDF_ACTIVE),
    (files.pdf_with_link_launch, PDF_ACTIVE),
    (files.pdf_with_names_javascript, PDF_ACTIVE),
    (files.pdf_with_open_action_uri, PDF_ACTIVE),
    (files.pdf_with_bookmark_js, PDF_ACTIVE),
    (files.pdf_with_hex_escaped_js_name, PDF_ACTIVE),
    (files.pdf_with_hex_escaped_launch, PDF_ACTIVE),
    (files.pdf_with_compressed_bookmark_js, PDF_ACTIVE),
    (files.pdf_with_indirect_script, PDF_ACTIVE),
    (files.pdf_with_indirect_action_name, PDF_ACTIVE),
    (files.pdf_with_xfa_form, PDF_ACTIVE),
    (files.pdf_with_attachment, PDF_EMBEDDED),
]
HOSTILE_IDS = [make.__name__ for make, _message in HOSTILE]

BENIGN = [
    lambda: files.pdf(),
    lambda: files.pdf(pages=3, pad_bytes=200_000),
    files.pdf_with_goto_open_action,
    files.pdf_with_bookmarks,
]


def written(tmp_path, data: bytes):
    path = tmp_path / "upload.pdf"
    path.write_bytes(data)
    return path


def refusal(check_function, path) -> str:
    with pytest.raises(pdf.UploadRefused) as caught:
        check_function(path)
    return str(caught.value.message)


# --- active content and attachments ------------------------------------------------------------

@pytest.mark.parametrize("make, message", HOSTILE, ids=HOSTILE_IDS)
def test_hostile_pdfs_are_refused_with_the_right_message(tmp_path, make, message):
    assert refusal(pdf.check_pdf, written(tmp_path, make())) == str(message)


@pytest.mark.parametrize("make, message", HOSTILE, ids=HOSTILE_IDS)
def test_the_object_graph_alone_finds_them(tmp_path, make, message):
    """The byte search is only a second net: the walk of the parsed structure finds every one."""
    assert refusal(pdf.check_pdf_structure, written(tmp_path, make())) == str(message)


@pytest.mark.parametrize("make", [files.pdf_with_hex_escaped_js_name, files.pdf_with_hex_escaped_launch,
                                  files.pdf_with_compressed_bookmark_js])
def test_escaped_and_compressed_names_pass_the_byte_search(tmp_path, make):
    """Why the walk must not rely on the bytes: these carry no active name a search could see."""
    pdf.check_pdf_bytes(written(tmp_path, make()))


def test_the_known_bug_file_spells_javascript_with_an_escape():
    data = files.pdf_with_hex_escaped_js_name()
    assert b"/J#61vaScript" in data and b"/JavaScript" not in data


def test_the_compressed_file_shows_no_name_at_all():
    data = files.pdf_with_compressed_bookmark_js()
    assert b"JavaScript" not in data and b"/JS" not in data and b"/ObjStm" in data


def test_the_bookmark_with_a_script_is_reached_through_next():
    from io import BytesIO

    from pypdf import PdfReader

    outlines = PdfReader(BytesIO(files.pdf_with_bookmark_js())).trailer["/Root"]["/Outlines"]
    second = outlines["/First"]["/Next"]
    assert second["/A"]["/S"] == "/JavaScript" and outlines["/First"]["/A"]["/S"] == "/GoTo"


@pytest.mark.parametrize("make", BENIGN, ids=["plain", "three-pages-padded", "goto-open-action", "bookmarks"])
def test_harmless_pdfs_are_accepted(tmp_path, make):
    pdf.check_pdf(written(tmp_path, make()))


def test_a_harmless_open_action_goes_through_the_whole_pipeline():
    data = files.pdf_with_goto_open_action()
    assert check(data, "scan.pdf") == ("pdf", data, "scan.pdf")


def test_the_known_bug_file_is_refused_by_the_pipeline():
    assert refused(files.pdf_with_hex_escaped_js_name(), "letter.pdf") == str(PDF_ACTIVE)


# --- broken, encrypted and polyglot files ------------------------------------------------------

@pytest.mark.parametrize("data, message", [
    (files.pdf_encrypted(), PDF_ENCRYPTED),
    (files.pdf_header_then_html(), PDF_UNREADABLE),
    (files.pdf_with_html_after_eof(), PDF_TRAILING),
    (files.pdf()[: len(files.pdf()) // 2], PDF_UNREADABLE),
    (b"%PDF-1.4\n%%EOF\n", PDF_UNREADABLE),
    (b"%PDF-1.7\nthis only looks like a PDF", PDF_UNREADABLE),
    (files.pdf() + b"\n" + b"\x01" * 5000, PDF_TRAILING),
    (files.pdf() + b"\n" * 70_000 + b"<html><script>alert(1)</script>", PDF_TRAILING),
], ids=["encrypted", "header-then-html", "html-after-eof", "truncated", "no-objects", "fake-magic", "long-tail",
        "html-after-long-padding"])
def test_broken_encrypted_and_polyglot_pdfs_are_refused(tmp_path, data, message):
    assert refusal(pdf.check_pdf, written(tmp_path, data)) == str(message)


def test_a_little_padding_after_eof_is_tolerated(tmp_path):
    pdf.check_pdf(written(tmp_path, files.pdf() + b"\r\n\x00\x00  \n"))


def test_more_objects_than_the_cap_is_refused_as_unreadable(tmp_path, monkeypatch):
    path = written(tmp_path, files.pdf_with_bookmarks())
    pdf.check_pdf(path)
    monkeypatch.setattr(pdf, "MAX_PDF_OBJECTS", 5)
    assert refusal(pdf.check_pdf, path) == str(PDF_UNREADABLE)


def test_more_values_than_the_cap_is_refused_as_unreadable(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "MAX_PDF_NODES", 10)
    assert refusal(pdf.check_pdf, written(tmp_path, files.pdf())) == str(PDF_UNREADABLE)


def test_parser_errors_are_logged_by_type_only(tmp_path, caplog, monkeypatch):
    """A parser's message may quote the file: only the exception's type goes to the log."""
    def broken_parser(*args, **kwargs):
        raise ValueError("do-not-log-this-text")

    monkeypatch.setattr(pdf, "PdfReader", broken_parser)
    caplog.set_level("INFO", logger="portal.uploads.pdf")
    assert refusal(pdf.check_pdf, written(tmp_path, files.pdf())) == str(PDF_UNREADABLE)
    assert "PDF refused as unreadable: ValueError" in caplog.text and "do-not-log" not in caplog.text


# --- the streaming byte pass -------------------------------------------------------------------

class CountedFile:
    """A file whose reads are recorded (the byte pass uses ``with``, ``read`` and ``seek``)."""

    def __init__(self, handle, sizes: list[int]):
        self.handle, self.sizes = handle, sizes

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.handle.close()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.sizes.append(len(data))
        return data

    def seek(self, *args):
        return self.handle.seek(*args)


def test_the_byte_pass_reads_in_chunks_never_the_whole_file(tmp_path, monkeypatch):
    path = written(tmp_path, files.pdf(pad_bytes=600_000))
    sizes: list[int] = []
    monkeypatch.setattr(type(path), "open", lambda self, *args: CountedFile(open(self, *args), sizes))
    pdf.check_pdf_bytes(path)
    assert path.stat().st_size > 4 * pdf.CHUNK
    assert sum(sizes) >= path.stat().st_size and max(sizes) <= pdf.CHUNK


def across_a_chunk_boundary(name: bytes, after: bytes) -> bytes:
    """A file in which ``name`` ends exactly where the first chunk ends."""
    head = b"%PDF-1.4\n% "
    filler = b"x" * (pdf.CHUNK - len(head) - len(name))
    return head + filler + name + after + b"\n%%EOF\n"


def test_a_marker_split_between_chunks_is_found(tmp_path):
    data = across_a_chunk_boundary(b"/Launch", b" (calc.exe)")
    assert refusal(pdf.check_pdf_bytes, written(tmp_path, data)) == str(PDF_ACTIVE)


def test_a_longer_name_that_starts_like_a_marker_is_not_one(tmp_path):
    pdf.check_pdf_bytes(written(tmp_path, across_a_chunk_boundary(b"/Launch", b"padLogo 1")))


def test_a_marker_that_ends_the_file_is_found(tmp_path):
    data = files.pdf() + b"/EmbeddedFiles"
    assert refusal(pdf.check_pdf_bytes, written(tmp_path, data)) == str(PDF_EMBEDDED)
