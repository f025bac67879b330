"""DuckDB binds values without importing pandas while a night has no work for it.

Each case runs in a fresh interpreter (this one has pandas loaded long ago) and prints what it
saw as JSON; the values bound are written here by hand.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]

BIND = """
import datetime, json, sys
import duckdb
from warehouse.pandas_probe import WithoutPandas
con = duckdb.connect()
seen = {}
with WithoutPandas() as probe:
    seen["bound"] = [str(v) for v in con.execute(
        "select ?::varchar, ? + 1, ?", ["a", 41, datetime.date(2026, 4, 19)]
    ).fetchall()[0]]
    seen["pandas_after_binding"] = "pandas" in sys.modules
    seen["installed"] = probe in sys.meta_path
    STEP
seen["installed_after"] = probe in sys.meta_path
print(json.dumps(seen))
"""


def run(step: str = "pass") -> dict[str, object]:
    code = BIND.replace("STEP", step)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    answer: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


def test_binding_values_imports_no_pandas() -> None:
    seen = run()
    assert seen["bound"] == ["a", "42", "2026-04-19"]
    assert seen["pandas_after_binding"] is False
    assert seen["installed"] is True and seen["installed_after"] is False


def test_pandas_asked_for_in_python_is_imported_and_duckdb_then_uses_it() -> None:
    step = (
        "from pandas import NA\n"
        "    seen['na_is_null'] = con.execute('select ? is null', [NA]).fetchall()[0][0]\n"
        "    seen['frame_rows'] = len(con.execute('select 1 as a union all select 2').df())"
    )
    seen = run(step)
    assert seen["na_is_null"] is True  # DuckDB now recognises pandas' missing value
    assert seen["frame_rows"] == 2


def test_importlib_still_finds_and_imports_pandas() -> None:
    step = (
        "import importlib, importlib.util\n"
        "    seen['found'] = importlib.util.find_spec('pandas') is not None\n"
        "    seen['imported'] = importlib.import_module('pandas').__name__"
    )
    seen = run(step)
    assert seen["found"] is True and seen["imported"] == "pandas"


def test_released_duckdb_imports_pandas_itself() -> None:
    step = (
        "probe.release()\n"
        "    con.execute('select ?', ['b']).fetchall()\n"
        "    seen['pandas_after_release'] = 'pandas' in sys.modules"
    )
    seen = run(step)
    assert seen["pandas_after_release"] is True
