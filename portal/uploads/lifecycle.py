"""Files follow their transaction: a stored file and the row that names it live or die together.

Why: storage is not transactional. Without these hooks a rollback (a failed flush, a failed
commit, an exception in the view) leaves a file no row points to, and a deleted row whose file was
removed at once leaves a row without its file when the deletion itself is rolled back. So:
- a file stored during a transaction is deleted when the *outermost* transaction ends without a
  commit (``delete_unless_committed``); a savepoint is not the end of anything. (The tests run
  inside a connection-level transaction with ``join_transaction_mode="create_savepoint"``; the
  session's own transaction is still its outermost one, so the hooks behave as in production.)
- a file whose row is deleted goes only after the commit (``delete_after_commit``) of the
  outermost transaction: SQLAlchemy also reports a released savepoint as ``after_commit``, and
  deleting then would lose the file of a row whose deletion the outer transaction still undoes.
  (A file stored inside a savepoint that rolls back while the outer transaction commits stays:
  an orphan for the repair, never a row without its file.)
A crash between the commit and the deletion leaves an orphan file, which
``flask --app wsgi documents verify --repair`` removes: a file without a row is harmless, a row
without a file is not.

One implementation for every caller (documents, letters to the Rector, fee receipts); the lists
live in ``Session.info``, and each entry carries its storage, so the deletion needs no
application context.
"""

from __future__ import annotations

import logging

from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.extensions import db

log = logging.getLogger(__name__)

_NEW = "uploads.files_stored"  # stored in this transaction: deleted unless it commits
_DROP = "uploads.files_dropped"  # rows deleted in this transaction: files go after the commit


def delete_unless_committed(storage, key: str) -> None:
    """``key`` was just stored: delete it if the current transaction ends without a commit."""
    _session_in_transaction().info.setdefault(_NEW, []).append((storage, key))


def delete_after_commit(storage, key: str) -> None:
    """The row naming ``key`` was deleted: delete the file once that deletion is committed."""
    _session_in_transaction().info.setdefault(_DROP, []).append((storage, key))


def _session_in_transaction() -> Session:
    """The current session, with its transaction begun if none was yet (a file can be stored
    before the first query): the entry then ends with that transaction, even when the session
    is only closed, instead of waiting in ``info`` for whichever transaction comes next."""
    session = db.session()
    if not session.in_transaction():
        session.begin()
    return session


def _delete_files(pairs) -> None:
    for storage, key in pairs:
        try:
            storage.delete(key)
        except OSError:  # left for `documents verify --repair`
            log.exception("could not delete stored file %s", key)


@event.listens_for(Session, "after_commit")
def _files_after_commit(session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released (SQLAlchemy calls that a commit too): nothing is final yet
    session.info.pop(_NEW, None)
    _delete_files(session.info.pop(_DROP, []))


@event.listens_for(Session, "after_transaction_end")
def _files_after_transaction(session, transaction) -> None:
    if transaction.parent is not None:
        return  # a savepoint or a subtransaction: the outermost one decides
    _delete_files(session.info.pop(_NEW, []))  # still here: the transaction did not commit
    session.info.pop(_DROP, None)
