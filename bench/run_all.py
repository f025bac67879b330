"""Measure gapwatch against its budgets, each as a ratio to a floor measured in the same run.

Floors (fresh processes, the same input as gapwatch):
- read: read the bundle zip and every CSV in it with the faster of DuckDB's CSV reader and
  pandas (interpreter start and that library's import included);
- read + validator: the same, plus importing what every changed night needs (duckdb, pandas,
  great_expectations).
Then gapwatch, as a user runs it: a refresh into an empty warehouse, the same refresh again
(an unchanged night), a cold `gapwatch sql` beside a bare `python -c "import duckdb; ..."`
doing the same query, `gapwatch --help`, the report; and the scaling table: synthetic Epoch
bundles 1x, 10x, 100x the real one (bench/synthetic.py), Epoch alone and with every other
source's real sample, wall, CPU, peak memory and the CPU of each source's steps.

CPU is user + system of the process and its children. Each number is the median of --repeat
runs after one untimed warm-up (bytecode compiled); each scaling cell the median of
--scaling-repeat runs. Not a test: nothing asserts.

    python bench/run_all.py [--repeat N] [--scales 1,10,100] [--scaling-repeat N] [--skip-scaling]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
SHARED = PROJECT.parent / "shared" / "data"
SNAPSHOT = SHARED / "epoch" / "2026-04-19" / "benchmark_data"
AS_OF = "2026-04-19"
PYTHON = sys.executable
GAPWATCH = [PYTHON, "-m", "cli.main"]
BOARD = SHARED / "leaderboards"
# every other source's real sample (what tests/warehouse/test_sources.py refreshes)
OTHER_SOURCES = {
    "artificial_analysis": SHARED
    / "artificial_analysis"
    / "leaderboard_page_payload"
    / "2026-07-10"
    / "llms.json",
    "aider": BOARD / "aider_polyglot" / "2025-10-04",
    "metr": BOARD / "metr_time_horizons" / "2026-03-03",
    "weirdml": BOARD / "weirdml" / "2026-08-17",
    "livebench": BOARD / "livebench" / "2026-07-01",
    "lmarena": BOARD / "lmarena" / "2026-07-04",
    "arc_prize": BOARD / "arc_prize" / "2026-06-16",
}

READ_PANDAS = """
import io, sys, zipfile
import pandas as pd
with zipfile.ZipFile(io.BytesIO(open(sys.argv[1], "rb").read())) as bundle:
    for name in bundle.namelist():
        if name.endswith(".csv"):
            pd.read_csv(io.BytesIO(bundle.read(name)), dtype=str, keep_default_na=False)
"""
READ_DUCKDB = """
import io, sys, tempfile, zipfile
import duckdb
con = duckdb.connect()
with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(
    io.BytesIO(open(sys.argv[1], "rb").read())
) as bundle:
    for i, name in enumerate(n for n in bundle.namelist() if n.endswith(".csv")):
        path = bundle.extract(name, tmp)
        con.execute(f"create table t{i} as select * from read_csv(?, all_varchar=true)", [path])
"""
VALIDATOR = "import duckdb, pandas, great_expectations\n"
BARE_SQL = """
import sys, duckdb
with duckdb.connect(sys.argv[1], read_only=True) as con:
    print(con.execute(sys.argv[2]).fetchall())
"""
QUERY = "select count(*) from marts.benchmark_scores"
# what any report costs before drawing: the libraries it draws with (see bench/report.py)
REPORT_LIBRARIES = "import pandas, duckdb, matplotlib.figure, matplotlib.backends.backend_svg"


@dataclass
class Cost:
    wall: float
    cpu: float
    peak_mib: float


def environment() -> dict[str, str]:
    """No GAPWATCH_*/PREFECT_* settings of this shell; bytecode written as in any install."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GAPWATCH_", "PREFECT_")) and k != "PYTHONDONTWRITEBYTECODE"
    }
    env["DO_NOT_TRACK"] = "1"
    return env


def run(command: list[str]) -> Cost:
    """One fresh process: wall time, CPU of it and its children, its (or a child's) peak RSS."""
    cost, _ = run_with_output(command)
    return cost


def run_with_output(command: list[str]) -> tuple[Cost, str]:
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=PROJECT, env=environment(), stdout=out, stderr=err)
        # wait4: this child's own rusage, its waited-for children included (Linux RUSAGE_BOTH)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode not in (0, 1):
            tail = err.read().decode(errors="replace")[-2000:]
            sys.exit(f"failed ({process.returncode}): {' '.join(command)}\n{tail}")
        cost = Cost(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)
        return cost, out.read().decode(errors="replace")


def median(costs: list[Cost], peak: Callable[[list[float]], float] = max) -> Cost:
    """Median wall and CPU; the peak memory is the highest unless `peak` says otherwise."""
    return Cost(
        statistics.median(c.wall for c in costs),
        statistics.median(c.cpu for c in costs),
        peak([c.peak_mib for c in costs]),
    )


def measured(command: Callable[[], list[str]], repeat: int, warm: bool = True) -> Cost:
    if warm:
        run(command())
    return median([run(command()) for _ in range(repeat)])


def refresh_command(data_dir: Path, sources: dict[str, Path]) -> list[str]:
    pairs = [arg for name, at in sources.items() for arg in ("--source", f"{name}={at}")]
    return [*GAPWATCH, "refresh", "--quiet", "--data-dir", str(data_dir), *pairs, "--as-of", AS_OF]


def floors(bundle: Path, repeat: int) -> tuple[Cost, Cost]:
    read = [
        measured(lambda code=code: [PYTHON, "-c", code, str(bundle)], repeat)
        for code in (READ_PANDAS, READ_DUCKDB)
    ]
    validator = [
        measured(lambda code=code: [PYTHON, "-c", VALIDATOR + code, str(bundle)], repeat)
        for code in (READ_PANDAS, READ_DUCKDB)
    ]
    print(f"floor read, pandas {read[0].cpu:6.2f} s CPU; duckdb {read[1].cpu:6.2f} s CPU")
    print(f"floor read + validator: pandas {validator[0].cpu:6.2f}; duckdb {validator[1].cpu:6.2f}")
    return min(read, key=lambda c: c.cpu), min(validator, key=lambda c: c.cpu)


def line(label: str, value: float, budget: float, unit: str = "x") -> None:
    verdict = "ok" if value <= budget else "OVER"
    print(f"  {label:62s} {value:7.2f}{unit:2s} budget {budget:5.2f}{unit:2s} {verdict}")


def bench_cli(bundle: Path, repeat: int) -> None:
    read, validator = floors(bundle, repeat)
    empty: list[Cost] = []
    again: list[Cost] = []
    with tempfile.TemporaryDirectory() as warm:
        run(refresh_command(Path(warm) / "data", {"epoch": bundle}))  # compiles bytecode
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            command = [*refresh_command(Path(tmp) / "data", {"epoch": bundle}), "--no-prefect"]
            empty.append(run(command))
            again.append(run(command))
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        run([*refresh_command(data, {"epoch": bundle}), "--no-prefect"])
        database = data / "gapwatch.duckdb"
        sql = measured(lambda: [*GAPWATCH, "sql", "--data-dir", str(data), QUERY], repeat)
        bare = measured(lambda: [PYTHON, "-c", BARE_SQL, str(database), QUERY], repeat)
        helped = measured(lambda: [*GAPWATCH, "--help"], repeat)
        report = measured(
            lambda: [*GAPWATCH, "report", "--data-dir", str(data), "--out", str(Path(tmp) / "r")],
            repeat,
        )
        libraries = measured(lambda: [PYTHON, "-c", REPORT_LIBRARIES], repeat)
    first, unchanged = median(empty), median(again)
    print(f"read floor {read.cpu:.2f} s CPU; read + validator floor {validator.cpu:.2f} s CPU")
    print(f"refresh --no-prefect: empty {first.cpu:.2f} s CPU, unchanged {unchanged.cpu:.2f} s")
    line(
        "refresh --no-prefect, empty warehouse / read+validator (CPU)",
        first.cpu / validator.cpu,
        1.5,
    )
    line("refresh --no-prefect, unchanged night / read (CPU)", unchanged.cpu / read.cpu, 1.5)
    print(
        f"gapwatch sql cold {sql.wall:.3f} s wall ({sql.cpu:.3f} s CPU); bare python+duckdb "
        f"{bare.wall:.3f} s wall ({bare.cpu:.3f} s CPU); --help {helped.wall:.3f} s wall "
        f"({helped.cpu:.3f} s CPU)"
    )
    line("gapwatch sql cold / bare python + duckdb (wall)", sql.wall / bare.wall, 1.2)
    line("gapwatch --help (wall, seconds)", helped.wall, 0.15, "s")
    line("gapwatch report, 2026-04-19 (CPU, seconds)", report.cpu, 3.0, "s")
    print(
        f"  (its libraries alone, pandas + duckdb + matplotlib: {libraries.cpu:.2f} s CPU; "
        f"report / libraries {report.cpu / libraries.cpu:.2f}: the machine's speed swings, "
        "this ratio less)"
    )


NIGHT = """
import json, sys, time
from datetime import date
from pipeline.run import direct, run
from pipeline.settings import Settings
locations = json.loads(sys.argv[2])
settings = Settings(sources=tuple(locations), data_dir=__import__("pathlib").Path(sys.argv[1]))
for name, at in locations.items():
    settings = settings.with_location(name, at)
spent = {}
def timed(step, night, *rest):
    start = time.process_time()
    try:
        return direct(step, night, *rest)
    finally:
        # the one-payload sources' validation is a night step (validate-together): its own column
        night_step = "together" if step.name == "validate-together" else "night"
        who = rest[0].source if rest else night_step
        spent[who] = spent.get(who, 0.0) + time.process_time() - start
result = run(settings, date.fromisoformat(sys.argv[3]), call=timed)
print(json.dumps({"spent": spent, "rows": sum(o.rows for o in result.sources)}))
"""


def night(data_dir: Path, sources: dict[str, Path]) -> tuple[Cost, dict[str, float], int]:
    """The refresh's steps in one fresh process (no report): costs, CPU per source, rows."""
    locations = json.dumps({name: str(at) for name, at in sources.items()})
    cost, out = run_with_output([PYTHON, "-c", NIGHT, str(data_dir), locations, AS_OF])
    answer = json.loads(out.strip().splitlines()[-1])
    return cost, answer["spent"], int(answer["rows"])


def nights(
    data_dir: Path, sources: dict[str, Path], repeat: int
) -> tuple[Cost, dict[str, float], int]:
    """`night` run `repeat` times, each into its own empty warehouse: the median of each figure
    (peak memory too: one run's peak moves by tens of MiB with the allocator's timing)."""
    runs = [night(data_dir / str(attempt), sources) for attempt in range(repeat)]
    costs = [cost for cost, _, _ in runs]
    middle = median(costs, peak=statistics.median)
    spent = {
        who: statistics.median(found.get(who, 0.0) for _, found, _ in runs)
        for who in sorted({who for _, found, _ in runs for who in found})
    }
    return middle, spent, runs[0][2]


def bench_scaling(scales: list[int], workdir: Path, repeat: int) -> None:
    from bench.synthetic import make_bundle

    print(
        f"\nscaling: synthetic Epoch bundles; median of {repeat} fresh processes per cell, "
        "each into an empty warehouse"
    )
    print(
        f"  {'scale':>5s} {'sources':8s} {'rows':>9s} {'wall s':>8s} {'CPU s':>8s} "
        f"{'peak MiB':>9s}  CPU per source (s)"
    )
    epoch_only: dict[int, Cost] = {}
    peaks: list[tuple[int, float]] = []
    for scale in scales:
        bundle = workdir / f"epoch-{scale}x.zip"
        make_bundle(scale, bundle)
        for label, sources in (
            ("epoch", {"epoch": bundle}),
            ("all", {"epoch": bundle, **OTHER_SOURCES}),
        ):
            with tempfile.TemporaryDirectory(dir=workdir) as tmp:
                cost, spent, rows = nights(Path(tmp), sources, repeat)
            per_source = ", ".join(f"{k} {v:.1f}" for k, v in sorted(spent.items()))
            print(
                f"  {scale:>4d}x {label:8s} {rows:9d} {cost.wall:8.1f} {cost.cpu:8.1f} "
                f"{cost.peak_mib:9.0f}  {per_source}",
                flush=True,
            )
            if label == "epoch":
                epoch_only[scale] = cost
                peaks.append((rows, cost.peak_mib))
            else:
                ratio = cost.cpu / epoch_only[scale].cpu
                label = f"all sources / Epoch only at {scale}x (CPU)"
                if scale >= 10:  # the budget is for 10x and more (issue 15)
                    line(label, ratio, 1.3)
                else:  # at 1x the leaderboards' fixed cost is most of it: shown, not judged
                    print(f"  {label:62s} {ratio:7.2f}x  (no budget below 10x)")
    if len(peaks) >= 2:
        (rows0, mib0), (rows1, mib1) = peaks[0], peaks[-1]
        per_row = (mib1 - mib0) * 1024 * 1024 / max(rows1 - rows0, 1)
        line("peak memory growth per raw row, Epoch only (bytes / 1000)", per_row / 1000, 1.0, "KB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--scales", default="1,10,100", help="synthetic sizes for the table")
    parser.add_argument(
        "--scaling-repeat", type=int, default=3, help="runs per scaling cell (median)"
    )
    parser.add_argument("--skip-scaling", action="store_true")
    parser.add_argument("--skip-cli", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(PROJECT))
    from bench.synthetic import make_bundle

    print(f"snapshot {SNAPSHOT}; load {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as tmp:
        bundle = Path(tmp) / "benchmark_data.zip"
        make_bundle(1, bundle)
        if not args.skip_cli:
            bench_cli(bundle, args.repeat)
        if not args.skip_scaling:
            bench_scaling([int(s) for s in args.scales.split(",")], Path(tmp), args.scaling_repeat)
    print(f"load {os.getloadavg()}")


if __name__ == "__main__":
    main()
