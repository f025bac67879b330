"""Build the next warehouse in a copy and swap it in atomically: readers never wait or see half.

A refresh works on <db>.next (a copy of the current file) and, once everything is committed
and checkpointed, renames it over <db>. A reader that opens the warehouse during a refresh gets
the previous complete state; one that already has the old file open keeps reading that old,
consistent state until it closes (on POSIX the old file lives on until its last reader goes).
A refresh that dies half-way leaves <db> untouched; its stale .next is discarded next time.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)


def next_path(database: Path) -> Path:
    return database.with_name(database.name + ".next")


@contextmanager
def building_copy(database: Path) -> Iterator[Path]:
    """Yield a path to build on; on clean exit it atomically replaces `database`.

    A symlinked warehouse is resolved first: the swap replaces the file the link points to and
    the link stays a link (swapping the link itself would fork the warehouse in two).
    """
    database.parent.mkdir(parents=True, exist_ok=True)
    database = database.resolve()
    target = next_path(database)
    for leftover in (target, target.with_name(target.name + ".wal")):
        if leftover.exists():
            log.warning("discarding %s left by an interrupted refresh", leftover)
            leftover.unlink()
    if database.exists():
        shutil.copyfile(database, target)
    try:
        yield target
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    wal = target.with_name(target.name + ".wal")
    if wal.exists():
        raise RuntimeError(f"{wal} still exists: close the connection before the swap")
    _fsync(target)
    os.replace(target, database)
    _fsync_dir(database.parent)


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
