"""The nightly service without Prefect: alert delivery, readers during a refresh, the lock,
and a refresh killed half-way. Real snapshots; servers and processes on this machine only."""

from __future__ import annotations

import http.server
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb
import pytest

from alerts.channels import MAX_FAILURES, slack_escape
from cli.main import main
from pipeline.run import refresh
from pipeline.settings import Settings
from tests.conftest import PROJECT, epoch_dir, quiet_handler
from tests.warehouse.bundles import Built, copy_warehouse, query, scores
from warehouse.lock import lock_path
from warehouse.swap import next_path

pytestmark = pytest.mark.long

Starter = Callable[[type[http.server.BaseHTTPRequestHandler]], str]
NIGHT_1, NIGHT_2 = "2025-11-02", "2026-03-09"


class Receiver:
    """A Slack-style webhook on 127.0.0.1: records each POST, answers with `status`."""

    def __init__(self) -> None:
        self.status = 200
        self.posts: list[dict] = []
        self.lock = threading.Lock()

    def handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        receiver = self

        class Hook(quiet_handler(http.server.BaseHTTPRequestHandler)):  # type: ignore[misc]
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with receiver.lock:
                    receiver.posts.append({"status": receiver.status, **body})
                    status = receiver.status
                self.send_response(status)
                self.end_headers()

        return Hook

    def delivered_ids(self) -> Counter[str]:
        return Counter(p["alert"]["alert_id"] for p in self.posts if p["status"] == 200)


def refresh_command(settings: Settings, shared: Path, snapshot: str) -> list[str]:
    """`gapwatch refresh` of one snapshot in a child process, without Prefect."""
    return [
        sys.executable,
        "-m",
        "cli.main",
        "refresh",
        "--no-prefect",
        "--data-dir",
        str(settings.data_dir),
        "--as-of",
        snapshot,
        "--source",
        f"epoch={epoch_dir(shared, snapshot)}",
    ]


# the same `gapwatch refresh` in the child, but its report is not published (the readers test
# is about the warehouse swap; publishing the page has tests of its own)
WITHOUT_REPORT = (
    "import sys\n"
    "import report.publish\n"
    "report.publish.publish = lambda *args, **kwargs: None\n"
    "from cli.main import main\n"
    "raise SystemExit(main(sys.argv[1:]))\n"
)


def night(settings: Settings, shared: Path, snapshot: str) -> Settings:
    return settings.with_location("epoch", str(epoch_dir(shared, snapshot)))


def test_webhook_gets_one_post_per_alert_and_failures_are_retried_once(
    snapshot_warehouse: Callable[[str], Built],
    shared_data: Path,
    tmp_path: Path,
    loopback_server: Starter,
    caplog: pytest.LogCaptureFixture,
) -> None:
    receiver = Receiver()
    secret_url = loopback_server(receiver.handler()) + "/hooks/T000/SECRET-TOKEN"
    base = copy_warehouse(snapshot_warehouse(NIGHT_1), tmp_path / "data")
    settings = Settings(
        data_dir=base.data_dir, webhook_url=secret_url, http_retries=0, sources=("epoch",)
    )
    caplog.set_level(logging.INFO)

    receiver.status = 500
    first = refresh(night(settings, shared_data, NIGHT_2), date.fromisoformat(NIGHT_2))
    raised = {a.alert_id for a in first.alerts}
    assert raised and set(first.undelivered) == raised
    # three failures in a row open the night's circuit breaker: the rest wait for next night
    assert len(receiver.posts) == MAX_FAILURES < len(raised)
    stored = query(settings, "select alert_id, delivered_at, delivery_error from history.alerts")
    assert {r[0] for r in stored} == raised
    errors = Counter(r[2] for r in stored if r[1] is None)
    assert errors == {
        "webhook: webhook answered HTTP 500": MAX_FAILURES,
        "webhook: not tried, it failed 3 times in a row tonight (retried next run)": len(raised)
        - MAX_FAILURES,
    }

    receiver.status = 200
    again = refresh(night(settings, shared_data, NIGHT_2), date.fromisoformat(NIGHT_2))
    assert again.alerts == [] and again.undelivered == {}
    assert receiver.delivered_ids() == Counter(raised)  # every alert exactly once
    assert query(settings, "select count(*) from history.alerts where delivered_at is null") == [
        (0,)
    ]
    texts = {p["alert"]["alert_id"]: p["text"] for p in receiver.posts if p["status"] == 200}
    messages = dict(query(settings, "select alert_id, message from history.alerts"))
    assert texts == {alert_id: slack_escape(text) for alert_id, text in messages.items()}

    posts_before = len(receiver.posts)
    refresh(night(settings, shared_data, NIGHT_2), date.fromisoformat(NIGHT_2))
    assert len(receiver.posts) == posts_before  # nothing sent twice

    assert "SECRET-TOKEN" not in caplog.text
    dumped = query(
        settings, "select string_agg(coalesce(delivery_error, ''), '|') from history.alerts"
    )
    assert "SECRET-TOKEN" not in str(dumped)
    assert "SECRET-TOKEN" not in repr(settings)


def test_gap_closed_alert_reads_like_a_sentence(
    snapshot_warehouse: Callable[[str], Built], shared_data: Path, tmp_path: Path
) -> None:
    settings = copy_warehouse(snapshot_warehouse(NIGHT_1), tmp_path / "data")
    refresh(night(settings, shared_data, NIGHT_2), date.fromisoformat(NIGHT_2))
    rows = query(
        settings,
        "select a.message, a.gap_months, c.first_open_model, c.first_closed_model "
        "from history.alerts a join marts.crossings c using (benchmark_id, threshold, open_scope) "
        "where a.kind = 'gap_closed' and a.open_scope = 'all' order by a.alert_id limit 5",
    )
    assert rows
    for text, gap, open_model, closed_model in rows:
        assert text.startswith("Open model ") and " reached " in text
        assert f"{abs(gap):.1f} months" in text and "the first closed model (" in text
        assert open_model and closed_model


def test_readers_see_old_or_new_marts_never_a_mix(
    snapshot_warehouse: Callable[[str], Built], shared_data: Path, tmp_path: Path
) -> None:
    settings = copy_warehouse(snapshot_warehouse(NIGHT_1), tmp_path / "data")
    probe = (
        "select (select max(as_of) from marts.gap_summary), "
        "(select max(as_of) from history.refresh_runs), "
        "(select count(*) from marts.benchmark_scores), "
        "(select count(*) from marts.crossings)"
    )
    [old] = query(settings, probe)
    command = refresh_command(settings, shared_data, NIGHT_2)
    assert command[1:3] == ["-m", "cli.main"]
    process = subprocess.Popen(
        [sys.executable, "-c", WITHOUT_REPORT, *command[3:], "--quiet"], cwd=PROJECT
    )
    seen = []
    while process.poll() is None:
        with duckdb.connect(str(settings.database), read_only=True) as con:
            seen.append(con.execute(probe).fetchall()[0])
    assert process.wait() == 0
    [new] = query(settings, probe)
    assert new != old and new[0] == date.fromisoformat(NIGHT_2)
    assert len(seen) > 10, "the reader should have queried throughout the refresh"
    assert set(seen) <= {old, new}
    assert all(s[0] == s[1] for s in seen)  # summary and run log from the same run


def test_second_refresh_is_refused_at_once_with_a_clear_message(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from warehouse.lock import RefreshLock\n"
            "with RefreshLock(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(60)",
            str(settings.database),
        ],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        code = main(["refresh", "--no-prefect", "--data-dir", str(settings.data_dir), "--quiet"])
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    err = capsys.readouterr().err
    assert code == 2
    assert "a refresh is already running (since " in err and f"pid {holder.pid}" in err
    assert waited < 30  # refused, not queued behind the other refresh (a generous bound)
    assert not settings.database.exists()


def test_lock_left_by_a_dead_refresh_is_cleared(
    settings: Settings, shared_data: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = lock_path(settings.database)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"pid": 999999, "since": "2026-04-18 03:00:00 UTC"}))
    caplog.set_level(logging.WARNING)
    result = refresh(night(settings, shared_data, NIGHT_1), date.fromisoformat(NIGHT_1))
    assert result.ok
    assert "cleared a stale refresh lock left by pid 999999" in caplog.text
    assert path.read_text() == ""  # released cleanly this time


def test_refresh_killed_half_way_leaves_a_warehouse_the_next_one_completes(
    snapshot_warehouse: Callable[[str], Built], shared_data: Path, tmp_path: Path
) -> None:
    settings = copy_warehouse(snapshot_warehouse(NIGHT_1), tmp_path / "data")
    before_scores = scores(settings)
    before_fetches = query(settings, "select count(*) from raw.fetches")
    process = subprocess.Popen(
        refresh_command(settings, shared_data, NIGHT_2),
        cwd=PROJECT,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert process.stderr is not None
    landed = None
    for line in process.stderr:
        if " landed " in line:
            landed = Path(line.rsplit(" at ", 1)[1].strip())
            os.kill(process.pid, signal.SIGKILL)
            break
    process.wait()
    assert process.returncode == -signal.SIGKILL and landed is not None

    assert scores(settings) == before_scores  # the warehouse is exactly as it was
    assert query(settings, "select count(*) from raw.fetches") == before_fetches
    assert landed.is_file()  # the payload it fetched is kept
    assert next_path(settings.database).exists()  # its half-built copy, left behind

    result = refresh(night(settings, shared_data, NIGHT_2), date.fromisoformat(NIGHT_2))
    assert result.ok and result.sources[0].status == "loaded"
    [(raw_path,)] = query(
        settings, "select raw_path from raw.fetches order by fetch_id desc limit 1"
    )
    assert Path(raw_path) == landed  # the same immutable payload, not a second copy
    assert sorted(landed.parent.iterdir()) == [landed]
    assert not next_path(settings.database).exists()
    assert scores(settings) != before_scores


def test_a_failed_first_night_is_no_baseline_and_raises_no_flood(
    settings: Settings, shared_data: Path, tmp_path: Path
) -> None:
    missing = settings.with_location("epoch", str(tmp_path / "nowhere.zip"))
    assert refresh(missing, date.fromisoformat(NIGHT_1)).sources[0].status == "failed"
    result = refresh(night(settings, shared_data, NIGHT_2), date.fromisoformat(NIGHT_2))
    assert result.ok and result.alerts == []
    assert query(settings, "select count(*) from history.alerts") == [(0,)]


def test_a_new_source_starts_with_a_baseline_of_its_own(
    snapshot_warehouse: Callable[[str], Built], shared_data: Path, tmp_path: Path
) -> None:
    settings = copy_warehouse(snapshot_warehouse(NIGHT_1), tmp_path / "data")
    weirdml = shared_data / "leaderboards" / "weirdml" / "2026-04-10"
    both = night(settings, shared_data, NIGHT_2).with_location("weirdml", str(weirdml))
    result = refresh(both.only("epoch", "weirdml"), date(2026, 4, 19))
    assert result.ok
    sources = {
        r[0]
        for r in query(
            settings,
            "select distinct b.source from history.alerts a "
            "join marts.benchmarks b using (benchmark_id)",
        )
    }
    assert sources == {"epoch"}  # Epoch's changes alert; WeirdML's first load is its baseline
