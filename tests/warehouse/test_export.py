"""`gapwatch export` on every real sample: Parquet, CSV and data.json each equal the marts.

The warehouse holds every source (the real samples in ../shared/data, read in place), so
the attribution check covers Epoch's licence, Artificial Analysis's required wording and each
leaderboard's publisher.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from cli.main import main
from extractors.attribution import CREDITS
from pipeline.settings import Settings
from tests.conftest import PROJECT
from tests.warehouse.test_sources import AS_OF, samples

pytestmark = pytest.mark.long


@pytest.fixture(scope="module")
def exported(all_sources_warehouse: Settings) -> tuple[Path, dict[str, Any]]:
    warehouse = all_sources_warehouse
    assert main(["export", "--data-dir", str(warehouse.data_dir)]) == 0
    out = warehouse.data_dir / "reports" / AS_OF.isoformat() / "data"
    document = json.loads((out / "data.json").read_text(encoding="utf-8"))
    return out, document


def shared_tables(database: Path) -> dict[str, str]:
    """table -> schema: every mart and every history table (the deprecated views left out)."""
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            "select table_name, table_schema from information_schema.tables "
            "where table_type = 'BASE TABLE' and table_schema in ('marts', 'history')"
        ).fetchall()
    return {str(name): str(schema) for name, schema in rows}


def same_rows(con: duckdb.DuckDBPyConnection, mart: str, copy: str) -> tuple[int, int, int]:
    """(rows in the table, rows only in the table, rows only in the copy): bags, not sets."""
    total = con.execute(f"select count(*) from {mart}").fetchall()[0][0]
    missing = con.execute(f"select count(*) from (from {mart} except all from {copy})")
    only_mart = missing.fetchall()[0][0]
    extra = con.execute(f"select count(*) from (from {copy} except all from {mart})")
    return total, only_mart, extra.fetchall()[0][0]


def test_every_mart_is_exported_and_every_form_equals_it(
    all_sources_warehouse: Settings, exported: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    out, document = exported
    warehouse = all_sources_warehouse
    tables = shared_tables(warehouse.database)
    assert sorted(document["tables"]) == sorted(tables)
    assert {t for t, schema in tables.items() if schema == "history"} == {
        "refresh_runs",
        "alerts",
        "alert_deliveries",
        "gap_history",
    }
    assert len(tables) >= 15
    assert document["as_of"] == AS_OF.isoformat()
    assert document["format"] == "gapwatch-data" and document["format_version"] == 1
    nonempty = 0
    with duckdb.connect(str(warehouse.database), read_only=True) as con:
        for table, schema in sorted(tables.items()):
            entry = document["tables"][table]
            assert entry["schema"] == schema
            types = {c["name"]: c["type"] for c in entry["columns"]}
            described = con.execute(f"describe {schema}.{table}").fetchall()
            assert [(name, kind) for name, kind, *_ in described] == list(types.items())
            parquet = out / entry["files"]["parquet"]
            csv = out / entry["files"]["csv"]
            columns = "{" + ", ".join(f"'{n}': '{t}'" for n, t in types.items()) + "}"
            con.execute(
                f"create or replace temp view from_parquet as from read_parquet('{parquet}')"
            )
            con.execute(
                "create or replace temp view from_csv as from "
                f"read_csv('{csv}', header = true, auto_detect = false, columns = {columns})"
            )
            rows_file = tmp_path / f"{table}.json"
            rows_file.write_text(json.dumps(entry["rows"]), encoding="utf-8")
            con.execute(
                "create or replace temp view from_json as from "
                f"read_json('{rows_file}', format = 'array', columns = {columns})"
            )
            for copy in ("from_parquet", "from_csv", "from_json"):
                total, missing, extra = same_rows(con, f"{schema}.{table}", copy)
                assert (missing, extra) == (0, 0), f"{table} via {copy}: {missing} {extra}"
            assert entry["row_count"] == total == len(entry["rows"])
            nonempty += total > 0
    assert nonempty >= 12  # a real warehouse: most marts hold rows


def test_data_json_credits_every_source_with_its_required_wording(
    exported: tuple[Path, dict[str, Any]], shared_data: Path, all_sources_warehouse: Settings
) -> None:
    out, document = exported
    credited = {entry["source"]: entry for entry in document["attribution"]}
    # every score source; Epoch's AI Models database only when it decided a model's status
    with duckdb.connect(str(all_sources_warehouse.database), read_only=True) as con:
        rows = con.execute("select status_source from marts.models").fetchall()
    links = {str(row[0]) for row in rows}
    scored = set(samples(shared_data)) - {"epoch_ai_models"}
    assert set(credited) == scored | ({"epoch_ai_models"} & links)
    assert credited["epoch"]["licence"] == "CC BY 4.0"
    assert "Epoch AI" in credited["epoch"]["text"]
    assert "Data provided by Artificial Analysis" in credited["artificial_analysis"]["text"]
    for source, entry in credited.items():
        assert entry["publisher"] == CREDITS[source].publisher
        assert entry["url"].startswith("https://")
    text = (out / "ATTRIBUTION.txt").read_text(encoding="utf-8")
    assert "CC BY 4.0" in text and "Data provided by Artificial Analysis" in text
    assert all(CREDITS[source].text in text for source in credited)


def test_export_replaces_the_directory_whole(
    all_sources_warehouse: Settings, tmp_path: Path
) -> None:
    warehouse = all_sources_warehouse
    out = tmp_path / "shared"
    out.mkdir()
    (out / "stale.csv").write_text("left from an older export\n", encoding="utf-8")
    assert main(["export", "--data-dir", str(warehouse.data_dir), "--out", str(out)]) == 0
    assert not (out / "stale.csv").exists()
    assert (out / "data.json").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["shared"]  # no temporary directory left


def test_export_of_a_missing_warehouse_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "--data-dir", str(tmp_path / "nothing")]) == 2
    assert "no warehouse" in capsys.readouterr().err


def test_the_committed_dbt_sources_name_every_mart_and_column(
    exported: tuple[Path, dict[str, Any]],
) -> None:
    out, document = exported
    written = (out / "sources.yml").read_text(encoding="utf-8")
    committed = (PROJECT / "dbt" / "sources.yml").read_text(encoding="utf-8")
    assert committed == written, (
        "dbt/sources.yml is out of date with the marts: regenerate it with "
        "`gapwatch export --out DIR` and copy DIR/sources.yml over it"
    )
    marts, history = yaml.safe_load(committed)["sources"]
    assert (marts["schema"], history["schema"]) == ("marts", "history")
    listed = {
        (source["schema"], t["name"]): [c["name"] for c in t["columns"]]
        for source in (marts, history)
        for t in source["tables"]
    }
    expected = {
        (entry["schema"], name): [c["name"] for c in entry["columns"]]
        for name, entry in document["tables"].items()
    }
    assert listed == expected
