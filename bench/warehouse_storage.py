"""A night on the embedded DuckDB file vs on DuckLake (local DuckDB catalog, and PostgreSQL).

Two real Epoch snapshots (../shared/data) make two nights on each storage, each night in a
child process of its own: its wall time and its peak resident memory (the child's ru_maxrss;
the PostgreSQL server's own memory is not in it). The file is the floor measured in the same
run: the ratios say what the lake costs. Not a test: nothing here asserts.

    python bench/warehouse_storage.py [--repeat N]

The PostgreSQL cluster is started by this script on 127.0.0.1 (Debian's server binaries, as
in the tests) and removed afterwards.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
SNAPSHOTS = PROJECT.parent / "shared" / "data" / "epoch"
NIGHTS = ("2026-03-09", "2026-04-19")

# one night in a fresh interpreter, as a worker runs it (no Prefect, no report)
NIGHT = """
import sys
from datetime import date
from pipeline.run import refresh
from pipeline.settings import from_env
settings = from_env().only("epoch")
result = refresh(settings, date.fromisoformat(sys.argv[1]))
assert result.ok, result.problems()
"""


def one_night(env: dict[str, str], night: str) -> tuple[float, float]:
    """(wall seconds, peak RSS in MiB) of one night in its own process."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", NIGHT, night],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        error = child.stderr.read().decode() if child.stderr else ""
        raise SystemExit(f"the night {night} failed:\n{error[-2000:]}")
    if child.stderr:
        child.stderr.close()
    return wall, usage.ru_maxrss / 1024  # Linux reports KiB


def storage_env(base: Path, storage: str, dsn: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GAPWATCH_")}
    env["GAPWATCH_DATA_DIR"] = str(base / "data")
    env["GAPWATCH_FETCH_RETRY_DELAYS"] = "0"
    if storage == "ducklake-duckdb":
        env["GAPWATCH_WAREHOUSE"] = f"ducklake:{base / 'catalog.ducklake'}"
    elif storage == "ducklake-postgres":
        env["GAPWATCH_WAREHOUSE"] = f"ducklake:postgres:{dsn}"
    if storage != "file":
        env["GAPWATCH_WAREHOUSE_DATA"] = str(base / "shared-storage")
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    sys.path.insert(0, str(PROJECT))
    from tests import postgres

    results: dict[tuple[str, str], list[tuple[float, float]]] = {}
    storages = ("file", "ducklake-duckdb", "ducklake-postgres")
    databases = tuple(f"bench{n}" for n in range(args.repeat))
    with postgres.running(databases) as pg:
        for database in databases:
            for storage in storages:
                with tempfile.TemporaryDirectory() as tmp:
                    env = storage_env(Path(tmp), storage, pg.dsn(database))
                    for night in NIGHTS:
                        location = str(SNAPSHOTS / night / "benchmark_data")
                        env["GAPWATCH_EPOCH_LOCATION"] = location
                        results.setdefault((storage, night), []).append(one_night(env, night))
    print(f"{'storage':<20} {'night':<12} {'wall s':>8} {'peak MiB':>9} {'wall / file':>12}")
    for storage in storages:
        for night in NIGHTS:
            walls = [wall for wall, _ in results[(storage, night)]]
            peaks = [peak for _, peak in results[(storage, night)]]
            floor = statistics.median(wall for wall, _ in results[("file", night)])
            wall = statistics.median(walls)
            print(f"{storage:<20} {night:<12} {wall:8.1f} {max(peaks):9.0f} {wall / floor:12.2f}")


if __name__ == "__main__":
    main()
