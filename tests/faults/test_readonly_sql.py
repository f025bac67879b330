"""`gapwatch sql` can't write: every writing statement is refused before it runs, and the
connection itself could not reach a file anyway. The warehouse and the delivery log stay as they
were, byte for byte."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from cli.main import main
from pipeline.settings import Settings
from tests.faults.conftest import file_sha, marts_checksum
from warehouse.readonly import StatementRefused, check_read_only, open_read_only

WRITES = {
    "copy over the warehouse": "COPY (select 'gone' as x) TO '{db}'",
    "copy over the delivery log": "COPY (select 1 as x) TO '{deliveries}' (FORMAT csv)",
    "export database": "EXPORT DATABASE '{out}'",
    "attach read-write": "ATTACH '{other}' AS other (READ_WRITE)",
    "install from a url": "INSTALL httpfs FROM 'http://127.0.0.1:9/'",
    "load an extension": "LOAD httpfs",
    "set a setting": "SET enable_external_access = true",
    "two statements": "select 1; COPY (select 1) TO '{out}'",
    "explain analyze of a copy": "EXPLAIN ANALYZE COPY (select 1) TO '{out}'",
    "a setting pragma": "PRAGMA threads = 1",
    "call checkpoint": "CALL checkpoint()",
    "create a table": "CREATE TABLE marts.evil AS SELECT 1",
    "detach": "DETACH gapwatch",
}

READS = {
    "select": "select count(*) as n from marts.benchmarks",
    "with": "with b as (select * from marts.benchmarks) select count(*) as n from b",
    "describe": "DESCRIBE marts.benchmarks",
    "show": "SHOW TABLES",
    "pragma table_info": "PRAGMA table_info('marts.benchmarks')",
    "explain": "EXPLAIN select * from marts.benchmarks",
}


@pytest.mark.parametrize("name", sorted(WRITES))
def test_a_writing_statement_is_refused_and_changes_nothing(
    name: str, warehouse: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = warehouse.database
    deliveries = warehouse.data_dir / "alerts" / "deliveries.jsonl"
    deliveries.parent.mkdir(parents=True, exist_ok=True)
    deliveries.write_text('{"alert_id": "a1", "channel": "webhook", "delivered_at": "x"}\n')
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).close()
    before = (file_sha(db), file_sha(deliveries), file_sha(other), marts_checksum(db))
    out = tmp_path / "out"
    query = WRITES[name].format(db=db, deliveries=deliveries, out=out, other=other)

    code = main(["sql", "--db", str(db), query])

    err = capsys.readouterr().err
    assert code == 2
    assert "refused, nothing was run" in err and "use DuckDB itself" in err
    assert len(err.strip().splitlines()) == 1
    assert (file_sha(db), file_sha(deliveries), file_sha(other), marts_checksum(db)) == before
    assert not out.exists()


@pytest.mark.parametrize("name", sorted(READS))
def test_a_reading_statement_runs(
    name: str, sample_warehouse: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["sql", "--db", str(sample_warehouse.database), "--json", READS[name]])
    out = capsys.readouterr().out
    assert code == 0
    assert out.strip().startswith("[")


def test_the_connection_itself_refuses_files_extensions_and_settings(
    warehouse: Settings, tmp_path: Path
) -> None:
    """Second lock: even a statement that got past the parser could not reach a file."""
    target = tmp_path / "written.csv"
    with open_read_only(warehouse.database) as con:
        for statement in (
            f"COPY (select 1) TO '{target}'",
            "select * from read_csv('/etc/hostname')",
            "SET lock_configuration = false",
            "INSTALL httpfs",
        ):
            with pytest.raises(duckdb.Error):
                con.execute(statement)
    assert not target.exists()


def test_an_export_connection_writes_into_its_folder_and_nowhere_else(
    warehouse: Settings, tmp_path: Path
) -> None:
    """The export reads through the same lock, with one folder it may write into."""
    inside, outside = tmp_path / "scratch", tmp_path / "elsewhere.csv"
    inside.mkdir()
    with open_read_only(warehouse.database, writes_into=inside) as con:
        con.sql("select 1 as x").write_csv(str(inside / "x.csv"))
        for statement in (
            f"COPY (select 1) TO '{outside}'",
            "select * from read_csv('/etc/hostname')",
            "SET enable_external_access = true",
        ):
            with pytest.raises(duckdb.Error):
                con.execute(statement)
    assert (inside / "x.csv").read_text().splitlines() == ["x", "1"]
    assert not outside.exists()


def test_the_parser_not_a_pattern_decides(tmp_path: Path) -> None:
    """A comment or odd spacing does not smuggle a COPY past the check."""
    for text in ("/* select */ COPY (select 1) TO 'x'", "  \n copy\t(select 1) to 'x'"):
        with pytest.raises(StatementRefused, match="COPY statements are refused"):
            check_read_only(text)
    assert check_read_only("-- a comment\nselect 1") == "-- a comment\nselect 1"
