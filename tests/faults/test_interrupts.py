"""A refresh stopped at any stage: by SIGTERM/SIGINT it ends within seconds, by SIGKILL it
just dies; either way the live marts are exactly the previous ones, the lock is free, and the
next refresh completes with nothing lost or doubled.

Each refresh runs in a forked child of this test process (everything heavy is imported once),
held at a stage by a patched step that signals the test and waits.
"""

from __future__ import annotations

import http.server
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from cli.main import main
from pipeline.run import refresh
from pipeline.settings import Settings
from tests.conftest import SAMPLE_BUNDLE, quiet_handler
from tests.faults.conftest import HANG, marts_checksum
from tests.warehouse.bundles import copy_bundle, query, read_csv, write_csv
from warehouse.swap import next_path

NEXT_NIGHT = date(2026, 4, 21)


def stage_targets() -> dict[str, tuple[Any, str]]:
    """stage -> (object, attribute) whose call marks that stage of a refresh."""
    import pipeline.run as run
    import validation.validate as validate

    return {
        "fetch": (run.Run, "fetch"),
        "land": (run.landing, "land_payload"),
        "parse": (run.epoch, "parse"),
        "validate": (validate, "validate_fetch"),
        "transform": (run.Run, "build"),
        "alerts": (run.Run, "alert"),
        "notify": (run.Run, "notify"),
        "record": (run.Run, "finish"),
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


def start_refresh(argv: list[str], stage: str | None, tmp_path: Path) -> Child:
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


def assert_next_refresh_completes_once(settings: Settings, bundle: Path) -> None:
    """The run after the fault: completes, loads the new data once, leaves no litter."""
    result = refresh(settings.with_location("epoch", str(bundle)), NEXT_NIGHT)
    assert result.ok, result.problems()
    assert not next_path(settings.database).exists()
    loaded = query(settings, "select count(*) from raw.fetches where status = 'loaded'")[0][0]
    assert loaded == 2  # the sample night and this one: the interrupted run added nothing
    scores = query(
        settings,
        "select count(*), count(distinct benchmark_score_id) from marts.benchmark_scores",
    )[0]
    assert scores[0] == scores[1]  # nothing doubled
    assert query(
        settings,
        "select score from marts.benchmark_scores where benchmark_id = 'gpqa_diamond' "
        "order by score desc limit 1",
    )[0][0] == pytest.approx(0.97)
    payloads = sorted(p.name for p in settings.raw_dir.rglob("payload-*"))
    assert len(payloads) == len(set(payloads))


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    return changed_bundle(tmp_path)


STAGES = list(stage_targets())
FOLLOWED_UP = ("fetch", "validate", "record")


@pytest.mark.parametrize("stage", STAGES)
def test_sigterm_at_each_stage_ends_cleanly_and_is_recorded(
    stage: str, warehouse: Settings, bundle: Path, tmp_path: Path
) -> None:
    before = marts_checksum(warehouse.database)
    child = start_refresh(refresh_argv(warehouse, bundle), stage, tmp_path)
    child.wait_for_stage()

    os.kill(child.pid, signal.SIGTERM)

    assert child.exit_code() == 128 + signal.SIGTERM
    said = child.output.read_text()
    assert "gapwatch: interrupted (SIGTERM); the warehouse is unchanged" in said
    assert "Traceback" not in said
    assert marts_checksum(warehouse.database) == before
    assert not next_path(warehouse.database).exists()
    runs = query(
        warehouse, "select status, message from marts.refresh_runs where status = 'interrupted'"
    )
    assert runs == [("interrupted", "interrupted by SIGTERM; nothing of this run was kept")]
    if stage in FOLLOWED_UP:  # the lock is free and nothing is doubled (each kill case checks)
        assert_next_refresh_completes_once(warehouse, bundle)


@pytest.mark.parametrize("stage", ["fetch", "validate", "record"])
def test_sigint_ends_a_refresh_like_sigterm(
    stage: str, warehouse: Settings, bundle: Path, tmp_path: Path
) -> None:
    before = marts_checksum(warehouse.database)
    child = start_refresh(refresh_argv(warehouse, bundle), stage, tmp_path)
    child.wait_for_stage()
    os.kill(child.pid, signal.SIGINT)
    assert child.exit_code() == 128 + signal.SIGINT
    assert marts_checksum(warehouse.database) == before
    assert (
        query(warehouse, "select count(*) from marts.refresh_runs where status = 'interrupted'")[0][
            0
        ]
        == 1
    )


@pytest.mark.parametrize("stage", STAGES)
def test_sigkill_at_each_stage_leaves_the_previous_marts(
    stage: str, warehouse: Settings, bundle: Path, tmp_path: Path
) -> None:
    before = marts_checksum(warehouse.database)
    child = start_refresh(refresh_argv(warehouse, bundle), stage, tmp_path)
    child.wait_for_stage()

    os.kill(child.pid, signal.SIGKILL)

    assert child.exit_code() == -signal.SIGKILL
    assert marts_checksum(warehouse.database) == before
    assert_next_refresh_completes_once(warehouse, bundle)


def test_sigterm_during_a_retry_wait_ends_the_wait(
    warehouse: Settings, bundle: Path, tmp_path: Path, loopback_server: Callable[..., str]
) -> None:
    """A server asking to come back in an hour: the refresh sleeps, SIGTERM ends the sleep."""
    asked = tmp_path / "asked"

    class Busy(quiet_handler(http.server.BaseHTTPRequestHandler)):  # type: ignore[misc]
        def do_GET(self) -> None:
            asked.touch()
            self.send_response(429)
            self.send_header("Retry-After", "3600")
            self.send_header("Content-Length", "0")
            self.end_headers()

    url = loopback_server(Busy) + "/benchmark_data.zip"
    before = marts_checksum(warehouse.database)
    argv = refresh_argv(warehouse, bundle)
    argv[argv.index(f"epoch={bundle}")] = f"epoch={url}"
    child = start_refresh(argv, None, tmp_path)
    child.marker = asked
    child.wait_for_stage()
    time.sleep(0.3)  # let it get into the wait

    os.kill(child.pid, signal.SIGTERM)

    assert child.exit_code() == 128 + signal.SIGTERM
    assert marts_checksum(warehouse.database) == before


@pytest.fixture(autouse=True)
def _no_leftover_children() -> Iterator[None]:
    yield
    while True:
        try:
            finished, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if not finished:
            return
