"""Measure gapwatch against its budgets on the real snapshots in ../shared/data.

Prints wall times and the ratio to each budget (ratio < 1 is within budget). Not a test:
timings on shared machines vary, so nothing here asserts.

    python bench/run_all.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
SNAPSHOT = PROJECT.parent / "shared" / "data" / "epoch" / "2026-04-19" / "benchmark_data"
GAPWATCH = [sys.executable, "-m", "cli.main"]


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, cwd=PROJECT, capture_output=True)
    return time.perf_counter() - start


def bench_refresh(repeat: int) -> list[tuple[str, float, float]]:
    """Refresh twice (empty, then unchanged), plain and through the Prefect flow; query; marts."""
    times: dict[str, list[float]] = {}
    for _ in range(repeat):
        for mode, extra in (("plain", ["--no-prefect"]), ("prefect", [])):
            with tempfile.TemporaryDirectory() as tmp:
                refresh = [
                    *GAPWATCH,
                    "refresh",
                    "--quiet",
                    *extra,
                    "--data-dir",
                    tmp,
                    "--source",
                    f"epoch={SNAPSHOT}",
                    "--as-of",
                    "2026-04-19",
                ]
                times.setdefault(f"{mode} first", []).append(timed(refresh))
                times.setdefault(f"{mode} again", []).append(timed(refresh))
                if mode == "plain":
                    sql = [
                        *GAPWATCH,
                        "sql",
                        "--data-dir",
                        tmp,
                        "select count(*) from marts.benchmark_scores",
                    ]
                    times.setdefault("query", []).append(timed(sql))
                    marts = time_transforms(Path(tmp) / "gapwatch.duckdb")
                    times.setdefault("marts", []).append(marts)
    median = {key: statistics.median(values) for key, values in times.items()}
    return [
        ("refresh --no-prefect, empty warehouse (budget 20 s)", median["plain first"], 20.0),
        ("refresh --no-prefect, unchanged re-run (budget 5 s)", median["plain again"], 5.0),
        ("refresh via the Prefect flow, empty (budget 20 s)", median["prefect first"], 20.0),
        ("refresh via the Prefect flow, unchanged (budget 5 s)", median["prefect again"], 5.0),
        ("gapwatch sql count(*), cold (budget 1 s)", median["query"], 1.0),
        ("all transforms incl. 5,000 bootstraps (budget 3 s)", median["marts"], 3.0),
    ]


def time_transforms(database: Path) -> float:
    import duckdb

    from transforms.runner import run_marts, run_views

    with duckdb.connect(str(database)) as con:
        start = time.perf_counter()
        run_views(con)
        run_marts(con, {"as_of": date(2026, 4, 19)})
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median shown)")
    args = parser.parse_args()
    sys.path.insert(0, str(PROJECT))
    print(f"snapshot: {SNAPSHOT}")
    for label, seconds, budget in bench_refresh(args.repeat):
        print(f"{label:58s} {seconds:7.2f} s   ratio to budget {seconds / budget:5.2f}")


if __name__ == "__main__":
    main()
