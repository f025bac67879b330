"""A Prefect notification block as the alert channel: by bare name or type/name, one digest.

The block is a real custom-webhook block saved on the session's Prefect server, posting to a
loopback server started here; its body template shows the subject and body Prefect passed.
"""

from __future__ import annotations

import http.server
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from alerts.channels import DeliveryLog, deliver
from flows.notify import BlockNotFound, block_slug, notification_channel
from tests.conftest import quiet_handler
from warehouse.db import ensure_schemas

pytestmark = pytest.mark.usefixtures("prefect_backend")


def receiver(start: Callable[[type[http.server.BaseHTTPRequestHandler]], str]) -> tuple[str, list]:
    received: list[dict[str, Any]] = []

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(200)
            self.end_headers()

    return start(quiet_handler(Hook)) + "/hook", received


def night(ids: list[str]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    ensure_schemas(con)
    for alert_id in ids:
        con.execute(
            "insert into history.alerts values (?, 'gap_closed', 'run-1', date '2026-04-19', "
            "'bench', 0.5, 'all', 'open-x', 'Org', 'closed-a', 3.0, ?, now(), null, null)",
            [alert_id, f"made-up alert {alert_id}"],
        )
    return con


@pytest.mark.parametrize("name", ["gw-notify", "custom-webhook/gw-notify"])
def test_a_block_by_bare_or_full_name_gets_one_digest_with_a_subject(
    name: str, loopback_server: Any, tmp_path: Path
) -> None:
    from prefect.blocks.notifications import CustomWebhookNotificationBlock

    url, received = receiver(loopback_server)
    CustomWebhookNotificationBlock(
        name="gapwatch test hook",
        url=url,
        json_data={"subject": "{{subject}}", "body": "{{body}}"},
    ).save("gw-notify", overwrite=True)
    assert block_slug(name) == "custom-webhook/gw-notify"
    channel = notification_channel(name)
    report = deliver(night(["a1", "a2", "a3"]), [channel], DeliveryLog(tmp_path / "d.jsonl"))
    assert report.delivered == 3 and not report.failed
    assert received == [
        {
            "subject": "gapwatch: 3 new gap alerts for 2026-04-19",
            "body": "- made-up alert a1\n- made-up alert a2\n- made-up alert a3",
        }
    ]


def test_a_name_that_is_no_notification_block_is_a_clear_error() -> None:
    from prefect.blocks.system import Secret

    Secret(value="not a notifier").save("gw-only-a-secret", overwrite=True)
    with pytest.raises(BlockNotFound, match="no notification block named 'gw-only-a-secret'"):
        block_slug("gw-only-a-secret")
    with pytest.raises(BlockNotFound, match="no notification block named 'gw-nothing'"):
        block_slug("gw-nothing")


def test_a_missing_block_is_a_problem_of_the_night_not_its_end(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Channels are resolved before the data work; one that can't be is a line, not an abort."""
    from datetime import date

    from flows.nightly import edge_channels
    from pipeline.run import run
    from pipeline.settings import Settings
    from tests.conftest import SAMPLE_BUNDLE

    monkeypatch.setenv("GAPWATCH_NOTIFICATION_BLOCK", "gw-nothing")
    monkeypatch.setenv("GAPWATCH_WEBHOOK_SECRET_BLOCK", "gw-no-such-secret")
    settings = Settings(data_dir=tmp_path / "data").with_location("epoch", str(SAMPLE_BUNDLE))
    settings = settings.only("epoch")

    channels, problems = edge_channels(settings)
    result = run(settings, date(2026, 4, 20), channels=channels, setup_problems=problems)

    assert channels == []
    assert len(problems) == 2 and all(line.startswith("alerts: ") for line in problems)
    assert "'gw-nothing'" in problems[1] and "'gw-no-such-secret'" in problems[0]
    assert [o.status for o in result.sources] == ["loaded"]
    assert set(problems) <= set(result.problems())  # said, and the flow is marked failed
