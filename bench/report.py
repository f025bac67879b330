"""Measure writing the report of the real 2026-04-19 snapshot against its 3 s CPU budget.

Builds the warehouse once (untimed, `gapwatch refresh --no-prefect` into a temporary data
dir), then measures `gapwatch report` as a user runs it: a fresh process, imports included,
every figure drawn once to inline SVG (no PNG: those come with --png or the nightly publish)
and the page written; CPU is user + system of the process and its drawing workers. For
reference it also times the drawing in one process (workers=1, imports excluded), which is
what a machine with a single core would see. Prints medians, the machine's load and the
ratio to the budget (ratio < 1 is within budget). Beside it, measured in turn with it, a floor:
a fresh process that only imports the libraries the report draws with (pandas, DuckDB,
matplotlib's figure and SVG backend), and the report's ratio to it. This machine's speed
swings by up to about 1.8x from hour to hour (the same code, load average under 1), and the
floor moves with it: the ratio says how the report compares to what any report here costs.
Not a test: timings on shared machines vary, so nothing here asserts.

    python bench/report.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
SNAPSHOT = PROJECT.parent / "shared" / "data" / "epoch" / "2026-04-19" / "benchmark_data"
GAPWATCH = [sys.executable, "-m", "cli.main"]
BUDGET = 3.0  # seconds of CPU (issue 15)
# as bench/run_all.py: no GAPWATCH_*/PREFECT_* settings of this shell, and the warm-up run
# writes bytecode as a user's first run does, even where the shell forbids it
ENVIRONMENT = {
    k: v
    for k, v in os.environ.items()
    if not k.startswith(("GAPWATCH_", "PREFECT_")) and k != "PYTHONDONTWRITEBYTECODE"
}


def cpu_seconds(command: list[str]) -> float:
    """User + system CPU of a fresh process and the children it waited for."""
    process = subprocess.Popen(
        command, cwd=PROJECT, env=ENVIRONMENT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(command)}")
    return usage.ru_utime + usage.ru_stime


def build(data_dir: Path) -> Path:
    """The warehouse of the 2026-04-19 snapshot (not timed)."""
    subprocess.run(
        [
            *GAPWATCH,
            "refresh",
            "--quiet",
            "--no-prefect",
            "--data-dir",
            str(data_dir),
            "--source",
            f"epoch={SNAPSHOT}",
            "--as-of",
            "2026-04-19",
        ],
        check=True,
        cwd=PROJECT,
        env=ENVIRONMENT,
        capture_output=True,
    )
    return data_dir / "gapwatch.duckdb"


FLOOR = [
    sys.executable,
    "-c",
    "import pandas, duckdb, matplotlib.figure, matplotlib.backends.backend_svg",
]


def serial_seconds(database: Path, out: Path) -> float:
    """write_report in a fresh process with one worker, imports excluded."""
    code = (
        "import sys, time\nfrom pathlib import Path\nfrom report import write_report\n"
        "start = time.perf_counter()\n"
        "write_report(Path(sys.argv[1]), Path(sys.argv[2]), workers=1)\n"
        "print(time.perf_counter() - start)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(database), str(out)],
        check=True,
        cwd=PROJECT,
        env=ENVIRONMENT,
        capture_output=True,
        text=True,
    )
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median shown)")
    args = parser.parse_args()
    print(f"snapshot: {SNAPSHOT}")
    with tempfile.TemporaryDirectory() as tmp:
        database = build(Path(tmp) / "data")
        command, serial, floor = [], [], []
        for run in range(args.repeat + 1):  # the first run compiles bytecode: not counted
            out = Path(tmp) / f"report-{run}"
            seconds = cpu_seconds([*GAPWATCH, "report", "--db", str(database), "--out", str(out)])
            if run:
                command.append(seconds)
                floor.append(cpu_seconds(FLOOR))
                serial.append(serial_seconds(database, Path(tmp) / f"serial-{run}"))
        page = (Path(tmp) / "report-1" / "report.html").read_text(encoding="utf-8")
        figures = page.count("<svg")  # figures drawn inline (a notice has none)
    rows = [
        (
            f"gapwatch report, {figures} figures, fresh process (CPU, budget {BUDGET:.0f} s)",
            command,
        ),
        ("write_report with one worker, no imports (wall, reference)", serial),
    ]
    for label, seconds in rows:
        median = statistics.median(seconds)
        spread = ", ".join(f"{s:.2f}" for s in seconds)
        print(f"{label:62s} {median:6.2f} s   ratio to budget {median / BUDGET:4.2f}   ({spread})")
    floor_median = statistics.median(floor)
    spread = ", ".join(f"{s:.2f}" for s in floor)
    label = "floor: import pandas, duckdb, matplotlib (CPU)"
    print(f"{label:62s} {floor_median:6.2f} s   ({spread})")
    print(f"{'report / floor':62s} {statistics.median(command) / floor_median:6.2f}")
    print("load average (1, 5, 15 min): " + " ".join(f"{v:.2f}" for v in os.getloadavg()))


if __name__ == "__main__":
    main()
