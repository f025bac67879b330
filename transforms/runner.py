"""Materialize the models in the order their own references give: staging, intermediate, marts.

Every model names what it reads (`schema.model` in its SQL, READS in a python model), so the
build order is a topological sort of those references, and the layers are checked while
sorting: staging reads raw, seeds and staging; intermediate reads staging and intermediate;
marts read staging and intermediate only. A model is a view when it can be one (SQL without
parameters, reading only views): those exist before validation runs. The rest (python models,
models with a parameter, models reading a table, and every mart) are tables, rebuilt together
in one transaction. During that build each view the tables read is computed once, into a
temporary table the tables' SQL reads instead: a view read by ten tables is otherwise
recomputed, with every view beneath it, ten times.

A python model may split its build into `load` (its queries, on the connection) and `compute`
(numpy on what load read, no connection): the runner then computes it on a worker thread
while the connection builds the tables that do not read it, and writes its table when a
reader needs it (numpy's products, sorts and random draws release the GIL, and so does
DuckDB's execution). The connection is only ever used from the calling thread.
"""

from __future__ import annotations

import ast
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent import futures
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import duckdb

if TYPE_CHECKING:  # pandas loads with the Python marts: a night that builds none never imports it
    import pandas as pd

HERE = Path(__file__).resolve().parent

LAYERS = ("staging", "intermediate", "marts")
# what each layer may read; raw and seeds are the loaded inputs, not models
MAY_READ = {
    "staging": ("raw", "seeds", "staging"),
    "intermediate": ("staging", "intermediate"),
    "marts": ("staging", "intermediate"),
}
_REFERENCE = re.compile(r"\b(raw|seeds|staging|intermediate|marts)\.([a-z_][a-z0-9_]*)\b")
_COMMENT = re.compile(r"--[^\n]*")
_PARAMETER = re.compile(r"\$([a-z_]+)")

# the line a view whose rows are the raw rows one by one (trimmed, cast, scaled: no aggregate)
# carries: the build reads it as the view, recomputed by each reader, instead of holding a
# temporary copy of every raw row (the copy would cost far more memory than it saves time)
STREAMED = "-- build: streamed, not copied"

Build = Callable[[duckdb.DuckDBPyConnection, Mapping[str, Any]], "pd.DataFrame"]
# a python model's build in two: its queries on the connection, then arithmetic without one
Load = Callable[[duckdb.DuckDBPyConnection, Mapping[str, Any]], Any]
Compute = Callable[[Any, Mapping[str, Any]], "pd.DataFrame"]


class ModelGraphError(ValueError):
    """The models' references break a rule: a cycle, a layer read upward, an unknown model."""


@dataclass(frozen=True)
class PythonModel:
    """A model built in Python; its column types are declared, so an empty frame still types."""

    build: Build
    schema: Mapping[str, str]
    reads: tuple[str, ...]
    layer: str = "intermediate"
    # build() as load then compute (compute off the connection's thread); None: build() only
    split: tuple[Load, Compute] | None = None


@dataclass(frozen=True)
class Model:
    """One model: where it lives, what it reads, and whether it is SQL or Python."""

    layer: str
    name: str
    reads: frozenset[str]
    sql: str | None = None
    python: PythonModel | None = field(default=None, compare=False)

    @property
    def qualified(self) -> str:
        return f"{self.layer}.{self.name}"

    @property
    def parameters(self) -> tuple[str, ...]:
        return tuple(sorted(set(_PARAMETER.findall(self.sql or ""))))


@dataclass(frozen=True)
class BuiltModel:
    name: str
    rows: int | None
    # wall time this table's build held the calling thread (benchmarks read it): for a model
    # computed on the worker its load, the wait for its result (`waited`) and its write
    seconds: float = 0.0
    waited: float = 0.0
    background: float = 0.0  # seconds of the worker thread's compute, overlapped with the rest


def model_sql(layer: str, name: str) -> str:
    return (HERE / layer / f"{name}.sql").read_text(encoding="utf-8")


def references(sql: str) -> frozenset[str]:
    """The `schema.table` names a SQL text reads (comments ignored)."""
    return frozenset(".".join(match) for match in _REFERENCE.findall(_COMMENT.sub("", sql)))


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
        module.NAME: PythonModel(
            module.build,
            module.SCHEMA,
            module.READS,
            module.LAYER,
            (module.load, module.compute) if hasattr(module, "compute") else None,
        )
        for module in (
            crossing_noise,
            model_aliases,
            gap_trend,
            gap_summary,
            aa_lag_trend,
            frontier_lag_trend,
        )
    }


def discover(python_models: Mapping[str, PythonModel] | None = None) -> dict[str, Model]:
    """Every model of the three layers, by qualified name."""
    python_models = python_models if python_models is not None else default_python_models()
    models: dict[str, Model] = {}
    for layer in LAYERS:
        for path in sorted((HERE / layer).glob("*.sql")):
            sql = path.read_text(encoding="utf-8")
            model = Model(layer, path.stem, references(sql), sql)
            models[model.qualified] = model
    for name, python in python_models.items():
        model = Model(python.layer, name, frozenset(python.reads), python=python)
        if model.qualified in models:
            raise ModelGraphError(f"{model.qualified} is both a .sql file and a python model")
        models[model.qualified] = model
    return models


def layer_errors(models: Mapping[str, Model]) -> list[str]:
    """Each read that goes against the layers, or names a model that does not exist."""
    errors = []
    for model in models.values():
        for read in sorted(model.reads):
            schema = read.partition(".")[0]
            if schema not in MAY_READ[model.layer]:
                errors.append(
                    f"{model.qualified} reads {read}: {model.layer} may read only "
                    f"{', '.join(MAY_READ[model.layer])}"
                )
            elif schema in LAYERS and read not in models:
                errors.append(f"{model.qualified} reads {read}, which no model defines")
    return errors


def build_order(models: Mapping[str, Model]) -> list[str]:
    """The models sorted so each comes after everything it reads; a cycle is an error."""
    errors = layer_errors(models)
    if errors:
        raise ModelGraphError("; ".join(errors))
    order: list[str] = []
    state: dict[str, str] = {}

    def visit(name: str, path: tuple[str, ...]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            cycle = (*path[path.index(name) :], name)
            raise ModelGraphError("models read each other in a cycle: " + " -> ".join(cycle))
        state[name] = "visiting"
        for read in sorted(models[name].reads):
            if read in models:
                visit(read, (*path, name))
        state[name] = "done"
        order.append(name)

    for name in sorted(models, key=lambda n: (LAYERS.index(models[n].layer), n)):
        visit(name, ())
    return order


def view_names(models: Mapping[str, Model], order: Sequence[str]) -> list[str]:
    """The models that can be views, in build order (the rest are tables)."""
    views: list[str] = []
    for name in order:
        model = models[name]
        if (
            model.layer != "marts"
            and model.python is None
            and not model.parameters
            and all(read in views or read not in models for read in model.reads)
        ):
            views.append(name)
    return views


@cache
def declared_python_models() -> dict[str, PythonModel]:
    """The python models as their modules declare them (NAME, LAYER, READS read from the source,
    not imported): enough to order the models and create the views, so a night that builds no
    table never imports pandas-heavy model code."""
    declared = {}
    for path in sorted((HERE / "python").glob("*.py")):
        values: dict[str, Any] = {}
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id in ("NAME", "LAYER", "READS")
            ):
                values[node.targets[0].id] = ast.literal_eval(node.value)
        if "NAME" in values:
            declared[values["NAME"]] = PythonModel(
                _not_loaded, {}, tuple(values["READS"]), values["LAYER"]
            )
    return declared


def _not_loaded(con: duckdb.DuckDBPyConnection, params: Mapping[str, Any]) -> pd.DataFrame:
    raise RuntimeError("a declared python model is built through default_python_models()")


@cache
def plan() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(views, tables) of the default models, each in build order."""
    models = discover(declared_python_models())
    order = build_order(models)
    views = view_names(models, order)
    return tuple(views), tuple(name for name in order if name not in views)


def run_views(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create the staging and intermediate views; cheap, and needed before validation."""
    models = discover(declared_python_models())
    tables = _existing_tables(con)  # one catalog scan: see _existing_tables
    for name in plan()[0]:
        if name in tables:  # a table an older layout left where a view is made now
            con.execute(f"drop table {name}")
        con.execute(f"create or replace view {name} as (\n{models[name].sql}\n)")


def run_marts(
    con: duckdb.DuckDBPyConnection,
    params: Mapping[str, Any],
    python_models: Mapping[str, PythonModel] | None = None,
) -> list[BuiltModel]:
    """Rebuild every table model in one transaction: readers see all old marts or all new ones."""
    with one_thread(con):
        con.begin()
        try:
            built = run_models(con, plan()[1], params, python_models)
            con.commit()
        except BaseException:
            con.rollback()
            raise
    return built


@contextmanager
def one_thread(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """DuckDB on one thread while the block runs (its setting restored after): the models read
    thousands of rows, where a second thread only adds scheduling (about a quarter more CPU on
    the 2026-04-19 snapshot) and, on a shared machine, waits for a core. A connection whose
    configuration is locked keeps its setting."""
    threads, locked = con.execute(
        "select current_setting('threads'), current_setting('lock_configuration')"
    ).fetchall()[0]
    if locked or threads == 1:
        yield
        return
    con.execute("set threads = 1")
    try:
        yield
    finally:
        con.execute("set threads = ?", [threads])


def run_models(
    con: duckdb.DuckDBPyConnection,
    names: Iterable[str],
    params: Mapping[str, Any],
    python_models: Mapping[str, PythonModel] | None = None,
) -> list[BuiltModel]:
    """Build the named models as tables, in the order given (no transaction of its own).

    A bare name is a mart; `intermediate.<name>` names an intermediate model.
    """
    from transforms.method import sql_params

    params = {**sql_params(), **params}
    models = discover(python_models if python_models is not None else default_python_models())
    targets = [models[name if "." in name else f"marts.{name}"] for name in names]
    existing = _existing_views(con)
    copies = views_once(con, models, targets, existing)
    try:
        return build_tables(con, targets, params, copies, existing)
    finally:
        for copy in copies.values():
            kind = "view" if copy.startswith(INLINED) else "table"
            con.execute(f"drop {kind} if exists {copy}")


def _existing_views(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    rows = con.execute(
        "select schema_name || '.' || view_name from duckdb_views() where not internal"
    ).fetchall()
    return frozenset(name for (name,) in rows)


def views_once(
    con: duckdb.DuckDBPyConnection,
    models: Mapping[str, Model],
    targets: Sequence[Model],
    existing: frozenset[str],
) -> dict[str, str]:
    """Compute each view the targets read (directly or through other views) once, into a
    temporary table; returns view -> its temporary copy, which the tables' SQL then reads.

    Only views that exist in the warehouse and are SQL models are copied (a view is the
    model's SQL, so the copy holds exactly what reading the view gives), and not a view marked
    STREAMED; anything else (a table, a model a test set up by hand) is read as it is. A view
    with one reader is computed once anyway: it becomes a temporary view over the copies (its
    reader computes it), which saves writing and reading back a table; when nothing it reads
    has a copy, that temporary view would be the view itself, so its reader reads the view.
    """
    needed: set[str] = set()

    def visit(name: str) -> None:
        for read in models[name].reads:
            if read in existing and read not in needed and _copied(models.get(read)):
                needed.add(read)
                visit(read)

    for model in targets:
        visit(model.qualified)
    readers = Counter(
        read
        for model in (*targets, *(models[name] for name in needed))
        for read in model.reads
        if read in needed
    )
    copies: dict[str, str] = {}
    # ordered among themselves: a streamed view they read is read as the view, not copied
    among = {
        name: replace(model, reads=model.reads & needed)
        for name, model in models.items()
        if name in needed
    }
    for name in build_order(among):
        model = models[name]
        assert model.sql is not None
        sql = reading_copies(model.sql, copies)
        if readers[name] > 1:
            copy = COPIED + name.replace(".", "__")
            con.execute(f"create or replace temp table {copy} as (\n{sql}\n)")
        elif sql != model.sql:
            copy = INLINED + name.replace(".", "__")
            con.execute(f"create or replace temp view {copy} as (\n{sql}\n)")
        else:  # one reader and nothing beneath copied: the view itself is the same query
            continue
        copies[name] = copy
    return copies


# the temporary copies of the views during a build: tables, and views with a single reader
COPIED = "temp.main.build__"
INLINED = "temp.main.inline__"


def _is_view_model(model: Model | None) -> bool:
    return model is not None and model.sql is not None and not model.parameters


def _copied(model: Model | None) -> bool:
    """A view worth a temporary copy during the build: not one marked STREAMED."""
    return _is_view_model(model) and STREAMED not in (model.sql or "") if model else False


def reading_copies(sql: str, copies: Mapping[str, str]) -> str:
    """The SQL with each `schema.model` that has a temporary copy reading the copy instead."""
    if not copies:
        return sql
    return _REFERENCE.sub(lambda m: copies.get(m.group(0), m.group(0)), sql)


class ReadingCopies:
    """The connection a python model gets during a build: its queries read the views'
    temporary copies, like the SQL models'; everything else is the connection's own."""

    def __init__(self, con: duckdb.DuckDBPyConnection, copies: Mapping[str, str]) -> None:
        self._con, self._copies = con, copies

    def execute(self, query: str, parameters: object = None) -> duckdb.DuckDBPyConnection:
        return self._con.execute(reading_copies(query, self._copies), parameters)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


@dataclass
class _Computing:
    """A python model whose compute runs on the worker: its result, and the calling thread's
    seconds spent on it so far (its load)."""

    model: Model
    result: Future[tuple[pd.DataFrame, float]]
    seconds: float


def build_tables(
    con: duckdb.DuckDBPyConnection,
    targets: Sequence[Model],
    params: Mapping[str, Any],
    copies: Mapping[str, str],
    existing_views: frozenset[str],
) -> list[BuiltModel]:
    """Build the targets (in a build order) as tables; returns them in the order given.

    A split python model is loaded when its turn comes and computed on one worker thread; the
    tables that do not read it go on meanwhile (a table waits while anything it reads is
    still computing or unbuilt), its table is written as soon as its result is there, and
    when every remaining table waits for one, the oldest computing result is awaited. A split
    model whose turn comes while the worker is still computing is built here, as a plain
    python model: behind the worker, this thread would only wait for it.
    """
    built: dict[str, BuiltModel] = {}
    queue = list(overlapped_order(targets))
    computing: dict[str, _Computing] = {}
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="gapwatch-compute") as worker:
        try:
            while queue or computing:
                for name in [n for n, c in computing.items() if c.result.done()]:
                    built[name] = _write_computed(con, computing.pop(name), 0.0, existing_views)
                if not queue and not computing:  # the last result was just written
                    break
                unbuilt = computing.keys() | {m.qualified for m in queue}
                model = next((m for m in queue if not m.reads & unbuilt), None)
                if model is None:  # everything left reads a result still computing
                    name, oldest = next(iter(computing.items()))
                    start = time.perf_counter()
                    futures.wait([oldest.result])
                    waited = time.perf_counter() - start
                    built[name] = _write_computed(con, computing.pop(name), waited, existing_views)
                    continue
                queue.remove(model)
                start = time.perf_counter()
                split = model.python.split if model.python is not None else None
                # while the worker is busy a split model is built here (its build() is load
                # then compute): queued behind the worker, this thread would wait for it
                if split is not None and not computing:
                    load, compute = split
                    inputs = load(_reader(con, copies), params)
                    result = worker.submit(_timed, compute, inputs, params)
                    computing[model.qualified] = _Computing(
                        model, result, time.perf_counter() - start
                    )
                    continue
                done = _build_table(con, model, params, copies, existing_views)
                built[model.qualified] = replace(done, seconds=time.perf_counter() - start)
        except BaseException:
            worker.shutdown(wait=True, cancel_futures=True)
            raise
    return [built[model.qualified] for model in targets]


def overlapped_order(targets: Sequence[Model]) -> list[Model]:
    """The targets reordered (still each after what it reads) so the split python models
    start as early as they can, the one with the most prerequisites first (the longest way to
    its compute, e.g. int_gap_trend): for each, what it reads and then itself; the rest after,
    in their order. The worker then computes while the calling thread builds the rest, and a
    split model whose turn comes while the worker is busy is built on the calling thread."""
    by_name = {model.qualified: model for model in targets}
    split = [m for m in targets if m.python is not None and m.python.split is not None]
    first: dict[str, Model] = {}
    for model in sorted(split, key=lambda m: -len(upstream(by_name, m.qualified))):
        needed = upstream(by_name, model.qualified) | {model.qualified}
        first.update((m.qualified, m) for m in targets if m.qualified in needed)
    return [*first.values(), *(m for m in targets if m.qualified not in first)]


def upstream(models: Mapping[str, Model], name: str) -> set[str]:
    """Every model of `models` that `name` reads, directly or through the others."""
    seen: set[str] = set()
    todo = [name]
    while todo:
        for read in models[todo.pop()].reads:
            if read in models and read not in seen:
                seen.add(read)
                todo.append(read)
    return seen


def _timed(compute: Compute, inputs: Any, params: Mapping[str, Any]) -> tuple[pd.DataFrame, float]:
    start = time.perf_counter()
    frame = compute(inputs, params)
    return frame, time.perf_counter() - start


def _write_computed(
    con: duckdb.DuckDBPyConnection,
    computing: _Computing,
    waited: float,
    existing_views: frozenset[str],
) -> BuiltModel:
    frame, background = computing.result.result()
    start = time.perf_counter()
    _drop_old_view(con, computing.model, existing_views)
    rows = _write_frame(con, computing.model, frame)
    return BuiltModel(
        computing.model.qualified,
        rows,
        seconds=computing.seconds + waited + time.perf_counter() - start,
        waited=waited,
        background=background,
    )


def _reader(con: duckdb.DuckDBPyConnection, copies: Mapping[str, str]) -> duckdb.DuckDBPyConnection:
    return cast(duckdb.DuckDBPyConnection, ReadingCopies(con, copies)) if copies else con


def _drop_old_view(
    con: duckdb.DuckDBPyConnection, model: Model, existing_views: frozenset[str]
) -> None:
    if model.qualified in existing_views:
        # a warehouse built by an older layout may hold a view where a table is built now
        con.execute(f"drop view {model.qualified}")


def _write_frame(con: duckdb.DuckDBPyConnection, model: Model, frame: pd.DataFrame) -> int:
    """A python model's frame as its table, each column cast to its declared type."""
    assert model.python is not None
    frame = frame[list(model.python.schema)]
    casts = ", ".join(
        f"cast({column} as {kind}) as {column}" for column, kind in model.python.schema.items()
    )
    con.register("python_model_frame", frame)
    try:
        con.execute(
            f"create or replace table {model.qualified} as select {casts} from python_model_frame"
        )
    finally:
        con.unregister("python_model_frame")
    return len(frame)


def _build_table(
    con: duckdb.DuckDBPyConnection,
    model: Model,
    params: Mapping[str, Any],
    copies: Mapping[str, str],
    existing_views: frozenset[str],
) -> BuiltModel:
    _drop_old_view(con, model, existing_views)
    if model.python is not None:
        frame = model.python.build(_reader(con, copies), params)
        return BuiltModel(model.qualified, _write_frame(con, model, frame))
    used = {key: params[key] for key in model.parameters}
    # create table ... as returns the number of rows it wrote
    sql = reading_copies(model.sql or "", copies)
    created = con.execute(
        f"create or replace table {model.qualified} as (\n{sql}\n)", used or None
    ).fetchall()
    return BuiltModel(model.qualified, int(created[0][0]))


def _existing_tables(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """Every table as `schema.name`, in one scan: on a DuckLake each scan of duckdb_tables()
    reads every table's statistics from the catalog, so it is not done once per name."""
    rows = con.execute(
        "select schema_name || '.' || table_name from duckdb_tables() where not internal"
    ).fetchall()
    return frozenset(name for (name,) in rows)
