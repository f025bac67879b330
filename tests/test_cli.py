"""The gapwatch command line, run in-process through cli.main.main on the sample bundle."""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest

from cli.main import main
from cli.registry import COMMANDS as REGISTERED
from cli.registry import loaded
from pipeline.run import refresh
from tests.conftest import PROJECT, SAMPLE_BUNDLE
from tests.warehouse.bundles import WHITESPACE, make_settings, read_csv

COMMANDS = loaded()  # every command's (name, handler, configure)

GPQA_SQL = (
    "select model_version, score from marts.benchmark_scores "
    "where benchmark_id = 'gpqa_diamond' order by model_version"
)


@pytest.fixture(autouse=True)
def cli_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No GAPWATCH_* settings leak in; the root logging handlers the CLI adds are removed."""
    for name in ("GAPWATCH_DB", "GAPWATCH_DATA_DIR", "GAPWATCH_EPOCH_LOCATION"):
        monkeypatch.delenv(name, raising=False)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)  # setLevel, not .level =: it also clears the loggers' level caches


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse refreshed once from the hand-written sample bundle; tests only read it."""
    settings = make_settings(tmp_path_factory.mktemp("sample") / "data")
    result = refresh(settings.with_location("epoch", str(SAMPLE_BUNDLE)), date(2026, 4, 20))
    assert result.ok, result.problems()
    return settings.database


@pytest.fixture(scope="module")
def gpqa_expected() -> list[tuple[str, float]]:
    """(version, best score) of the sample's gpqa_diamond.csv, read with the csv module."""
    _, rows = read_csv(SAMPLE_BUNDLE / "gpqa_diamond.csv")
    return sorted(
        (row["Model version"].strip(WHITESPACE), float(row["Best score (across scorers)"]))
        for row in rows
    )


def test_demo_runs_offline_and_prints_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "demo"

    code = main(["demo", "--data-dir", str(data_dir), "--quiet"])

    out, _ = capsys.readouterr()
    assert code == 0
    # the sample's CSVs hold 7 + 9 + 6 + 9 + 5 + 7 = 43 rows; collapsed to one per version they
    # give 5 aider + 8 ECI + 6 frontiermath + 9 gpqa + 5 metr + 6 mmlu = 39 scores
    assert "epoch: loaded (0.0 MB, 43 rows, validation passed)" in out
    assert "marts.benchmark_scores 39," in out
    assert "The sample warehouse (made-up data):" in out
    assert "== last fetch per source" in out
    assert (data_dir / "gapwatch.duckdb").is_file()
    # the demo publishes its report, as `gapwatch refresh --report` does
    latest = data_dir / "reports" / "latest" / "report.html"
    assert latest.is_file() and (data_dir / "reports" / "2026-04-20" / "report.html").is_file()
    assert f"  report: {latest}" in out


def test_a_direct_refresh_renders_no_report_and_says_where_the_last_one_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "data"

    def refresh_night(as_of: str) -> str:
        argv = ["refresh", "--no-prefect", "--quiet", "--data-dir", str(data_dir)]
        assert main([*argv, "--source", f"epoch={SAMPLE_BUNDLE}", "--as-of", as_of]) == 0
        return capsys.readouterr().out

    out = refresh_night("2026-04-20")
    assert "  report: not rendered by the refresh: 'gapwatch report' writes this night's" in out
    assert "'gapwatch refresh --report' does both); none written yet" in out
    assert not (data_dir / "reports").exists()
    # an earlier night's report (a hand-written stand-in page) is the last one written
    earlier = data_dir / "reports" / "2026-04-20" / "report.html"
    earlier.parent.mkdir(parents=True)
    earlier.write_text("<p>stand-in</p>", encoding="utf-8")
    assert f"the last one is {earlier}" in refresh_night("2026-04-21")
    # this night's report exists and no input of the marts changed: it stands as it is
    dated = data_dir / "reports" / "2026-04-21" / "report.html"
    dated.parent.mkdir(parents=True)
    dated.write_text("<p>stand-in</p>", encoding="utf-8")
    assert f"  report: {dated} (the marts did not change: it stands)" in refresh_night("2026-04-21")
    assert sorted(p.name for p in (data_dir / "reports").iterdir()) == ["2026-04-20", "2026-04-21"]


def test_sql_prints_a_table(
    sample_db: Path, gpqa_expected: list[tuple[str, float]], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sql", "--db", str(sample_db), GPQA_SQL]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["model_version", "score"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert lines[-1] == f"({len(gpqa_expected)} rows)"
    cells = [line.split() for line in lines[2:-1]]
    assert [version for version, _ in cells] == [version for version, _ in gpqa_expected]
    for (_, shown), (_, score) in zip(cells, gpqa_expected, strict=True):
        assert float(shown) == pytest.approx(score, abs=5e-5)


def test_sql_csv_output(
    sample_db: Path, gpqa_expected: list[tuple[str, float]], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sql", "--db", str(sample_db), "--csv", GPQA_SQL]) == 0

    header, *rows = csv.reader(io.StringIO(capsys.readouterr().out))
    assert header == ["model_version", "score"]
    assert [(version, float(score)) for version, score in rows] == gpqa_expected


def test_sql_json_output(
    sample_db: Path, gpqa_expected: list[tuple[str, float]], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sql", "--db", str(sample_db), "--json", GPQA_SQL]) == 0

    assert json.loads(capsys.readouterr().out) == [
        {"model_version": version, "score": score} for version, score in gpqa_expected
    ]


def test_sql_without_a_warehouse_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere.duckdb"

    code = main(["sql", "--db", str(missing), "select 1"])

    assert code == 2
    _, err = capsys.readouterr()
    assert err.startswith(f"gapwatch: no warehouse at {missing}; run 'gapwatch refresh'")
    assert not missing.exists()


def test_sql_with_a_broken_query_is_a_clear_error(
    sample_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["sql", "--db", str(sample_db), "select * from marts.no_such_mart"])

    assert code == 2
    _, err = capsys.readouterr()
    assert err.startswith("gapwatch: query failed:") and "no_such_mart" in err


def test_sql_is_read_only(sample_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["sql", "--db", str(sample_db), "delete from marts.benchmark_scores"])

    assert code == 2
    assert "read-only" in capsys.readouterr().err


def test_models_unresolved_lists_the_mystery_model(
    sample_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["models", "--unresolved", "--wide", "--db", str(sample_db)]) == 0

    out = capsys.readouterr().out
    # the registry names it "mystery-model-2024 \n" with a blank accessibility; gpqa scores it
    [line] = [line for line in out.splitlines() if "mystery-model-2024" in line]
    assert re.split(r"\s{2,}", line) == [
        "mystery-model-2024",
        "Unknown Org",
        "2024-08-01",
        "no accessibility label in Epoch's capabilities index",
        "1",  # one tracked score: gpqa_diamond
    ]
    assert out.rstrip().endswith("(1 row)")


def test_models_search_shows_status_and_its_source(
    sample_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["models", "--search", "QIN", "--json", "--db", str(sample_db)]) == 0

    [model] = json.loads(capsys.readouterr().out)
    # from the sample registry row: Qin Lab, China, Open weights (non-commercial)
    assert model == {
        "model_version": "open-qin-1t",
        "organization": "Qin Lab",
        "release_date": "2025-06-01",
        "accessibility": "Open weights (non-commercial)",
        "is_open": True,
        "is_chinese": True,
        "status_source": "epoch_capabilities_index",
    }


def test_status_shows_freshness_validation_and_coverage(
    sample_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["status", "--db", str(sample_db)]) == 0

    lines = capsys.readouterr().out.splitlines()
    # one verdict line first: the sample's single source loaded on its only night
    assert lines[0] == "verdict: OK - 1 source(s) loaded as of 2026-04-20"
    titles = [line for line in lines if line.startswith("== ")]
    assert titles[:5] == [
        "== data age per source",
        "== last fetch per source",
        "== last good load per source",
        "== validation of the newest batch",
        "== model versions on tracked benchmarks",
    ]
    fetch = lines[lines.index("== last fetch per source") + 3].split()
    assert fetch[:3] == ["epoch", "loaded", "2026-04-20"]
    coverage = lines[lines.index("== model versions on tracked benchmarks") + 3].split()
    # by hand from the sample: 9 versions score on tracked benchmarks; xi, yu, zeta and qin are
    # open, alpha, beta, gamma (API) and delta (hosted, no API) closed, mystery unresolved
    assert coverage == ["9", "4", "4", "1"]


def test_every_command_has_an_example() -> None:
    for name, handler, _ in COMMANDS:
        doc = handler.__doc__ or ""
        assert doc.strip(), f"{name} has no docstring"
        assert "Example:" in doc, f"{name}'s docstring has no Example: block"
        example = doc.split("Example:", 1)[1]
        assert re.search(rf"^\s+gapwatch {name}\b", example, re.MULTILINE), (
            f"{name}'s Example: block never runs `gapwatch {name}`"
        )


def test_the_registry_lists_each_command_with_its_docstrings_first_line() -> None:
    """`gapwatch --help` lists the registry's summaries without importing the commands."""
    for command, (name, handler, _) in zip(REGISTERED, COMMANDS, strict=True):
        assert command.name == name
        assert command.summary == (handler.__doc__ or "").strip().splitlines()[0], name


def test_every_command_is_in_the_readme() -> None:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    for name, _, _ in COMMANDS:
        assert f"gapwatch {name}" in readme or f"`{name}`" in readme, (
            f"README.md does not mention `gapwatch {name}`"
        )


def test_sql_does_not_import_prefect_or_great_expectations(tmp_path: Path) -> None:
    db = tmp_path / "tiny.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.answers as select 42 as answer")
    script = textwrap.dedent(
        f"""
        import sys
        from cli.main import main
        code = main(["sql", "--db", {str(db)!r}, "--json", "select * from marts.answers"])
        loaded = {{name.split(".")[0] for name in sys.modules}}
        heavy = sorted(loaded & {{"prefect", "great_expectations"}})
        print("exit", code, "heavy", heavy)
        """
    )

    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        timeout=120,
        check=False,
    )

    assert '"answer": 42' in done.stdout, done.stderr
    assert done.stdout.rstrip().endswith("exit 0 heavy []"), done.stdout


BLAS_PROBE = """
import contextlib, io, os, sys
from cli.main import entry
sys.argv = ["gapwatch"]
with contextlib.redirect_stdout(io.StringIO()):
    entry()
import numpy
print(os.environ["OPENBLAS_NUM_THREADS"], len(os.listdir("/proc/self/task")))
"""


@pytest.mark.parametrize(("asked", "expected"), [(None, "1 1"), ("2", "2")])
def test_the_console_script_starts_no_blas_threads_unless_asked(
    asked: str | None, expected: str
) -> None:
    """gapwatch's arrays are small: one BLAS thread unless the user sets OPENBLAS_NUM_THREADS."""
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if asked is not None:
        env["OPENBLAS_NUM_THREADS"] = asked
    out = subprocess.run(
        [sys.executable, "-c", BLAS_PROBE],
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT,
        env=env,
    ).stdout.split()
    assert " ".join(out if asked is None else out[:1]) == expected
