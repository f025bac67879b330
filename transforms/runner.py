"""Materialize the SQL models by folder: staging and intermediate as views, marts as tables."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

if TYPE_CHECKING:  # pandas loads with the Python marts: a night that builds none never imports it
    import pandas as pd

HERE = Path(__file__).resolve().parent

# explicit order: a model may only read models listed before it. Entries of the marts stage
# named "intermediate.<model>" are helper tables built inside the marts transaction: they read
# marts, so they can't be views created before the marts exist.
LAYERS: dict[str, tuple[str, ...]] = {
    "staging": (
        "stg_seeds__units",
        "stg_seeds__accessibility_labels",
        "stg_epoch__benchmark_rows",
        "stg_epoch__model_versions",
        "stg_epoch__eci_calibration",
        "stg_epoch__eci_scores",
        "stg_epoch__benchmark_metadata",
        "stg_epoch_ai_models__models",
        "stg_sources__observations",
    ),
    "intermediate": (
        "int_batches_current",
        "int_eci_calibration",
        "int_epoch_lineage",
        "int_benchmark_rows_scaled",
        "int_benchmark_scores_collapsed",
        "int_observations_scaled",
        "int_observations_collapsed",
    ),
    "marts": (
        "benchmarks",
        "models",
        "benchmark_scores",
        "model_aliases",
        "source_scores",
        "accessibility_conflicts",
        "unresolved_models",
        "intermediate.int_gap_scores",
        "intermediate.int_crossing_thresholds",
        "intermediate.int_first_crossers",
        "intermediate.int_crossing_pairs",
        "intermediate.int_crossing_floors",
        "intermediate.int_crossing_untested",
        "intermediate.int_score_noise",
        "intermediate.int_crossing_noise",
        "crossings",
        "gap_points",
        "gap_trend",
        "gap_summary",
        "frontier_lag",
        "aa_frontier_lag",
        "intermediate.int_aa_lag_trend",
        "frontier_lag_trend",
        "frontier_lag_monthly",
    ),
}
MATERIALIZATION = {"staging": "view", "intermediate": "view", "marts": "table"}
_PARAMETER = re.compile(r"\$([a-z_]+)")

Build = Callable[[duckdb.DuckDBPyConnection, Mapping[str, Any]], "pd.DataFrame"]


@dataclass(frozen=True)
class PythonModel:
    """A mart built in Python; its column types are declared, so an empty frame still types."""

    build: Build
    schema: Mapping[str, str]


@dataclass(frozen=True)
class BuiltModel:
    name: str
    rows: int | None


def model_sql(layer: str, name: str) -> str:
    return (HERE / layer / f"{name}.sql").read_text(encoding="utf-8")


def run_views(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create the staging and intermediate views; cheap, and needed before validation."""
    for layer in ("staging", "intermediate"):
        for name in LAYERS[layer]:
            con.execute(f"create or replace view {layer}.{name} as (\n{model_sql(layer, name)}\n)")


def run_marts(
    con: duckdb.DuckDBPyConnection,
    params: Mapping[str, Any],
    python_models: Mapping[str, PythonModel] | None = None,
) -> list[BuiltModel]:
    """Rebuild every mart in one transaction: readers see all old marts or all new ones."""
    con.begin()
    try:
        built = run_models(con, LAYERS["marts"], params, python_models)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return built


def run_models(
    con: duckdb.DuckDBPyConnection,
    names: Sequence[str],
    params: Mapping[str, Any],
    python_models: Mapping[str, PythonModel] | None = None,
) -> list[BuiltModel]:
    """Build the named marts-stage models in order (no transaction of its own)."""
    from transforms.method import sql_params

    python_models = python_models if python_models is not None else default_python_models()
    params = {**sql_params(), **params}
    return [_build_mart(con, name, params, python_models) for name in names]


def default_python_models() -> dict[str, PythonModel]:
    from transforms.python import (
        aa_lag_trend,
        crossing_noise,
        frontier_lag_trend,
        gap_summary,
        gap_trend,
        model_aliases,
    )

    return {
        "int_crossing_noise": PythonModel(crossing_noise.build, crossing_noise.SCHEMA),
        "int_aa_lag_trend": PythonModel(aa_lag_trend.build, aa_lag_trend.SCHEMA),
        "model_aliases": PythonModel(model_aliases.build, model_aliases.SCHEMA),
        "gap_trend": PythonModel(gap_trend.build, gap_trend.SCHEMA),
        "gap_summary": PythonModel(gap_summary.build, gap_summary.SCHEMA),
        "frontier_lag_trend": PythonModel(frontier_lag_trend.build, frontier_lag_trend.SCHEMA),
    }


def _build_mart(
    con: duckdb.DuckDBPyConnection,
    qualified: str,
    params: Mapping[str, Any],
    python_models: Mapping[str, PythonModel],
) -> BuiltModel:
    schema, _, name = qualified.rpartition(".")
    schema = schema or "marts"
    if name in python_models:
        model = python_models[name]
        frame = model.build(con, params)[list(model.schema)]
        casts = ", ".join(
            f"cast({column} as {kind}) as {column}" for column, kind in model.schema.items()
        )
        con.register("python_model_frame", frame)
        try:
            con.execute(
                f"create or replace table {schema}.{name} as select {casts} from python_model_frame"
            )
        finally:
            con.unregister("python_model_frame")
        return BuiltModel(f"{schema}.{name}", len(frame))
    sql = model_sql(schema, name)
    used = {key: params[key] for key in _PARAMETER.findall(sql)}
    con.execute(f"create or replace table {schema}.{name} as (\n{sql}\n)", used or None)
    rows = con.execute(f"select count(*) from {schema}.{name}").fetchall()[0][0]
    return BuiltModel(f"{schema}.{name}", rows)
