"""File names are display text only: folders, control and bidi characters, quotes and slashes go,
letters of every script stay, and long names keep their extension."""

from __future__ import annotations

import pytest

from portal import uploads
from portal.uploads import names


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
    ("../../My letter.pdf", "My letter.pdf"),
])
def test_display_names_are_sanitised(raw, expected):
    assert uploads.display_name(raw, uploads.KINDS["pdf"]) == expected


def test_long_names_are_capped_keeping_the_extension():
    name = uploads.display_name("п" * 300 + ".pdf", uploads.KINDS["pdf"])
    assert len(name) == names.MAX_NAME_LENGTH and name.endswith("п.pdf")


def test_an_extension_of_the_same_kind_is_kept_and_another_replaced():
    assert uploads.display_name("photo.JPEG", uploads.KINDS["jpeg"]) == "photo.jpeg"  # lower-cased
    assert uploads.display_name("photo.png", uploads.KINDS["jpeg"]) == "photo.jpg"


def test_sanitise_name_keeps_only_the_last_path_part():
    assert uploads.sanitise_name("C:\\Users\\me\\Desktop\\scan 1.pdf") == "scan 1.pdf"


@pytest.mark.parametrize("name, ext", [("a.PDF", "pdf"), ("a", ""), (".pdf", ""), ("a.tar.gz", "gz")])
def test_extension_of(name, ext):
    assert names.extension_of(name) == ext
