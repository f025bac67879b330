"""The SQL models stay in step with the code that names them, and the layers stay one way."""

from __future__ import annotations

import ast
import csv
import inspect

import pytest

from extractors import OBSERVATION_SOURCES, SOURCES
from transforms.runner import (
    HERE,
    Model,
    ModelGraphError,
    build_order,
    default_python_models,
    discover,
    model_sql,
    plan,
    references,
)


def test_the_raw_union_reads_every_observation_source_and_staging_names_none() -> None:
    from warehouse.db import observations_view_ddl

    ddl = observations_view_ddl()
    for source in OBSERVATION_SOURCES:
        assert f"select '{source}' as source, * from raw.{source}__observations" in ddl
    sql = model_sql("staging", "stg_sources__observations")
    assert references(sql) == {"raw.observations"}


def test_every_model_file_and_python_model_is_built_once_in_order() -> None:
    views, tables = plan()
    files = {f"{path.parent.name}.{path.stem}" for path in HERE.glob("*/*.sql")}
    files -= {name for name in files if name.startswith("alerts.")}
    python = {f"{m.layer}.{name}" for name, m in default_python_models().items()}
    assert sorted(views + tables) == sorted(files | python)
    position = {name: i for i, name in enumerate(views + tables)}
    for model in discover().values():
        for read in model.reads:
            if read in position:
                assert position[read] < position[model.qualified], (model.qualified, read)


def test_no_intermediate_model_reads_marts_and_marts_read_no_marts() -> None:
    for model in discover().values():
        schemas = {read.partition(".")[0] for read in model.reads}
        if model.layer in ("intermediate", "marts"):
            assert schemas <= {"staging", "intermediate"}, model.qualified


def test_every_seed_has_one_staging_model_and_only_it_reads_the_seed() -> None:
    models = discover()
    for path in sorted((HERE / "seeds").glob("*.csv")):
        seed = f"seeds.{path.stem}"
        readers = sorted(name for name, model in models.items() if seed in model.reads)
        assert readers == [f"staging.stg_seeds__{path.stem}"], (seed, readers)


def test_python_models_declare_every_table_they_query() -> None:
    for name, python in default_python_models().items():
        module = inspect.getmodule(python.build)
        assert module is not None
        queried: set[str] = set()
        for node in ast.walk(ast.parse(inspect.getsource(module))):
            is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
            if is_text and "select " in node.value:  # a query, not a docstring
                queried |= references(node.value)
        # and its query files, transforms/python/sql/<module>_<query>.sql
        stem = module.__name__.rpartition(".")[2]
        for path in (HERE / "python" / "sql").glob(f"{stem}_*.sql"):
            queried |= references(path.read_text(encoding="utf-8"))
        assert queried and queried <= set(python.reads), (name, sorted(queried))


def _model(qualified: str, *reads: str) -> Model:
    layer, _, name = qualified.partition(".")
    return Model(layer, name, frozenset(reads), "select 1")


def test_a_cycle_is_an_error_that_names_it() -> None:
    models = {
        m.qualified: m
        for m in (
            _model("intermediate.int_a", "intermediate.int_b"),
            _model("intermediate.int_b", "intermediate.int_c"),
            _model("intermediate.int_c", "intermediate.int_a"),
        )
    }
    with pytest.raises(ModelGraphError, match=r"int_a -> intermediate\.int_b -> "):
        build_order(models)


def test_an_upward_read_or_an_unknown_model_is_an_error() -> None:
    upward = {
        m.qualified: m
        for m in (_model("marts.report"), _model("intermediate.int_x", "marts.report"))
    }
    with pytest.raises(ModelGraphError, match=r"intermediate\.int_x reads marts\.report"):
        build_order(upward)
    unknown = {"marts.report": _model("marts.report", "intermediate.int_gone")}
    with pytest.raises(ModelGraphError, match="no model defines"):
        build_order(unknown)
    raw_read = {"intermediate.int_x": _model("intermediate.int_x", "raw.batches")}
    with pytest.raises(ModelGraphError, match="intermediate may read only staging"):
        build_order(raw_read)


def test_sql_files_hold_one_select_and_no_templating() -> None:
    for path in HERE.glob("*/*.sql"):
        text = path.read_text(encoding="utf-8")
        assert "{" not in text and "}" not in text, path.name
        lowered = text.lower()
        assert "create " not in lowered and "insert " not in lowered, path.name


def test_the_source_catalog_names_every_source_once_and_one_registry() -> None:
    with (HERE / "seeds" / "sources.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    names = [row["source"] for row in rows]
    assert sorted(names) == sorted(SOURCES) and len(set(names)) == len(names)
    assert [row["role"] for row in rows].count("registry") == 1
    assert {row["role"] for row in rows} == {"registry", "leaderboard", "status"}


def test_the_declared_python_models_are_the_ones_built() -> None:
    """Ordering reads each python model's NAME, LAYER and READS without importing it."""
    from transforms.runner import declared_python_models, default_python_models

    declared = {n: (m.layer, m.reads) for n, m in declared_python_models().items()}
    assert declared == {n: (m.layer, m.reads) for n, m in default_python_models().items()}


def test_a_view_read_by_several_tables_is_computed_once() -> None:
    """Hand-made models: a random view read by two tables gives both the same value only if it
    was computed once."""
    import duckdb

    from transforms.runner import ReadingCopies, reading_copies, views_once

    con = duckdb.connect()
    con.execute("create schema staging; create schema intermediate; create schema marts")
    draw = Model("staging", "stg_draw", frozenset(), "select random() as r")
    twice = Model(
        "intermediate",
        "int_twice",
        frozenset({"staging.stg_draw"}),
        "select r * 2 as r2 from staging.stg_draw as draw",
    )
    one = Model(
        "marts",
        "one",
        frozenset({"intermediate.int_twice", "staging.stg_draw"}),
        "select r, r2 from staging.stg_draw as draw, intermediate.int_twice as twice",
    )
    two = Model(
        "marts",
        "two",
        frozenset({"intermediate.int_twice"}),
        "select r2 from intermediate.int_twice as twice",
    )
    models = {m.qualified: m for m in (draw, twice, one, two)}
    for view in (draw, twice):
        con.execute(f"create view {view.qualified} as ({view.sql})")
    existing = frozenset({draw.qualified, twice.qualified})
    copies = views_once(con, models, [one, two], existing)
    assert sorted(copies) == ["intermediate.int_twice", "staging.stg_draw"]
    r, r2 = con.execute(reading_copies(one.sql or "", copies)).fetchall()[0]
    assert r2 == r * 2
    assert con.execute(reading_copies(two.sql or "", copies)).fetchall() == [(r2,)]
    # a python model's queries read the copies too
    python_reads = ReadingCopies(con, copies).execute("select r from staging.stg_draw as draw")
    assert python_reads.fetchall() == [(r,)]
    # read as views, two draws differ: the copies are what made them agree
    assert con.execute("select r from staging.stg_draw").fetchall() != [(r,)]


def test_a_split_python_model_is_computed_off_the_connections_thread() -> None:
    """Hand-made models: a python model split into load and compute has its compute run on
    another thread, its table written before the table that reads it, the rows its build()
    gives; an error in compute comes out of the build."""
    import threading
    from dataclasses import replace
    from typing import Any

    import duckdb
    import pandas as pd

    from transforms.runner import PythonModel, build_tables

    con = duckdb.connect()
    con.execute("create schema staging; create schema intermediate; create schema marts")
    con.execute("create table staging.stg_in as select range as x from range(3)")
    computed_on: list[int] = []

    def load(con: duckdb.DuckDBPyConnection, params: Any) -> pd.DataFrame:
        return con.execute("select x from staging.stg_in").df()

    def compute(frame: pd.DataFrame, params: Any) -> pd.DataFrame:
        computed_on.append(threading.get_ident())
        return frame.assign(y=frame["x"] * params["factor"])

    def build(con: duckdb.DuckDBPyConnection, params: Any) -> pd.DataFrame:
        return compute(load(con, params), params)

    python = PythonModel(build, {"x": "bigint", "y": "bigint"}, ("staging.stg_in",))
    split = Model(
        "intermediate",
        "int_split",
        frozenset(python.reads),
        python=replace(python, split=(load, compute)),
    )
    reader = Model(
        "marts",
        "reader",
        frozenset({"intermediate.int_split"}),
        "select sum(y) as total from intermediate.int_split",
    )
    other = Model(
        "marts", "other", frozenset({"staging.stg_in"}), "select count(*) as n from staging.stg_in"
    )
    built = build_tables(con, [split, reader, other], {"factor": 10}, {}, frozenset())
    assert [(b.name, b.rows) for b in built] == [
        ("intermediate.int_split", 3),
        ("marts.reader", 1),
        ("marts.other", 1),
    ]
    assert computed_on and computed_on[0] != threading.get_ident()
    assert con.execute("select total from marts.reader").fetchall() == [(30,)]
    inline = con.execute("select * from intermediate.int_split order by x").df()
    assert inline.equals(build(con, {"factor": 10}).astype(inline.dtypes.to_dict()))

    def broken(frame: pd.DataFrame, params: Any) -> pd.DataFrame:
        raise ValueError("compute broke")

    failing = replace(split, python=replace(python, split=(load, broken)))
    with pytest.raises(ValueError, match="compute broke"):
        build_tables(con, [failing, reader, other], {"factor": 10}, {}, frozenset())


def test_a_split_model_whose_turn_comes_while_the_worker_is_busy_is_built_here() -> None:
    """Hand-made models: the first split model's compute holds the worker until the second's
    load has run; the second is then built on the calling thread, not queued behind it."""
    import threading
    from typing import Any

    import duckdb
    import pandas as pd

    from transforms.runner import PythonModel, build_tables

    con = duckdb.connect()
    con.execute("create schema staging; create schema intermediate")
    con.execute("create table staging.stg_in as select range as x from range(2)")
    second_loaded = threading.Event()
    computed_on: dict[str, int] = {}

    def split_model(name: str) -> Model:
        def load(con: duckdb.DuckDBPyConnection, params: Any) -> pd.DataFrame:
            if name == "int_second":
                second_loaded.set()
            return con.execute("select x from staging.stg_in").df()

        def compute(frame: pd.DataFrame, params: Any) -> pd.DataFrame:
            if name == "int_first":
                assert second_loaded.wait(timeout=30)
            computed_on[name] = threading.get_ident()
            return frame

        def build(con: duckdb.DuckDBPyConnection, params: Any) -> pd.DataFrame:
            return compute(load(con, params), params)

        python = PythonModel(build, {"x": "bigint"}, ("staging.stg_in",), split=(load, compute))
        return Model("intermediate", name, frozenset(python.reads), python=python)

    built = build_tables(
        con, [split_model("int_first"), split_model("int_second")], {}, {}, frozenset()
    )
    assert [(b.name, b.rows) for b in built] == [
        ("intermediate.int_first", 2),
        ("intermediate.int_second", 2),
    ]
    assert computed_on["int_first"] != threading.get_ident()
    assert computed_on["int_second"] == threading.get_ident()
