"""Delivery bookkeeping on a tiny made-up alerts table: per channel, exactly once."""

from __future__ import annotations

from pathlib import Path

import duckdb

from alerts.channels import CallableChannel, DeliveryLog, DigestChannel, deliver
from warehouse.db import ensure_schemas


def alerts_db(ids: list[str]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    ensure_schemas(con)
    for alert_id in ids:
        con.execute(
            "insert into history.alerts values (?, 'gap_closed', 'run-1', date '2026-04-19', "
            "'bench', 0.5, 'all', 'open-x', 'Org', 'closed-a', 3.0, ?, now(), null, null)",
            [alert_id, f"message {alert_id}"],
        )
    return con


def test_a_failing_channel_is_retried_without_resending_to_the_others(tmp_path: Path) -> None:
    con = alerts_db(["a1", "a2"])
    sent: dict[str, list[str]] = {"chat": [], "pager": []}
    pager_up = False

    def pager(message: str) -> None:
        if not pager_up:
            raise ConnectionError("down")
        sent["pager"].append(message)

    channels = [CallableChannel("chat", sent["chat"].append), CallableChannel("pager", pager)]
    log = DeliveryLog(tmp_path / "deliveries.jsonl")
    first = deliver(con, channels, log)
    assert first.delivered == 0 and set(first.failed) == {"a1", "a2"}
    assert first.failed["a1"] == "pager: pager failed (ConnectionError)"
    pager_up = True
    second = deliver(con, channels, DeliveryLog(tmp_path / "deliveries.jsonl"))
    assert second.delivered == 2 and not second.failed
    assert sent == {"chat": ["message a1", "message a2"], "pager": ["message a1", "message a2"]}
    assert con.execute(
        "select count(*) from history.alerts where delivered_at is null"
    ).fetchall() == [(0,)]
    assert deliver(con, channels, log).delivered == 0  # nothing left to send


def test_the_delivery_log_prevents_a_resend_the_database_forgot(tmp_path: Path) -> None:
    """A refresh that died after sending but before its warehouse swap lost the DB record."""
    path = tmp_path / "deliveries.jsonl"
    sent: list[str] = []
    deliver(alerts_db(["a1"]), [CallableChannel("chat", sent.append)], DeliveryLog(path))
    assert sent == ["message a1"]
    fresh = alerts_db(["a1"])  # the same alert, raised again into a warehouse that lost the record
    report = deliver(fresh, [CallableChannel("chat", sent.append)], DeliveryLog(path))
    assert sent == ["message a1"] and report.delivered == 1
    assert fresh.execute("select channel from history.alert_deliveries").fetchall() == [("chat",)]


def test_with_no_channel_configured_alerts_count_as_delivered_to_the_log(tmp_path: Path) -> None:
    con = alerts_db(["a1"])
    assert deliver(con, [], DeliveryLog(tmp_path / "d.jsonl")).delivered == 1


def test_a_digest_channel_gets_the_nights_alerts_as_one_message_with_a_subject(
    tmp_path: Path,
) -> None:
    con = alerts_db(["a1", "a2", "a3"])
    sent: list[tuple[str, str]] = []
    channels = [DigestChannel("block", lambda subject, body: sent.append((subject, body)))]
    log = DeliveryLog(tmp_path / "deliveries.jsonl")
    report = deliver(con, channels, log)
    assert report.delivered == 3 and not report.failed
    assert sent == [
        (
            "gapwatch: 3 new gap alerts for 2026-04-19",
            "- message a1\n- message a2\n- message a3",
        )
    ]
    assert deliver(con, channels, log).delivered == 0 and len(sent) == 1  # once, ever


def test_a_failed_digest_is_sent_again_whole_next_time(tmp_path: Path) -> None:
    con = alerts_db(["a1", "a2"])
    sent: list[str] = []
    up = False

    def notify(subject: str, body: str) -> None:
        if not up:
            raise ConnectionError("down")
        sent.append(subject)

    chat: list[str] = []
    channels = [DigestChannel("block", notify), CallableChannel("chat", chat.append)]
    first = deliver(con, channels, DeliveryLog(tmp_path / "d.jsonl"))
    assert first.failed == {
        "a1": "block: block failed (ConnectionError)",
        **{"a2": "block: block failed (ConnectionError)"},
    }
    assert chat == ["message a1", "message a2"]  # the other channel is not held back
    up = True
    second = deliver(con, channels, DeliveryLog(tmp_path / "d.jsonl"))
    assert second.delivered == 2 and sent == ["gapwatch: 2 new gap alerts for 2026-04-19"]
    assert chat == ["message a1", "message a2"]  # not sent twice
