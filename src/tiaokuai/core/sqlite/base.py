"""SQLite, with the writers of one process queued in Python (ENGINE "tiaokuai.core.sqlite"; ADR 0019).

Every transaction starts with BEGIN IMMEDIATE, which takes the database's write lock. A second writer that finds
it taken waits in SQLite's busy handler, which polls by sleeping (1, 2, 5, 10, 15, 20, 25 … 100 ms): under load a
writer sleeps on long after the lock was freed, and the database stands idle in between. The threads of one
process queue on a lock here instead, and the next one begins the moment the previous one commits or rolls back;
SQLite's own wait remains only between processes. Everything else is Django's backend."""

import threading
from typing import Any

from django.db import OperationalError
from django.db.backends.sqlite3 import base

_WRITER = threading.Lock()  # one transaction of this process at a time


class DatabaseWrapper(base.DatabaseWrapper):
    _holds_writer = False

    def _start_transaction_under_autocommit(self) -> None:
        if not self._holds_writer:
            if not _WRITER.acquire(timeout=float(self.settings_dict.get("OPTIONS", {}).get("timeout", 20))):
                raise OperationalError("database is locked")
            self._holds_writer = True
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writer()
            raise

    def _release_writer(self) -> None:
        if self._holds_writer:
            self._holds_writer = False
            _WRITER.release()

    def _commit(self) -> Any:
        try:
            return super()._commit()
        finally:
            self._release_writer()

    def _rollback(self) -> Any:
        try:
            return super()._rollback()
        finally:
            self._release_writer()

    def _close(self) -> Any:
        try:
            return super()._close()
        finally:
            self._release_writer()
