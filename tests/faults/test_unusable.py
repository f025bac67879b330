"""Whatever is wrong with the warehouse or its folder, the command ends with one line that says
what and what to do (exit 2), and nothing is changed."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from cli.main import main
from pipeline.settings import Settings
from tests.conftest import PROJECT, SAMPLE_BUNDLE
from tests.faults.child import refresh_argv, run_refresh, start_refresh
from tests.faults.conftest import file_sha, marts_checksum


def one_line_error(output: str) -> str:
    lines = [line for line in output.splitlines() if line.startswith("gapwatch: ")]
    assert len(lines) == 1, output
    assert "Traceback" not in output, output
    return lines[0]


def test_a_corrupt_warehouse_is_named_with_a_next_step(
    warehouse: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = warehouse.database
    db.write_bytes(b"not a duckdb file at all" * 100)
    before = file_sha(db)

    code, output = run_refresh(refresh_argv(warehouse, SAMPLE_BUNDLE), tmp_path)
    sql = main(["sql", "--db", str(db), "select 1"])

    assert code == 2 and sql == 2
    line = one_line_error(output)
    assert "is corrupt" in line and "restore it from a backup" in line
    assert "is corrupt" in capsys.readouterr().err
    assert file_sha(db) == before


def test_a_warehouse_cut_short_is_named_corrupt(
    warehouse: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    """A partial copy (the file truncated) is corrupt too, not an unexplained IO error."""
    db = warehouse.database
    db.write_bytes(db.read_bytes()[:100_000])
    before = file_sha(db)

    code = main(["sql", "--db", str(db), "select 1"])

    err = capsys.readouterr().err
    assert code == 2
    assert "is corrupt" in err and "restore it from a backup" in err
    assert len(err.strip().splitlines()) == 1
    assert file_sha(db) == before


def test_a_warehouse_from_a_newer_gapwatch_is_refused(warehouse: Settings, tmp_path: Path) -> None:
    with duckdb.connect(str(warehouse.database)) as con:
        con.execute("update raw.gapwatch_schema set version = 99")
    before = file_sha(warehouse.database)

    code, output = run_refresh(refresh_argv(warehouse, SAMPLE_BUNDLE), tmp_path)

    assert code == 2
    line = one_line_error(output)
    assert "written by a newer gapwatch (schema 99" in line and "upgrade gapwatch" in line
    assert file_sha(warehouse.database) == before


def test_a_warehouse_held_open_for_writing_by_another_program(
    warehouse: Settings, tmp_path: Path
) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); "
            "print('open', flush=True); time.sleep(120)",
            str(warehouse.database),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=PROJECT,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        code, output = run_refresh(refresh_argv(warehouse, SAMPLE_BUNDLE), tmp_path)
    finally:
        holder.kill()
        holder.wait()

    assert code == 2
    line = one_line_error(output)
    assert f"another process (pid {holder.pid}) has" in line and "open for writing" in line


@contextmanager
def unwritable(folder: Path) -> Iterator[None]:
    """The folder made read-only: mode bits for a normal user, the immutable flag for root."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    chattr = shutil.which("chattr")
    assert chattr, "as root, a read-only folder needs chattr (e2fsprogs)"
    subprocess.run([chattr, "+i", str(folder)], check=True)
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", str(folder)], check=True)


def test_a_read_only_data_dir_is_named_with_a_next_step(
    warehouse: Settings, tmp_path: Path
) -> None:
    before = marts_checksum(warehouse.database)
    with unwritable(warehouse.data_dir):
        code, output = run_refresh(refresh_argv(warehouse, SAMPLE_BUNDLE), tmp_path)

    assert code == 2
    line = one_line_error(output)
    assert f"cannot write under {warehouse.data_dir.resolve()}" in line
    assert "make the data dir writable" in line
    assert marts_checksum(warehouse.database) == before


def test_a_full_disk_is_named_and_the_warehouse_unchanged(
    warehouse: Settings, tmp_path: Path
) -> None:
    """The copy the refresh builds on hits ENOSPC (injected at the write: no real disk filled)."""
    import warehouse.swap as swap

    def no_space(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    before = file_sha(warehouse.database)
    original = swap.shutil.copyfile
    swap.shutil.copyfile = no_space  # type: ignore[assignment]
    try:  # the fork inherits the patch; this process gets the original back at once
        child = start_refresh(refresh_argv(warehouse, SAMPLE_BUNDLE), None, tmp_path)
    finally:
        swap.shutil.copyfile = original
    code = child.exit_code()

    assert code == 2
    line = one_line_error(child.output.read_text())
    assert "is full; free some space and run the refresh again" in line
    assert file_sha(warehouse.database) == before
