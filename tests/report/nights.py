"""Build a warehouse from the real shared snapshots, night after night, for screenshots.

Nights are replayed in date order with the sources each night had, so the marts carry history
(gap_history, alerts of several kinds) as a nightly deployment would. The snapshots are read in
place from ../shared/data and never copied into the repository.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from pipeline.run import refresh
from pipeline.settings import Settings

PROJECT = Path(__file__).resolve().parents[2]
SHARED = PROJECT.parent / "shared" / "data"

# night -> {source: path below ../shared/data}; each night refreshes only the sources it names
NIGHTS: tuple[tuple[str, dict[str, str]], ...] = (
    (
        "2025-11-02",
        {
            "epoch": "epoch/2025-11-02/benchmark_data",
            "aider": "leaderboards/aider_polyglot/2025-10-04/polyglot_leaderboard.yml",
            "metr": "leaderboards/metr_time_horizons/2025-11-02/benchmark_results.yaml",
        },
    ),
    (
        "2026-03-09",
        {
            "epoch": "epoch/2026-03-09/benchmark_data",
            "metr": "leaderboards/metr_time_horizons/2026-03-03/benchmark_results_1_1.yaml",
        },
    ),
    (
        "2026-04-11",
        {
            "epoch": "epoch/2026-04-11/benchmark_data",
            "weirdml": "leaderboards/weirdml/2026-04-10/weirdml_data.csv",
        },
    ),
    ("2026-04-19", {"epoch": "epoch/2026-04-19/benchmark_data"}),
)


def build(data_dir: Path, shared: Path = SHARED) -> Path:
    """Replay every night into data_dir; returns the warehouse file."""
    if not shared.is_dir():
        raise SystemExit(f"real snapshots not found at {shared}")
    database = data_dir / "gapwatch.duckdb"
    for night, sources in NIGHTS:
        settings = Settings(data_dir=data_dir, sources=tuple(sources))
        for source, relative in sources.items():
            settings = settings.with_location(source, str(shared / relative))
        result = refresh(settings, date.fromisoformat(night))
        print(f"{night}: {'ok' if result.ok else '; '.join(result.problems())}", file=sys.stderr)
        database = settings.database
    return database


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path, help="an empty directory for the warehouse")
    args = parser.parse_args(argv)
    print(build(args.data_dir))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
