"""Queries outside the models live in <package>/sql/*.sql, one select each, bound parameters."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from warehouse.queries import QueryFileError, bind, parameters, query

PROJECT = Path(__file__).resolve().parents[2]
PACKAGES = ("cli", "pipeline", "alerts", "validation", "report", "warehouse", "transforms.python")


def query_files() -> list[tuple[str, str]]:
    return [
        (package, path.stem)
        for package in PACKAGES
        for path in sorted((PROJECT / package.replace(".", "/") / "sql").glob("*.sql"))
    ]


def test_there_are_query_files_in_every_package_that_runs_sql() -> None:
    assert {package for package, _ in query_files()} == set(PACKAGES)


@pytest.mark.parametrize(("package", "name"), query_files())
def test_every_query_file_is_one_select_duckdb_can_parse(package: str, name: str) -> None:
    sql = query(package, name)
    # parsing needs no tables: extract_statements splits and parses without binding
    [statement] = duckdb.extract_statements(sql)
    assert statement.type == duckdb.StatementType.SELECT


def _package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sql: str, name: str) -> str:
    # a hand-written package with one query file, importable for this test only
    package = tmp_path / name
    (package / "sql").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sql" / "q.sql").write_text(sql)
    monkeypatch.syspath_prepend(str(tmp_path))
    query.cache_clear()
    return name


def test_two_statements_are_refused_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = _package(tmp_path, monkeypatch, "select 1; delete from raw.batches", "madeup_two")
    with pytest.raises(QueryFileError, match=r"madeup_two/sql/q\.sql: holds 2 statements"):
        query(package, "q")


def test_a_statement_other_than_select_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = _package(
        tmp_path, monkeypatch, "-- looks harmless\ndelete from raw.batches", "madeup_delete"
    )
    with pytest.raises(QueryFileError, match="is not a select"):
        query(package, "q")


def test_a_select_that_does_not_parse_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = _package(tmp_path, monkeypatch, "select from where", "madeup_broken")
    with pytest.raises(QueryFileError, match=r"madeup_broken/sql/q\.sql: does not parse"):
        query(package, "q")


def test_a_missing_file_is_named() -> None:
    with pytest.raises(QueryFileError, match=r"cli/sql/no_such_query\.sql"):
        query("cli", "no_such_query")


def test_bind_takes_only_the_parameters_the_query_names() -> None:
    sql = "-- $ignored in a comment\nselect $fetch_id::int as f, $as_of::date as d"
    assert parameters(sql) == {"fetch_id", "as_of"}
    bound = bind(sql, {"fetch_id": 3, "as_of": "2026-04-19", "source": "x"})
    assert bound == {"fetch_id": 3, "as_of": "2026-04-19"}
    assert duckdb.execute(sql, bound).fetchall()[0][0] == 3
    with pytest.raises(QueryFileError, match="as_of"):
        bind(sql, {"fetch_id": 3})
