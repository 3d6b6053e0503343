"""``store`` and the files-follow-their-transaction hooks, against the real session: a file stored
in a transaction that does not commit disappears, a committed one stays, a file whose row goes is
deleted only after the commit, and nothing is left behind on any path (no orphan files)."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import text

from portal import uploads
from portal.extensions import db
from portal.uploads import pipeline
from tests.builders import files
from tests.uploads.helpers import MB, stored_files


def store(data: bytes | None = None) -> str:
    with uploads.checked_upload(io.BytesIO(data or files.pdf()), "letter.pdf", allowed=["pdf"],
                                max_bytes=MB) as checked:
        return uploads.store(checked)


def keys(folder) -> list[str]:
    return [p.relative_to(folder).as_posix() for p in stored_files(folder)]


def touch_database() -> None:
    db.session.execute(text("SELECT 1"))


def test_a_committed_file_stays_under_a_random_key(upload_dir):
    data = files.pdf()
    touch_database()
    key = store(data)
    db.session.commit()
    assert keys(upload_dir) == [key]
    assert re.fullmatch(r"[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{32}", key)
    with uploads.get_storage().open(key) as fh:
        assert fh.read() == data


def test_a_file_stored_in_a_rolled_back_transaction_disappears(upload_dir):
    touch_database()
    key = store()
    assert keys(upload_dir) == [key]
    db.session.rollback()
    assert keys(upload_dir) == []


def test_a_file_stored_before_any_query_goes_when_the_session_closes(upload_dir):
    db.session.close()
    store()
    assert db.session().in_transaction()  # the file is tied to a transaction of its own
    db.session.close()  # what the end of a request does when nothing committed
    assert keys(upload_dir) == []


def test_a_file_stored_before_any_query_stays_when_the_transaction_commits(upload_dir):
    db.session.close()
    key = store()
    touch_database()
    db.session.commit()
    assert keys(upload_dir) == [key]


def test_a_savepoint_is_not_the_end_the_outermost_transaction_decides(upload_dir):
    touch_database()
    with db.session.begin_nested():
        key = store()
    assert keys(upload_dir) == [key]
    db.session.rollback()
    assert keys(upload_dir) == []


def test_a_released_savepoint_does_not_delete_a_dropped_file(upload_dir):
    """SQLAlchemy reports a released savepoint as a commit: the outer transaction still decides."""
    key = store()
    db.session.commit()
    with db.session.begin_nested():
        uploads.delete_after_commit(uploads.get_storage(), key)
    assert keys(upload_dir) == [key]
    db.session.rollback()
    assert keys(upload_dir) == [key]


def test_the_next_transaction_does_not_inherit_committed_files(upload_dir):
    key = store()
    db.session.commit()
    touch_database()
    db.session.rollback()
    assert keys(upload_dir) == [key]


def test_a_file_whose_row_is_deleted_goes_only_after_the_commit(upload_dir):
    key = store()
    db.session.commit()
    storage = uploads.get_storage()
    uploads.delete_after_commit(storage, key)
    assert keys(upload_dir) == [key]
    db.session.rollback()  # the row's deletion was undone: its file must still be there
    assert keys(upload_dir) == [key]
    uploads.delete_after_commit(storage, key)
    db.session.commit()
    assert keys(upload_dir) == []


def test_replacing_a_file_in_one_transaction(upload_dir):
    """The shape of a replaced document: new file stored, old file dropped, one commit."""
    old = store(files.pdf())
    db.session.commit()
    new = store(files.pdf(pages=2))
    uploads.delete_after_commit(uploads.get_storage(), old)
    db.session.commit()
    assert keys(upload_dir) == [new]


def test_a_failed_replacement_keeps_the_old_file_and_drops_the_new(upload_dir):
    old = store(files.pdf())
    db.session.commit()
    store(files.pdf(pages=2))
    uploads.delete_after_commit(uploads.get_storage(), old)
    db.session.rollback()
    assert keys(upload_dir) == [old]


def test_a_delete_that_fails_is_logged_and_left_for_the_repair(upload_dir, caplog):
    class ReadOnly(uploads.LocalStorage):
        def delete(self, key):
            raise OSError("read-only file system")

    key = store()
    db.session.commit()
    uploads.delete_after_commit(ReadOnly(upload_dir), key)
    db.session.commit()
    assert "could not delete stored file" in caplog.text and keys(upload_dir) == [key]


def test_store_removes_the_file_when_it_cannot_tie_it_to_the_transaction(upload_dir, monkeypatch):
    def broken(storage, key):
        raise RuntimeError("no session")

    monkeypatch.setattr(pipeline, "delete_unless_committed", broken)
    with pytest.raises(RuntimeError):
        store()
    assert keys(upload_dir) == []


@pytest.mark.parametrize("make", [files.pdf_with_hex_escaped_js_name, files.pdf_with_bookmark_js,
                                  files.pdf_encrypted, files.pdf_with_html_after_eof])
def test_a_refused_file_is_never_stored(upload_dir, make):
    with pytest.raises(uploads.UploadRefused):
        store(make())
    db.session.commit()
    assert keys(upload_dir) == []
