"""Alert delivery under a bad webhook: bounded, honest about what did not go out, exactly once
when the channel comes back, and inert markup from upstream names."""

from __future__ import annotations

import http.server
import json
import logging
import threading
from pathlib import Path

import duckdb
import pytest

from alerts.channels import CallableChannel, DeliveryLog, WebhookChannel, deliver
from tests.conftest import quiet_handler
from tests.faults.conftest import Start, ends
from warehouse.db import ensure_schemas


def alerts_db(messages: dict[str, str]) -> duckdb.DuckDBPyConnection:
    """A tiny in-memory warehouse holding these made-up alerts, none delivered."""
    con = duckdb.connect()
    ensure_schemas(con)
    for alert_id, message in messages.items():
        con.execute(
            "insert into history.alerts values (?, 'gap_closed', 'run-1', date '2026-04-19', "
            "'bench', 0.5, 'all', 'open-x', 'Org', 'closed-a', 3.0, ?, now(), null, null)",
            [alert_id, message],
        )
    return con


class Webhook:
    """A loopback webhook that can hang, fail or accept; it records what it accepted."""

    def __init__(self, start: Start) -> None:
        self.mode = "hang"
        self.posts: list[dict[str, object]] = []
        self.attempts = 0
        self.release = threading.Event()
        hook = self

        class Handler(quiet_handler(http.server.BaseHTTPRequestHandler)):  # type: ignore[misc]
            def do_POST(self) -> None:
                hook.attempts += 1
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if hook.mode == "hang":
                    hook.release.wait(30)
                    return
                if hook.mode == "fail":
                    self.send_response(500)
                    self.end_headers()
                    return
                hook.posts.append(json.loads(body))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        self.url = start(Handler) + "/services/T000/B000/" + "s3cr3t" * 4


@pytest.fixture
def webhook(loopback_server: Start) -> Webhook:
    hook = Webhook(loopback_server)
    yield hook
    hook.release.set()


def test_a_webhook_that_never_answers_costs_three_timeouts_not_one_per_alert(
    webhook: Webhook, tmp_path: Path
) -> None:
    ids = {f"a{i:02}": f"message {i}" for i in range(20)}
    con = alerts_db(ids)
    channel = WebhookChannel(webhook.url, timeout=0.3)

    report = ends(lambda: deliver(con, [channel], DeliveryLog(tmp_path / "d.jsonl")))

    assert webhook.attempts == 3  # then the breaker opened for the night
    assert set(report.failed) == set(ids) and report.delivered == 0
    assert "not tried, it failed 3 times in a row" in report.failed["a19"]
    undelivered = con.execute(
        "select count(*) from history.alerts "
        "where delivered_at is null and delivery_error is not null"
    ).fetchall()[0][0]
    assert undelivered == 20


def test_the_next_night_sends_each_missing_alert_once(webhook: Webhook, tmp_path: Path) -> None:
    ids = {f"a{i:02}": f"message {i}" for i in range(6)}
    con = alerts_db(ids)
    log = tmp_path / "d.jsonl"
    webhook.mode = "accept"
    first = deliver(con, [WebhookChannel(webhook.url, timeout=2)], DeliveryLog(log), 3)
    assert first.delivered == 6
    con.execute("update history.alerts set delivered_at = null")  # as if the swap was lost
    webhook.mode = "fail"
    second = deliver(con, [WebhookChannel(webhook.url, timeout=2)], DeliveryLog(log), 3)
    assert second.delivered == 6 and webhook.attempts == 6  # nothing re-sent to the webhook
    sent = [post["alert"]["alert_id"] for post in webhook.posts]  # type: ignore[index]
    assert sorted(sent) == sorted(ids)


def test_after_a_failed_night_only_the_undelivered_go_out(webhook: Webhook, tmp_path: Path) -> None:
    con = alerts_db({"a1": "one", "a2": "two"})
    log = tmp_path / "d.jsonl"
    webhook.mode = "accept"
    deliver(con, [WebhookChannel(webhook.url, timeout=2)], DeliveryLog(log))
    con.execute(
        "insert into history.alerts values ('a3', 'gap_closed', 'run-2', date '2026-04-20', "
        "'bench', 0.6, 'all', 'open-y', 'Org', 'closed-a', 3.0, 'three', now(), null, null)"
    )
    webhook.mode = "fail"
    failed = deliver(con, [WebhookChannel(webhook.url, timeout=2)], DeliveryLog(log))
    assert set(failed.failed) == {"a3"}
    webhook.mode = "accept"
    deliver(con, [WebhookChannel(webhook.url, timeout=2)], DeliveryLog(log))
    texts = [post["text"] for post in webhook.posts]
    assert texts == ["one", "two", "three"]


def test_upstream_markup_is_escaped_for_slack_and_markdown(
    webhook: Webhook, tmp_path: Path
) -> None:
    message = "Open model <!channel> *Free* <http://x.example|click> & co reached 85%."
    con = alerts_db({"a1": message})
    webhook.mode = "accept"
    markdown: list[str] = []
    channels = [WebhookChannel(webhook.url, timeout=2), CallableChannel("block", markdown.append)]
    deliver(con, channels, DeliveryLog(tmp_path / "d.jsonl"))
    post = webhook.posts[0]
    assert post["mrkdwn"] is False
    assert post["text"] == (
        "Open model &lt;!channel&gt; *Free* &lt;http://x.example|click&gt; &amp; co reached 85%."
    )
    assert "<" not in str(post["text"]) and ">" not in str(post["text"])
    assert markdown == [
        "Open model \\<!channel\\> \\*Free\\* \\<http://x.example\\|click\\> & co reached 85%."
    ]
    stored = con.execute("select message from history.alerts").fetchall()[0][0]
    assert stored == message  # the warehouse keeps what upstream said


def test_the_webhook_url_is_never_logged(
    webhook: Webhook, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    con = alerts_db({"a1": "one"})
    webhook.mode = "fail"
    deliver(con, [WebhookChannel(webhook.url, timeout=2)], DeliveryLog(tmp_path / "d.jsonl"))
    logging.getLogger("urllib3.connectionpool").warning("Retrying after %s", webhook.url)
    assert "s3cr3t" not in caplog.text
    assert "[redacted]" in caplog.text
