"""One storage layer: only warehouse/ opens DuckDB, and GAPWATCH_WAREHOUSE picks the storage."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from pipeline.settings import Settings, from_env
from tests.conftest import PROJECT
from tests.test_architecture import PACKAGES
from warehouse.db import RAW_DDL, for_lake
from warehouse.store import reading
from warehouse.where import Warehouse, WarehouseSettingInvalid, masked, parse

# everything of the project's own that runs against a warehouse (tests open files freely)
CODE_FOLDERS = (*PACKAGES, "bench", "docs")
STORAGE = "warehouse"
# the in-memory database sources read their files with: it takes no path (tested below)
SCRATCH = PROJECT / "extractors" / "scratch.py"


def opens_duckdb(path: Path, root: Path = PROJECT) -> list[str]:
    """Each place a module opens DuckDB itself: duckdb.connect(...) or `from duckdb import`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "duckdb"
            and node.attr in ("connect", "sql", "query", "execute", "default_connection")
        ):
            found.append(f"{path.relative_to(root)}:{node.lineno}: duckdb.{node.attr}")
        if isinstance(node, ast.ImportFrom) and node.module == "duckdb":
            names = {alias.name for alias in node.names}
            if names & {"connect", "sql", "query", "execute", "default_connection"}:
                found.append(f"{path.relative_to(root)}:{node.lineno}: from duckdb import")
    return found


def test_only_the_storage_layer_opens_duckdb() -> None:
    modules = [
        path
        for folder in CODE_FOLDERS
        if (PROJECT / folder).is_dir()
        for path in sorted((PROJECT / folder).rglob("*.py"))
        if folder != STORAGE and path != SCRATCH
    ]
    assert len(modules) > 50  # the scan reaches the code it guards
    offenders = [line for path in modules for line in opens_duckdb(path)]
    assert offenders == [], "open the warehouse through warehouse.store:\n" + "\n".join(offenders)


def test_the_scratch_database_can_only_be_in_memory() -> None:
    """The one connection outside warehouse/ names no file: it cannot open the warehouse."""
    from extractors.scratch import scratch_database

    tree = ast.parse(SCRATCH.read_text(encoding="utf-8"))
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "connect"
    ]
    assert len(calls) == 1
    assert isinstance(calls[0].args[0], ast.Constant) and calls[0].args[0].value == ":memory:"
    with scratch_database(threads=1) as con:
        assert con.execute("select current_setting('threads')").fetchone() == (1,)
        assert con.execute(
            "select database_name from duckdb_databases() where not internal"
        ).fetchall() == [("memory",)]


def test_the_scan_sees_a_direct_connection(tmp_path: Path) -> None:
    """The guard above is not vacuous: it flags both spellings."""
    module = tmp_path / "probe.py"
    module.write_text("import duckdb\nfrom duckdb import connect\ncon = duckdb.connect()\n")
    assert len(opens_duckdb(module, tmp_path)) == 2


def test_unset_or_duckdb_keeps_the_embedded_file(tmp_path: Path) -> None:
    for value in (None, "", "duckdb", "  duckdb "):
        warehouse = parse(value, tmp_path / "w.duckdb", tmp_path / "lake")
        assert warehouse == Warehouse(file=tmp_path / "w.duckdb")
        assert not warehouse.is_lake
    settings = from_env({"GAPWATCH_DATA_DIR": str(tmp_path)})
    assert settings.warehouse == Warehouse(file=tmp_path / "gapwatch.duckdb")


def test_a_ducklake_setting_with_its_data_path(tmp_path: Path) -> None:
    settings = from_env(
        {
            "GAPWATCH_DATA_DIR": str(tmp_path),
            "GAPWATCH_WAREHOUSE": "ducklake:postgres:dbname=gw host=db password=s3cret",
            "GAPWATCH_WAREHOUSE_DATA": "s3://bucket/gapwatch/",
        }
    )
    warehouse = settings.warehouse
    assert warehouse.is_lake
    assert warehouse.catalog == "ducklake:postgres:dbname=gw host=db password=s3cret"
    assert warehouse.data_path == "s3://bucket/gapwatch/"
    assert "s3cret" not in warehouse.label and "s3cret" not in repr(settings)
    assert warehouse.name == "DuckLake (postgres catalog)"
    default = from_env({"GAPWATCH_DATA_DIR": str(tmp_path), "GAPWATCH_WAREHOUSE": "ducklake:c"})
    assert default.warehouse.data_path == str(tmp_path / "lake")


def test_an_unknown_storage_is_refused_with_the_choices(tmp_path: Path) -> None:
    with pytest.raises(WarehouseSettingInvalid, match="ducklake:postgres:"):
        parse("postgres://db/gapwatch", tmp_path / "w.duckdb", tmp_path)
    with pytest.raises(WarehouseSettingInvalid):
        parse("ducklake:", tmp_path / "w.duckdb", tmp_path)


def test_the_file_keeps_no_past_nights(settings: Settings) -> None:
    with pytest.raises(WarehouseSettingInvalid, match="DuckLake"):
        reading(settings.database, night="2026-04-19")


def test_lake_ddl_drops_only_keys_and_sequences() -> None:
    adapted = [for_lake(statement) for statement in RAW_DDL]
    assert adapted[0] is None  # the fetch id sequence
    kept = [statement for statement in adapted if statement is not None]
    assert len(kept) == len(RAW_DDL) - 1
    assert not any("primary key" in statement for statement in kept)
    assert all("not null" in s for s in kept if s.startswith("create table"))


def test_password_masking() -> None:
    assert masked("postgres:host=a password=x1 user=u") == "postgres:host=a password=*** user=u"


def test_a_refresh_refuses_night(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from cli.main import main

    code = main(["--night", "2026-04-19", "refresh", "--no-prefect", "--data-dir", str(tmp_path)])
    assert code != 0
    assert "a refresh writes the newest" in capsys.readouterr().err
    assert not (tmp_path / "gapwatch.duckdb").exists()
