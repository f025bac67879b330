"""Read commands answer at once: they import none of what only a refresh needs.

`gapwatch sql`, `gaps`, `status` and `--help` run in a fresh interpreter, which then lists the
top-level packages it imported. The parsers' libraries (bs4, requests/urllib3, yaml), the
validator, Prefect and the plotting library must not be among them. An import graph check,
not a timing: each of these costs a few hundred milliseconds at start-up.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from extractors import SOURCE_NAMES
from tests.warehouse.bundles import Built

PROJECT = Path(__file__).resolve().parents[2]
NOT_FOR_READING = (
    "bs4",
    "requests",
    "urllib3",
    "yaml",
    "great_expectations",
    "prefect",
    "matplotlib",
)
PROBE = """
import contextlib, io, json, sys
from cli.main import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        code = main(sys.argv[1:])
    except SystemExit as stop:  # --help exits through argparse
        code = stop.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def imported_by(*argv: str, ok: bool = True) -> set[str]:
    """The top-level packages the command imported."""
    return {module.split(".")[0] for module in modules_of(*argv, ok=ok)}


def modules_of(*argv: str, ok: bool = True) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=True,
    )
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["code"] == 0 or not ok, done.stderr
    return set(answer["modules"])


@pytest.mark.parametrize(
    "command",
    [
        ["--help"],
        ["sql", "select count(*) from marts.benchmark_scores"],
        ["gaps"],
        ["status"],
    ],
    ids=["help", "sql", "gaps", "status"],
)
def test_read_commands_import_nothing_a_refresh_needs(
    command: list[str], snapshot_warehouse: Callable[[str], Built]
) -> None:
    data_dir = snapshot_warehouse("2026-04-19").settings.data_dir
    argv = command if command == ["--help"] else [*command, "--data-dir", str(data_dir)]
    imported = imported_by(*argv)
    assert "cli" in imported  # the probe ran the command
    assert not imported & set(NOT_FOR_READING), sorted(imported & set(NOT_FOR_READING))


@pytest.mark.parametrize(
    "command",
    [["--help"], ["sql", "select 1"], ["gaps"], ["status"]],
    ids=["help", "sql", "gaps", "status"],
)
def test_read_commands_load_no_source_module(
    command: list[str], snapshot_warehouse: Callable[[str], Built]
) -> None:
    """Where the warehouse is comes from four settings, a required credit from one table in
    extractors/__init__.py; no source's parser is loaded for either."""
    data_dir = snapshot_warehouse("2026-04-19").settings.data_dir
    argv = command if command == ["--help"] else [*command, "--data-dir", str(data_dir)]
    modules = modules_of(*argv)
    assert "cli.registry" in modules  # the probe ran the command
    loaded = {f"extractors.{name}" for name in SOURCE_NAMES} & modules
    assert not loaded, sorted(loaded)


def test_sql_loads_no_other_commands_module(snapshot_warehouse: Callable[[str], Built]) -> None:
    """`gapwatch sql` builds its own subparser only: the other commands' modules stay out."""
    data_dir = snapshot_warehouse("2026-04-19").settings.data_dir
    modules = modules_of("sql", "select 1", "--data-dir", str(data_dir))
    assert "cli.commands" in modules  # sql's own module
    others = {"cli.gaps", "cli.report", "cli.service", "cli.sources", "cli.export", "cli.nights"}
    assert not others & modules, sorted(others & modules)
    # nor what only a lake or a refresh needs
    assert not {"warehouse.lake", "logging", "dataclasses", "pandas"} & modules


def test_the_probe_sees_what_a_refresh_imports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check can fail: a refresh from a URL (a closed loopback port) imports requests."""
    monkeypatch.setenv("GAPWATCH_HTTP_RETRIES", "0")
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))  # bound, never listening: the connection is refused
    url = f"http://127.0.0.1:{closed.getsockname()[1]}/benchmark_data.zip"
    argv = ["refresh", "--no-prefect", "--data-dir", str(tmp_path), "--source", f"epoch={url}"]
    try:
        assert "requests" in imported_by(*argv, ok=False)
    finally:
        closed.close()


@pytest.mark.parametrize(
    "command",
    [["models", "--search", "qwen"], ["crossings", "gpqa_diamond"], ["status"]],
    ids=["models", "crossings", "status"],
)
def test_read_commands_that_bind_values_import_no_pandas(
    command: list[str], snapshot_warehouse: Callable[[str], Built]
) -> None:
    """DuckDB imports pandas to bind a value unless told it is not there (pandas_probe)."""
    data_dir = snapshot_warehouse("2026-04-19").settings.data_dir
    modules = modules_of(*command, "--data-dir", str(data_dir))
    assert "warehouse.pandas_probe" in modules  # the command ran under the probe
    assert not {"pandas", "numpy"} & modules
