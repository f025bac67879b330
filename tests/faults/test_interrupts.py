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
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pipeline.run import refresh
from pipeline.settings import Settings
from tests.conftest import quiet_handler
from tests.faults.child import (
    NEXT_NIGHT,
    changed_bundle,
    refresh_argv,
    stage_targets,
    start_refresh,
)
from tests.faults.conftest import marts_checksum
from tests.warehouse.bundles import query
from warehouse.swap import next_path

pytestmark = pytest.mark.long


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
        warehouse, "select status, message from history.refresh_runs where status = 'interrupted'"
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
        query(warehouse, "select count(*) from history.refresh_runs where status = 'interrupted'")[
            0
        ][0]
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
