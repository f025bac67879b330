"""What surrounds a refresh so every way it can end is an honest, one-line ending.

Inside `guarded_refresh`: the refresh lock, a preflight of the warehouse and data dir, signals
(SIGTERM and SIGINT end the refresh within seconds, whatever it is doing: the building copy is
discarded, the lock released, the live warehouse untouched, and the run recorded as
`interrupted`), and the file-system failures a person can fix (disk full, read-only data dir)
said in one line instead of a traceback.

Exit codes of `gapwatch refresh` (documented in README.md):
  0 everything refreshed and every alert delivered
  1 a source failed or a file was quarantined (the marts keep their last good data)
  2 nothing was done: a usage error, a refused command, an unusable warehouse or data dir
  3 the data refreshed, but some alert could not be delivered (retried next run)
  130 / 143 interrupted by SIGINT / SIGTERM (recorded in history.refresh_runs as `interrupted`)
"""

from __future__ import annotations

import logging
import signal
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from cli.common import UsageError

log = logging.getLogger(__name__)

EXIT_OK, EXIT_PROBLEMS, EXIT_NOTHING_DONE, EXIT_UNDELIVERED = 0, 1, 2, 3


class Interrupted(KeyboardInterrupt):
    """A signal ended the refresh; `exit_code` is 128 + its number, as shells report it."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.exit_code = 128 + signum
        super().__init__(signal.Signals(signum).name)


@contextmanager
def stop_on_signals() -> Iterator[list[int]]:
    """SIGTERM and SIGINT raise Interrupted in the main thread, wherever it is waiting.

    Sleeps between retries and blocked socket reads end at once; a DuckDB query is
    interrupted by DuckDB itself. The list yielded holds the signals received, so an error a
    library raised in their place (DuckDB's "Query interrupted") is still known for one.
    """
    received: list[int] = []

    def handler(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        raise Interrupted(signum)

    previous = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield received
    finally:
        for signum, action in previous.items():
            signal.signal(signum, action)


@contextmanager
def guarded_refresh(
    settings: Any, as_of: date, sources: list[str], preflight: bool = True
) -> Iterator[None]:
    """Lock, preflight, signals and clear failures around one refresh (see the module doc).

    preflight=False when the steps run directly: the run itself checks the warehouse and the
    as-of date first thing (pipeline.night.Run), so opening the file here too would only be
    paid twice; before a Prefect flow, whose start-up takes seconds, it refuses at once.
    """
    from warehouse.health import (
        WarehouseUnusable,
        check_before_refresh,
        explain_os_error,
        is_disk_full,
    )
    from warehouse.lock import RefreshRunning
    from warehouse.replay import ReplayRefused
    from warehouse.store import refresh_lock

    if settings.warehouse.night is not None:
        raise UsageError("--night reads a past night; a refresh writes the newest (drop --night)")
    started = datetime.now(UTC)
    try:
        with stop_on_signals() as received:
            try:
                # refuse at once, before Prefect starts up
                with refresh_lock(settings.warehouse):
                    if preflight:
                        check_before_refresh(settings.warehouse)
                        _check_replay(settings, as_of)
                    yield
            except Interrupted:
                raise
            except Exception as error:
                if received:
                    raise Interrupted(received[0]) from error
                raise
    except Interrupted as stop:
        _record_interrupted(settings, as_of, sources, started, stop)
        raise
    except RefreshRunning as error:
        raise UsageError(str(error)) from error
    except (WarehouseUnusable, ReplayRefused) as error:
        raise UsageError(str(error)) from error
    except OSError as error:
        raise UsageError(explain_os_error(settings.data_dir, error)) from error
    except Exception as error:
        if is_disk_full(error):
            raise UsageError(explain_os_error(settings.data_dir, _enospc(error))) from error
        raise


def _check_replay(settings: Any, as_of: date) -> None:
    """An earlier night than the last needs --replay (checked again inside the run)."""
    from warehouse.health import open_for_reading
    from warehouse.replay import check_replay

    # a lake is checked inside the run only (a new lake has nothing to read yet)
    if settings.warehouse.is_lake or not Path(settings.database).exists():
        return
    with open_for_reading(settings.database) as con:
        check_replay(con, as_of, settings.replay)


def _enospc(error: BaseException) -> OSError:
    import errno

    return OSError(errno.ENOSPC, str(error))


def _record_interrupted(
    settings: Any, as_of: date, sources: list[str], started: datetime, stop: Interrupted
) -> None:
    """One `interrupted` row per source in history.refresh_runs, by its own small swap."""
    from warehouse.interrupted import record_interrupted

    previous = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        run_id = f"{as_of.isoformat()}-{uuid.uuid4().hex[:8]}"
        reason = f"interrupted by {signal.Signals(stop.signum).name}; nothing of this run was kept"
        record_interrupted(settings.warehouse, run_id, as_of, started, sources, reason)
    except Exception as error:  # the record is a courtesy: the warehouse is intact regardless
        log.warning("the interruption could not be recorded (%s)", error)
    finally:
        for signum, action in previous.items():
            signal.signal(signum, action)
