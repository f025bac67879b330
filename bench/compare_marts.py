"""Marts before and after a change, table by table, on every shared snapshot.

    python bench/compare_marts.py dump  OUT_DIR   # refresh each case, save every mart
    python bench/compare_marts.py diff  OLD_DIR NEW_DIR

Each case is a `gapwatch refresh --no-prefect` through the public CLI into a throwaway data dir
(the four old-layout Epoch snapshots alone, the new-layout bundle, and the 2026-04-19 bundle
with every leaderboard sample), so the script works whatever the code's layout. Columns that
differ every run by design (run ids, timestamps) are left out; everything else must be equal,
row for row.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

from warehouse.store import connect_file

PROJECT = Path(__file__).resolve().parent.parent
SHARED = PROJECT.parent / "shared" / "data"
GAPWATCH = Path(sys.executable).parent / "gapwatch"
VOLATILE = {
    "run_id",
    "raised_at",
    "delivered_at",
    "started_at",
    "finished_at",
    "fetched_at",
    "checked_at",
    "loaded_at",
    "first_seen_at",
    "prefect_flow_run_id",
}


def cases() -> dict[str, dict[str, str]]:
    epoch = SHARED / "epoch"
    board = SHARED / "leaderboards"
    out = {
        snap: {
            "GAPWATCH_SOURCES": "epoch",
            "GAPWATCH_EPOCH_LOCATION": str(epoch / snap / "benchmark_data"),
            "as_of": snap,
        }
        for snap in ("2025-11-02", "2026-03-09", "2026-04-11", "2026-04-19")
    }
    locations = {
        "epoch": epoch / "2026-04-19" / "benchmark_data",
        "artificial_analysis": SHARED
        / "artificial_analysis"
        / "leaderboard_page_payload"
        / "2026-07-10"
        / "llms.json",
        "aider": board / "aider_polyglot" / "2025-10-04",
        "metr": board / "metr_time_horizons" / "2026-03-03",
        "weirdml": board / "weirdml" / "2026-08-17",
        "livebench": board / "livebench" / "2026-07-01",
        "lmarena": board / "lmarena" / "2026-07-04",
        "arc_prize": board / "arc_prize" / "2026-06-16",
    }
    out["new-layout"] = {
        "GAPWATCH_SOURCES": "epoch",
        "GAPWATCH_EPOCH_LOCATION": str(epoch / "2026-09-new-layout" / "benchmark_data"),
        "as_of": "2026-10-01",
    }
    every = {f"GAPWATCH_{name.upper()}_LOCATION": str(path) for name, path in locations.items()}
    out["all-sources"] = {**every, "GAPWATCH_SOURCES": ",".join(locations), "as_of": "2026-08-20"}
    return out


def dump(out_dir: Path) -> None:
    for name, case in cases().items():
        with tempfile.TemporaryDirectory() as tmp:
            env = {k: v for k, v in os.environ.items() if not k.startswith("GAPWATCH_")}
            env.update({k: v for k, v in case.items() if k != "as_of"}, GAPWATCH_DATA_DIR=tmp)
            done = subprocess.run(
                [str(GAPWATCH), "refresh", "--no-prefect", "--quiet", "--as-of", case["as_of"]],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            print(f"{name}: exit {done.returncode}", done.stderr.strip()[-300:], flush=True)
            db = Path(env.get("GAPWATCH_DB") or Path(tmp) / "gapwatch.duckdb")
            target = out_dir / name
            target.mkdir(parents=True, exist_ok=True)
            with connect_file(db, read_only=True) as con:
                for schema, table in con.execute(
                    "select table_schema, table_name from information_schema.tables "
                    "where table_schema in ('marts', 'history') order by 1, 2"
                ).fetchall():
                    frame = con.sql(f'select * from "{schema}"."{table}"').df()
                    frame = frame.drop(columns=[c for c in frame if c in VOLATILE])
                    frame.astype(str).sort_values(list(frame.columns)).reset_index(
                        drop=True
                    ).to_pickle(target / f"{schema}.{table}.pkl")


def diff(old: Path, new: Path) -> int:
    problems = 0
    for case in sorted(p.name for p in old.iterdir()):
        for path in sorted((old / case).glob("*.pkl")):
            other = new / case / path.name
            if not other.exists():
                # a table that moved schema (marts.x -> history.x) is compared under its new name
                moved = list((new / case).glob("*." + path.name.split(".", 1)[1]))
                if not moved:
                    print(f"{case}: {path.stem} missing after")
                    problems += 1
                    continue
                other = moved[0]
            a, b = pd.read_pickle(path), pd.read_pickle(other)
            shared = [c for c in a.columns if c in b.columns]
            gone = sorted(set(a.columns) - set(b.columns))
            added = sorted(set(b.columns) - set(a.columns))
            a = a[shared].sort_values(shared).reset_index(drop=True)
            b = b[shared].sort_values(shared).reset_index(drop=True)
            same = a.shape == b.shape and a.equals(b)
            note = f" (columns gone {gone}, added {added})" if gone or added else ""
            if not same:
                problems += 1
                print(f"{case}: {path.stem} DIFFERS: {len(a)} rows before, {len(b)} after{note}")
            elif note:
                print(f"{case}: {path.stem} equal on shared columns{note}")
    print("identical" if not problems else f"{problems} table(s) differ")
    return 1 if problems else 0


if __name__ == "__main__":
    if sys.argv[1] == "dump":
        dump(Path(sys.argv[2]))
    else:
        sys.exit(diff(Path(sys.argv[2]), Path(sys.argv[3])))
