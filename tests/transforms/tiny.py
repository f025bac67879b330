"""Tiny hand-written warehouses for the gap rules: a few made-up models, one benchmark.

Every model, date and score here is invented for the test it serves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import duckdb

from transforms.python import crossing_noise
from transforms.runner import PythonModel, model_sql, run_models

# everything from the scores to the gap points; the models above them are made up below
GAP_MODELS = (
    "intermediate.int_gap_scores",
    "intermediate.int_crossing_thresholds",
    "intermediate.int_first_crossers",
    "intermediate.int_crossing_pairs",
    "intermediate.int_crossing_floors",
    "intermediate.int_crossing_untested",
    "intermediate.int_crossing_noise",
    "intermediate.int_crossings",
    "intermediate.int_gap_points",
    "crossings",
    "gap_points",
)


@dataclass(frozen=True)
class Model:
    version: str
    released: str
    is_open: bool | None
    score: float | None = None  # on the test benchmark; None = never evaluated there
    eci: float | None = None
    chinese: bool = False
    name: str | None = None
    blank_row: bool = False  # a row on the test benchmark with a blank headline score


def build(
    models: Iterable[Model],
    thresholds: str | None = "0.5 0.6 0.7",
    floor: float | None = 0.0,
    overrides: Iterable[tuple[str, float, str, str, str]] = (),
    as_of: date = date(2026, 1, 1),
    extra_models: Iterable[str] = (),
    calibration: tuple[float, float] | None = None,
    random_baseline: float = 0.0,
) -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse with benchmark 'bench' and the gap models built over it.

    calibration: (difficulty, slope) of an IRT calibration for 'bench', or none shipped.
    """
    con = duckdb.connect()
    for schema in ("seeds", "staging", "intermediate", "marts"):
        con.execute(f"create schema {schema}")
    con.execute(
        "create table intermediate.int_benchmarks as select 'bench' as benchmark_id, "
        "'Bench' as name, 'fraction' as scale, ?::varchar as thresholds, "
        "?::double as validity_floor, "
        "case when ? is null then null else 'catalog_floor' end as floor_origin, "
        "true as tracked, 'public' as access, 'math' as category, 'epoch' as source, "
        "'fraction' as unit, ?::double as random_baseline",
        [thresholds, floor, floor, random_baseline],
    )
    con.execute(
        "create table intermediate.int_eci_calibration (benchmark_id varchar, "
        "eci_benchmark_name varchar, difficulty double, slope double)"
    )
    if calibration is not None:
        con.execute(
            "insert into intermediate.int_eci_calibration values ('bench', 'Bench', ?, ?)",
            list(calibration),
        )
    # every row of the one Epoch file, scored or blank, as the untested rule reads them
    con.execute(
        "create table intermediate.int_batches_current as "
        "select 'epoch' as source, 'bench.csv' as file, 1 as fetch_id, 'bench' as benchmark_id"
    )
    con.execute(
        "create table intermediate.int_benchmark_rows_scaled (fetch_id integer, file varchar, "
        "benchmark_id varchar, model_version varchar, score double)"
    )
    con.execute(
        "create table intermediate.int_models (model_version varchar, model_name varchar, "
        "release_date date, is_open boolean, is_chinese boolean, eci_score double, "
        "organization varchar)"
    )
    con.execute(
        "create table intermediate.int_benchmark_scores (benchmark_id varchar, "
        "model_version varchar, score double, release_date date, is_open boolean, "
        "is_chinese boolean)"
    )
    for m in models:
        con.execute(
            "insert into intermediate.int_models values (?, ?, ?, ?, ?, ?, 'Org')",
            [m.version, m.name, m.released, m.is_open, m.chinese, m.eci],
        )
        if m.score is not None or m.blank_row:
            con.execute(
                "insert into intermediate.int_benchmark_rows_scaled values "
                "(1, 'bench.csv', 'bench', ?, ?)",
                [m.version, m.score],
            )
        if m.score is not None:
            con.execute(
                "insert into intermediate.int_benchmark_scores values ('bench', ?, ?, ?, ?, ?)",
                [m.version, m.score, m.released, m.is_open, m.chinese],
            )
    # no other source in these warehouses
    con.execute(
        "create table intermediate.int_source_scores (source varchar, benchmark_id varchar, "
        "source_model varchar, score double, release_date date, is_open boolean, "
        "is_chinese boolean, model_name varchar, model_id varchar, eci_score double, "
        "organization varchar)"
    )
    con.execute(
        "create table seeds.crossing_overrides (benchmark_id varchar, threshold varchar, "
        "open_scope varchar, verdict varchar, reason varchar)"
    )
    for row in overrides:
        con.execute("insert into seeds.crossing_overrides values (?, ?, ?, ?, ?)", list(row))
    # a one-source catalog: the registry the made-up scores come from
    con.execute(
        "create table seeds.sources as select 'epoch' as source, 'registry' as role, "
        "'0' as open_flag_precedence, 'false' as tracks_every_metric, 'made up' as attribution"
    )
    for seed in ("crossing_overrides", "sources"):
        sql = model_sql("staging", f"stg_seeds__{seed}")
        con.execute(f"create view staging.stg_seeds__{seed} as ({sql})")
    # no published noise in these warehouses: every p_above_threshold is NULL
    con.execute(
        "create table intermediate.int_score_noise (benchmark_id varchar, model_version varchar, "
        "noise_kind varchar, stderr double, log_sd double, noise_note varchar)"
    )
    noise = PythonModel(
        crossing_noise.build, crossing_noise.SCHEMA, crossing_noise.READS, crossing_noise.LAYER
    )
    run_models(con, GAP_MODELS, {"as_of": as_of}, python_models={"int_crossing_noise": noise})
    return con


def crossing(con: duckdb.DuckDBPyConnection, threshold: float, scope: str = "all") -> dict:
    cursor = con.execute(
        "select * from marts.crossings where abs(threshold - ?) < 1e-9 and open_scope = ?",
        [threshold, scope],
    )
    columns = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    assert len(rows) == 1, rows
    return dict(zip(columns, rows[0], strict=True))
