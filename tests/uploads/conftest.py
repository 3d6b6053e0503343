"""Fixtures for the uploads package's tests: a private temporary folder that must be empty after
every test (the pipeline never leaves a file behind), and a private storage folder."""

from __future__ import annotations

import tempfile

import pytest


@pytest.fixture(autouse=True)
def scratch(ctx, tmp_path, monkeypatch):
    """Temporary files go to a folder of this test's, so we can see that none are left."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder
    assert list(folder.iterdir()) == [], "the pipeline left temporary files behind"


@pytest.fixture
def upload_dir(app, tmp_path, monkeypatch):
    folder = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(folder))
    return folder
