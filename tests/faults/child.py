"""Run `gapwatch ...` in a forked child of the test process, optionally held at a stage.

Forking keeps everything heavy (DuckDB, Great Expectations) imported once; the child's output
goes to a file the test reads whole.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from cli.main import main
from pipeline.settings import Settings
from tests.conftest import SAMPLE_BUNDLE
from tests.faults.conftest import HANG
from tests.warehouse.bundles import copy_bundle, read_csv, write_csv

NEXT_NIGHT = date(2026, 4, 21)


def stage_targets() -> dict[str, tuple[Any, str]]:
    """stage -> (object, attribute) whose call marks that stage of a refresh."""
    import pipeline.night as night
    import pipeline.steps as steps
    import validation.validate as validate
    from warehouse import landing

    return {
        "fetch": (steps, "fetch_payload"),
        "land": (landing, "land_payload"),
        "parse": (steps, "ZipMembers"),  # the landed files, opened as the parse begins
        "load": (steps, "load_raw_rows"),
        "validate": (validate, "validate_fetch"),
        "transform": (night.Run, "build"),
        "alerts": (night.Run, "alert"),
        "notify": (night.Run, "notify"),
        "record": (night.Run, "record"),
    }


def changed_bundle(tmp_path: Path) -> Path:
    """The sample bundle with one gpqa score raised: a refresh of it changes the marts."""
    bundle = copy_bundle(SAMPLE_BUNDLE, tmp_path / "bundle")
    columns, rows = read_csv(bundle / "gpqa_diamond.csv")
    rows[0]["Best score (across scorers)"] = "0.97"
    write_csv(bundle / "gpqa_diamond.csv", columns, rows)
    return bundle


@dataclass
class Child:
    pid: int
    output: Path
    marker: Path

    def wait_for_stage(self) -> None:
        limit = time.monotonic() + HANG
        while not self.marker.exists():
            finished, _ = os.waitpid(self.pid, os.WNOHANG)
            assert not finished, f"the refresh ended before the stage: {self.output.read_text()}"
            assert time.monotonic() < limit, "the stage was never reached"
            time.sleep(0.05)

    def exit_code(self) -> int:
        limit = time.monotonic() + HANG
        while True:
            finished, status = os.waitpid(self.pid, os.WNOHANG)
            if finished:
                return os.waitstatus_to_exitcode(status)
            if time.monotonic() > limit:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
                raise AssertionError(f"still running {HANG:.0f} s after the signal")
            time.sleep(0.05)


def start_refresh(
    argv: list[str],
    stage: str | None,
    tmp_path: Path,
    environ: Mapping[str, str] | None = None,
) -> Child:
    """Fork a child running `gapwatch <argv>`, held at `stage` (None: not held)."""
    output, marker = tmp_path / "child.out", tmp_path / f"reached-{stage}"
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 99
        try:
            stream = open(output, "w", buffering=1)  # noqa: SIM115
            os.dup2(stream.fileno(), 1)
            os.dup2(stream.fileno(), 2)
            sys.stdout = sys.stderr = stream
            os.environ.update(environ or {})
            if stage is not None:
                hold(stage, marker)
            code = main(argv)
        except BaseException as error:
            print(f"child died: {type(error).__name__}: {error}", flush=True)
        finally:
            os._exit(code)
    return Child(pid, output, marker)


def hold(stage: str, marker: Path) -> None:
    owner, name = stage_targets()[stage]
    original = getattr(owner, name)

    def held(*args: Any, **kwargs: Any) -> Any:
        marker.touch()
        time.sleep(HANG)  # a signal ends this sleep (and the refresh) at once
        return original(*args, **kwargs)

    setattr(owner, name, held)


def refresh_argv(settings: Settings, bundle: Path, *extra: str) -> list[str]:
    return [
        "refresh",
        "--no-prefect",
        "--quiet",
        "--data-dir",
        str(settings.data_dir),
        "--source",
        f"epoch={bundle}",
        "--as-of",
        NEXT_NIGHT.isoformat(),
        *extra,
    ]


def run_refresh(
    argv: list[str], tmp_path: Path, environ: Mapping[str, str] | None = None
) -> tuple[int, str]:
    """Run a whole refresh in a child; its exit code and everything it printed."""
    child = start_refresh(argv, None, tmp_path, environ)
    code = child.exit_code()
    return code, child.output.read_text()
