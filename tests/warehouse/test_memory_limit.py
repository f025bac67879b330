"""GAPWATCH_DUCKDB_MEMORY_MIB: the refresh connection's DuckDB memory_limit, a named setting."""

from __future__ import annotations

import duckdb
import pytest

from pipeline.night import limit_memory
from pipeline.settings import Settings, from_env


def test_the_setting_reaches_duckdb() -> None:
    settings = from_env({"GAPWATCH_DUCKDB_MEMORY_MIB": "128"})
    assert settings.duckdb_memory_mib == 128
    assert from_env({}).duckdb_memory_mib == Settings.duckdb_memory_mib
    with duckdb.connect() as con:
        limit_memory(con, settings.duckdb_memory_mib)
        (limit,) = con.execute("select current_setting('memory_limit')").fetchall()[0]
    assert limit == "128.0 MiB"


def test_a_bad_value_names_the_setting() -> None:
    with pytest.raises(ValueError, match="GAPWATCH_DUCKDB_MEMORY_MIB"):
        from_env({"GAPWATCH_DUCKDB_MEMORY_MIB": "lots"})
