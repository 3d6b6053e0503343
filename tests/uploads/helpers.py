"""Running the pipeline in a test: what it stored, or why it refused."""

from __future__ import annotations

import io

import pytest

from portal import uploads

ALL = ["pdf", "jpeg", "png"]
MB = 1024 * 1024


def check(data: bytes, name: str, allowed=ALL, max_bytes=10 * MB, scanner=None):
    """Run the pipeline; returns (kind code, stored bytes, display name)."""
    with uploads.checked_upload(io.BytesIO(data), name, allowed=allowed, max_bytes=max_bytes,
                                scanner=scanner or uploads.ScannerSettings()) as checked:
        return checked.kind.code, checked.path.read_bytes(), checked.display_name


def refused(data: bytes, name: str, **kwargs) -> str:
    """The message the person reads when the pipeline refuses the file."""
    with pytest.raises(uploads.UploadRefused) as caught:
        check(data, name, **kwargs)
    return str(caught.value.message)


def stored_files(folder) -> list:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []
