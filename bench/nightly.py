"""Measure a full nightly refresh with and without Prefect, against the 30 s nightly budget.

Each run is a fresh process refreshing the 2026-04-19 snapshot in ../shared/data into an empty
warehouse: once as the Prefect flow (flows.nightly.nightly_refresh called directly; the
temporary local Prefect server starts inside that process), once as `gapwatch refresh
--no-prefect` (the same steps, plain). The
difference of the medians is Prefect's own overhead. Prefect runs share one private
PREFECT_HOME whose database is migrated by an untimed first run (shown on its own), so the
medians are the steady state of every night after the first. Not a test: nothing asserts.

    python bench/nightly.py [--repeat N]
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
SNAPSHOT = PROJECT.parent / "shared" / "data" / "epoch" / "2026-04-19" / "benchmark_data"
AS_OF = "2026-04-19"
GAPWATCH = [sys.executable, "-m", "cli.main"]
BUDGET = 30.0
FLOW = """
import sys
from datetime import date
from flows.nightly import nightly_refresh
source, _, location = sys.argv[3].partition("=")
nightly_refresh(
    as_of=date.fromisoformat(sys.argv[1]),
    sources=[source],
    data_dir=sys.argv[2],
    locations={source: location},
)
"""


def environment(prefect_home: Path) -> dict[str, str]:
    """This machine's environment without GAPWATCH_* or Prefect settings; a private Prefect."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GAPWATCH_", "PREFECT_"))}
    env.update(
        PREFECT_HOME=str(prefect_home),
        DO_NOT_TRACK="1",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
    )
    return env


def timed_refresh(env: dict[str, str], prefect: bool) -> float:
    """One nightly refresh into a new, empty warehouse, in a fresh process; wall seconds."""
    with tempfile.TemporaryDirectory(prefix="gapwatch-bench-") as tmp:
        command = [
            *GAPWATCH,
            "refresh",
            "--quiet",
            "--source",
            f"epoch={SNAPSHOT}",
            "--as-of",
            AS_OF,
            "--data-dir",
            tmp,
        ]
        if prefect:
            # the flow itself, as a deployment runs it (no server configured: Prefect starts its
            # temporary one); `gapwatch refresh` runs the flow only with PREFECT_API_URL set
            command = [sys.executable, "-c", FLOW, AS_OF, tmp, f"epoch={SNAPSHOT}"]
        else:
            command.append("--no-prefect")
        start = time.perf_counter()
        done = subprocess.run(command, cwd=PROJECT, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            sys.exit(f"refresh failed (rc {done.returncode}):\n{done.stdout}\n{done.stderr}")
        return seconds


def bench_nightly(repeat: int) -> tuple[float, list[tuple[str, float, float]]]:
    with tempfile.TemporaryDirectory(prefix="gapwatch-bench-prefect-") as home:
        env = environment(Path(home))
        first = timed_refresh(env, prefect=True)  # migrates the fresh Prefect database
        with_prefect, without = [], []
        for _ in range(repeat):  # interleaved, so drift on a shared machine hits both alike
            with_prefect.append(timed_refresh(env, prefect=True))
            without.append(timed_refresh(env, prefect=False))
    plain, flow = statistics.median(without), statistics.median(with_prefect)
    return first, [
        ("nightly refresh WITH Prefect (flow, temporary server)", flow, BUDGET),
        ("nightly refresh WITHOUT Prefect (--no-prefect)", plain, BUDGET),
        ("Prefect's own overhead (difference of the medians)", flow - plain, BUDGET),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median shown)")
    args = parser.parse_args()
    print(f"snapshot: {SNAPSHOT}  (as of {AS_OF}, empty warehouse each run)")
    first, rows = bench_nightly(args.repeat)
    label = "first run, fresh PREFECT_HOME (incl. DB migration; not in medians)"
    print(f"{label:60s} {first:7.2f} s")
    for label, seconds, budget in rows:
        print(
            f"{label:60s} {seconds:7.2f} s   ratio to the {budget:.0f} s budget "
            f"{seconds / budget:5.2f}"
        )


if __name__ == "__main__":
    main()
