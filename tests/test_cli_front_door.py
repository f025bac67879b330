"""The CLI's front door: help for every command, --version, "did you mean", tables that fit,
quiet broken pipes, no tracebacks for user errors. Runs on the hand-written sample bundle.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from cli.gaps import STALE_DAYS
from cli.main import main
from cli.output import WIDTH, table, write_rows
from cli.registry import loaded
from pipeline.run import refresh
from report.facts import STALE_DAYS as REPORT_STALE_DAYS
from tests.conftest import PROJECT, SAMPLE_BUNDLE
from tests.warehouse.bundles import make_settings

COMMANDS = loaded()  # every command's (name, handler, configure)


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    settings = make_settings(tmp_path_factory.mktemp("front-door") / "data")
    result = refresh(settings.with_location("epoch", str(SAMPLE_BUNDLE)), date(2026, 4, 20))
    assert result.ok, result.problems()
    return settings.database


def run(*argv: str) -> subprocess.CompletedProcess[str]:
    """The installed entry point's code path, in a child process (real stdout and exit)."""
    return subprocess.run(
        [sys.executable, "-c", "import sys; from cli.main import entry; sys.exit(entry())", *argv],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("argv", [[], ["-h"], ["--help"]])
def test_gapwatch_alone_and_its_help_print_usage(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        main(argv) if argv else (_ for _ in ()).throw(SystemExit(main(argv)))
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: gapwatch")
    for name, _, _ in COMMANDS:
        assert name in out


@pytest.mark.parametrize("name", [name for name, _, _ in COMMANDS])
def test_every_commands_help_exits_0(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main([name, "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: gapwatch {name}")
    assert "Example:" in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"gapwatch {version('gapwatch')}"


def test_a_mistyped_command_gets_a_suggestion() -> None:
    done = run("gap")
    assert done.returncode == 2
    assert "did you mean 'gaps'?" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_mistyped_benchmark_gets_a_suggestion_not_a_list(
    sample_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["crossings", "gpqa", "--db", str(sample_db)]) == 2
    err = capsys.readouterr().err
    assert "did you mean 'gpqa_diamond'?" in err
    assert "frontiermath" not in err  # no dump of every id


def test_options_may_come_before_the_command(
    sample_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", str(sample_db), "sql", "select 1 as one"]) == 0
    assert "one" in capsys.readouterr().out


def test_user_errors_have_no_traceback(sample_db: Path, tmp_path: Path) -> None:
    for argv in (
        ["sql", "--db", str(sample_db), "select * from nowhere"],
        ["gaps", "--db", str(tmp_path / "missing.duckdb")],
        ["crossings", "nothing_like_it", "--db", str(sample_db)],
        ["gaps", "--from", "nobody", "--db", str(sample_db)],
    ):
        done = run(*argv)
        assert done.returncode == 2, argv
        assert done.stderr.startswith("gapwatch: "), done.stderr
        assert "Traceback" not in done.stderr


def test_a_closed_pipe_is_quiet(sample_db: Path) -> None:
    # a reader that takes one line and leaves, like `| head -1`
    command = [
        sys.executable,
        "-c",
        "import sys; from cli.main import entry; sys.exit(entry())",
        "sql",
        "--db",
        str(sample_db),
        "--wide",
        "select * from range(200000)",
    ]
    writer = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=PROJECT)
    assert writer.stdout is not None and writer.stderr is not None
    writer.stdout.readline()
    writer.stdout.close()
    err = writer.stderr.read().decode()
    writer.wait(timeout=120)
    assert err == ""
    assert writer.returncode in (0, 141)


def test_tables_fit_100_columns_unless_wide(
    sample_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    query = "select * from marts.crossings"
    assert main(["sql", "--db", str(sample_db), query]) == 0
    narrow = capsys.readouterr().out.splitlines()
    assert max(len(line) for line in narrow) <= WIDTH
    assert "--wide shows all" in " ".join(narrow[-3:])
    assert main(["sql", "--db", str(sample_db), "--wide", query]) == 0
    wide = capsys.readouterr().out.splitlines()
    assert max(len(line) for line in wide) > WIDTH
    assert "--wide" not in wide[-1]


@pytest.mark.parametrize(
    "argv",
    [
        ["gaps"],
        ["gaps", "--by-source"],
        ["crossings", "gpqa_diamond"],
        ["alerts"],
        ["changes"],
        ["status"],
        ["models"],
    ],
)
def test_every_summary_fits_100_columns(
    sample_db: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*argv, "--db", str(sample_db)]) == 0
    out = capsys.readouterr().out
    too_wide = [line for line in out.splitlines() if len(line) > WIDTH and "verdict" not in line]
    assert too_wide == []


def test_json_never_prints_a_bare_nan(capsys: pytest.CaptureFixture[str]) -> None:
    write_rows(["x", "y"], [(float("nan"), 1.5), (float("inf"), None)], "json")
    assert json.loads(capsys.readouterr().out) == [{"x": None, "y": 1.5}, {"x": None, "y": None}]


def test_a_cut_cell_ends_with_an_ellipsis() -> None:
    text = table(["name", "n"], [("x" * 200, 1)], width=40)
    lines = text.splitlines()
    assert max(len(line) for line in lines[:3]) <= 40
    assert lines[2].split()[0].endswith("…")


def test_gaps_opens_with_the_headline_and_marks_stale_estimates(
    sample_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert STALE_DAYS == REPORT_STALE_DAYS  # the CLI and the report call the same age stale
    assert main(["gaps", "--db", str(sample_db)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("On Epoch AI benchmarks (")


def test_status_says_where_a_source_is_behind(
    sample_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["status", "--db", str(sample_db)]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("verdict: OK")
