"""Refreshing an earlier night than the last one is a replay: allowed only when asked for.

Without the check, `--as-of` of an older night silently makes old data current (and compares
it with newer marts as if it were news). A replay must be asked for (`--replay`), and it raises
and sends no alerts.
"""

from __future__ import annotations

from datetime import date

import duckdb


class ReplayRefused(ValueError):
    """An as-of before the last night refreshed, without --replay; nothing was changed."""


def last_night(con: duckdb.DuckDBPyConnection) -> date | None:
    """The latest as-of a run completed for (interrupted runs don't count)."""
    rows = con.execute(
        "select max(as_of) from history.refresh_runs where status <> 'interrupted'"
    ).fetchall()
    return rows[0][0] if rows else None


def check_replay(con: duckdb.DuckDBPyConnection, as_of: date, replay: bool) -> None:
    last = last_night(con)
    if last is not None and as_of < last and not replay:
        raise ReplayRefused(
            f"--as-of {as_of} is before the last night refreshed ({last}); to load that "
            "night's data again anyway, add --replay (a replay raises no alerts)"
        )
