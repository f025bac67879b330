"""Materialize the SQL models by folder: staging and intermediate as views, marts as tables."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

HERE = Path(__file__).resolve().parent

# explicit order: a model may only read models listed before it
LAYERS: dict[str, tuple[str, ...]] = {
    "staging": ("stg_epoch__benchmark_rows", "stg_epoch__model_versions"),
    "intermediate": (
        "int_batches_current",
        "int_benchmark_rows_scaled",
        "int_benchmark_scores_collapsed",
    ),
    "marts": ("benchmarks", "models", "benchmark_scores", "unresolved_models"),
}
MATERIALIZATION = {"staging": "view", "intermediate": "view", "marts": "table"}
_PARAMETER = re.compile(r"\$([a-z_]+)")

PythonModel = Callable[[duckdb.DuckDBPyConnection, Mapping[str, Any]], pd.DataFrame]


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
    python_models = python_models or {}
    built: list[BuiltModel] = []
    con.begin()
    try:
        for name in LAYERS["marts"]:
            built.append(_build_mart(con, name, params, python_models))
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return built


def _build_mart(
    con: duckdb.DuckDBPyConnection,
    name: str,
    params: Mapping[str, Any],
    python_models: Mapping[str, PythonModel],
) -> BuiltModel:
    if name in python_models:
        frame = python_models[name](con, params)
        con.register("python_model_frame", frame)
        try:
            con.execute(f"create or replace table marts.{name} as select * from python_model_frame")
        finally:
            con.unregister("python_model_frame")
        return BuiltModel(name, len(frame))
    sql = model_sql("marts", name)
    used = {key: params[key] for key in _PARAMETER.findall(sql)}
    con.execute(f"create or replace table marts.{name} as (\n{sql}\n)", used or None)
    rows = con.execute(f"select count(*) from marts.{name}").fetchall()[0][0]
    return BuiltModel(name, rows)
