"""A whole night with a failing webhook, then a healthy one, through the command line:
the secret never appears anywhere, the failure has its own exit code, each alert goes out
exactly once when the webhook is back, and upstream markup arrives inert."""

from __future__ import annotations

import http.server
import json
from pathlib import Path
from typing import Any

import pytest

from pipeline.settings import Settings
from tests.conftest import SAMPLE_BUNDLE, quiet_handler
from tests.faults.child import refresh_argv, run_refresh
from tests.faults.conftest import Start
from tests.warehouse.bundles import copy_bundle, query, read_csv, write_csv

SECRET = "T0SECRET/B0SECRET/" + "xoxsecret" * 3


def alerting_bundle(tmp_path: Path) -> Path:
    """The sample bundle where an open model, renamed with chat markup, beats every score."""
    bundle = copy_bundle(SAMPLE_BUNDLE, tmp_path / "bundle")
    columns, rows = read_csv(bundle / "epoch_capabilities_index.csv")
    for row in rows:
        if row["Model version"] == "open-zeta-400b":
            row["Display name"] = row["Model name"] = "<!channel> *Zeta*"
    write_csv(bundle / "epoch_capabilities_index.csv", columns, rows)
    columns, rows = read_csv(bundle / "gpqa_diamond.csv")
    for row in rows:
        if row["Model version"] == "open-zeta-400b":
            row["Best score (across scorers)"] = "0.99"
    write_csv(bundle / "gpqa_diamond.csv", columns, rows)
    return bundle


class Hook:
    """A loopback webhook: `fail` answers 500, otherwise it accepts and keeps each post."""

    def __init__(self, start: Start) -> None:
        self.fail = True
        self.posts: list[dict[str, Any]] = []
        hook = self

        class Handler(quiet_handler(http.server.BaseHTTPRequestHandler)):  # type: ignore[misc]
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if hook.fail:
                    self.send_response(500)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                hook.posts.append(body)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.url = f"{start(Handler)}/services/{SECRET}"


def every_byte(data_dir: Path) -> bytes:
    """Every file the night left behind: warehouse, delivery log, landed payloads, reports."""
    return b"".join(p.read_bytes() for p in sorted(data_dir.rglob("*")) if p.is_file())


@pytest.fixture
def night(warehouse: Settings, tmp_path: Path, loopback_server: Start) -> tuple[Settings, Hook]:
    return warehouse, Hook(loopback_server)


def test_a_failing_webhook_night_never_prints_the_secret_and_exits_3(
    night: tuple[Settings, Hook], tmp_path: Path
) -> None:
    settings, hook = night
    bundle = alerting_bundle(tmp_path)
    env = {"GAPWATCH_WEBHOOK_URL": hook.url}

    code, output = run_refresh(refresh_argv(settings, bundle), tmp_path, env)

    assert code == 3, output
    assert "alert(s) not delivered; they are retried next run" in output
    assert "xoxsecret" not in output and "B0SECRET" not in output
    assert b"xoxsecret" not in every_byte(settings.data_dir)
    undelivered = query(settings, "select count(*) from history.alerts where delivered_at is null")
    assert undelivered[0][0] > 0
    statuses = query(settings, "select distinct status from history.refresh_runs order by 1")
    assert ("undelivered",) in statuses


@pytest.mark.usefixtures("no_report")  # about delivery: the first test checks every file
def test_the_next_night_delivers_each_alert_once_with_markup_escaped(
    night: tuple[Settings, Hook], tmp_path: Path
) -> None:
    settings, hook = night
    bundle = alerting_bundle(tmp_path)
    env = {"GAPWATCH_WEBHOOK_URL": hook.url}
    run_refresh(refresh_argv(settings, bundle), tmp_path, env)
    raised = query(settings, "select alert_id from history.alerts order by 1")
    hook.fail = False

    code, output = run_refresh(refresh_argv(settings, bundle), tmp_path, env)
    again, _ = run_refresh(refresh_argv(settings, bundle), tmp_path, env)

    assert code == 0 and again == 0, output
    sent = sorted(post["alert"]["alert_id"] for post in hook.posts)
    assert sent == sorted(alert_id for (alert_id,) in raised)  # each once, none twice
    zeta = [post["text"] for post in hook.posts if "*Zeta*" in post["text"]]
    assert zeta and all("&lt;!channel&gt;" in text and "<!" not in text for text in zeta)
