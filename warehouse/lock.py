"""One refresh at a time per warehouse, with a lock the kernel releases if its holder dies.

flock(2) on <db>.lock: a second refresh fails at once instead of hitting DuckDB's file lock,
and a refresh killed with SIGKILL leaves no lock behind (only a stale note, which is cleared).
The lock is re-entrant within a process, so the CLI can take it before starting the flow.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO

log = logging.getLogger(__name__)
_held: dict[Path, tuple[IO[str], int]] = {}
_guard = threading.Lock()


class RefreshRunning(Exception):
    """Another process is refreshing this warehouse right now."""


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


class RefreshLock:
    """Context manager: exclusive right to refresh the warehouse at `database`."""

    def __init__(self, database: Path) -> None:
        # the link resolved first: a refresh through a symlink and one through the real path
        # must take the same lock (and swap the same file)
        self.path = lock_path(database.resolve())

    def __enter__(self) -> RefreshLock:
        with _guard:
            if self.path in _held:
                handle, depth = _held[self.path]
                _held[self.path] = (handle, depth + 1)
                return self
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(self.path, "a+", encoding="utf-8")  # held open until __exit__
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _read_note(handle)
                handle.close()
                raise RefreshRunning(
                    f"a refresh is already running (since {holder.get('since', 'unknown')}, "
                    f"pid {holder.get('pid', '?')}); try again when it has finished"
                ) from None
            stale = _read_note(handle)
            if stale:
                log.warning(
                    "cleared a stale refresh lock left by pid %s (started %s), which died",
                    stale.get("pid"),
                    stale.get("since"),
                )
            handle.seek(0)
            handle.truncate()
            note = {
                "pid": os.getpid(),
                "since": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
            }
            handle.write(json.dumps(note))
            handle.flush()
            _held[self.path] = (handle, 1)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        with _guard:
            handle, depth = _held[self.path]
            if depth > 1:
                _held[self.path] = (handle, depth - 1)
                return
            del _held[self.path]
            handle.seek(0)
            handle.truncate()  # an empty note: released cleanly
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()


def _read_note(handle: IO[str]) -> dict[str, object]:
    handle.seek(0)
    text = handle.read().strip()
    try:
        note = json.loads(text) if text else {}
    except json.JSONDecodeError:
        return {"pid": "?", "since": "unknown"}
    return note if isinstance(note, dict) else {}
