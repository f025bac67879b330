"""Open/closed coverage of tracked-benchmark versions on every shared Epoch snapshot.

    python bench/status_coverage.py [--crossers]

Each snapshot is refreshed through the public CLI into a throwaway data dir (Epoch alone, as of
its date). Prints, per snapshot, the model versions scored on tracked benchmarks, how many have
no status and their share, and how many versions each link of the status chain decided. With
--crossers it also lists every version without a status that is the first crosser, or would be,
at some threshold of a tracked benchmark: it scores at least the threshold and was released
before the first closed or the first open crosser there (so a status would change a crossing).
These are the versions worth an override (transforms/seeds/accessibility_overrides.csv).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from warehouse.store import connect_file

PROJECT = Path(__file__).resolve().parent.parent
EPOCH = PROJECT.parent / "shared" / "data" / "epoch"
GAPWATCH = Path(sys.executable).parent / "gapwatch"
SNAPSHOTS = {
    "2025-11-02": "2025-11-02",
    "2026-03-09": "2026-03-09",
    "2026-04-11": "2026-04-11",
    "2026-04-19": "2026-04-19",
    "2026-09-new-layout": "2026-10-01",
}

COVERAGE = """
with tracked as (
    select distinct scores.model_version
    from marts.benchmark_scores as scores
    inner join marts.benchmarks using (benchmark_id)
    where benchmarks.tracked
)
select count(*), count(*) filter (where models.is_open is null)
from tracked inner join marts.models using (model_version)
"""
BY_LINK = """
select coalesce(models.status_source, '(none)') as link, count(*)
from (
    select distinct scores.model_version
    from marts.benchmark_scores as scores
    inner join marts.benchmarks using (benchmark_id)
    where benchmarks.tracked
) as tracked
inner join marts.models using (model_version)
group by all order by 2 desc
"""
CROSSERS = """
select distinct scores.model_version, models.model_name, models.organization,
       models.release_date, models.accessibility,
       string_agg(distinct scores.benchmark_id, ' ') over (partition by scores.model_version)
from marts.crossings as crossings
inner join marts.benchmarks using (benchmark_id)
inner join marts.benchmark_scores as scores
    on scores.benchmark_id = crossings.benchmark_id
    and scores.score >= crossings.threshold - 1e-9
inner join marts.models as models
    on scores.model_version = models.model_version
where benchmarks.tracked
    and crossings.open_scope = 'all'
    and models.is_open is null
    and models.accessibility is distinct from 'Unreleased'
    and models.accessibility is distinct from 'Limited access'
    and scores.release_date is not null
    and (
        scores.release_date < coalesce(crossings.first_closed_date, date '9999-12-31')
        or scores.release_date < coalesce(crossings.first_open_date, date '9999-12-31')
    )
order by 1
"""


def build(snapshot: str, as_of: str, data_dir: Path) -> Path:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GAPWATCH_")}
    env.update(
        GAPWATCH_SOURCES="epoch",
        GAPWATCH_EPOCH_LOCATION=str(EPOCH / snapshot / "benchmark_data"),
        GAPWATCH_DATA_DIR=str(data_dir),
    )
    subprocess.run(
        [str(GAPWATCH), "refresh", "--no-prefect", "--quiet", "--as-of", as_of],
        env=env,
        capture_output=True,
        check=False,
    )
    return data_dir / "gapwatch.duckdb"


def main(crossers: bool) -> None:
    for snapshot, as_of in SNAPSHOTS.items():
        with tempfile.TemporaryDirectory() as tmp:
            database = build(snapshot, as_of, Path(tmp))
            with connect_file(database, read_only=True) as con:
                total, unknown = con.execute(COVERAGE).fetchall()[0]
                links = ", ".join(f"{link} {n}" for link, n in con.execute(BY_LINK).fetchall())
                print(
                    f"{snapshot}: {total} versions on tracked benchmarks, {unknown} without "
                    f"status ({unknown / total:.1%}); decided by: {links}"
                )
                if crossers:
                    for row in con.execute(CROSSERS).fetchall():
                        print("   ", " | ".join("" if v is None else str(v) for v in row))


if __name__ == "__main__":
    main("--crossers" in sys.argv[1:])
