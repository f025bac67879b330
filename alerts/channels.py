"""Deliver alerts: to the log always, and to each configured channel exactly once.

Each (alert, channel) delivery is recorded in history.alert_deliveries and, at once and fsynced,
in <data dir>/alerts/deliveries.jsonl, so a refresh that dies after sending but before its
warehouse swap does not send again. A failed channel leaves the alert undelivered with the
error, and the next run retries only what is missing.

Delivery is bounded: a webhook gets a short timeout and no retries of its own, and a channel
that fails `max_failures` times in a row is not tried again this night (a circuit breaker):
its remaining alerts stay undelivered, for the next night, instead of each waiting out the
timeout. A crash between a send and its record makes that one alert go out twice next night:
delivery is at least once, never silently lost.

Names in alerts come from upstream data. Each channel escapes them for its markup, so a model
called `<!channel>` or `*free*` is shown as written and pings or formats nothing.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import duckdb

from extractors import redact

if TYPE_CHECKING:  # requests loads with a webhook: a night without one never imports it
    import requests

log = logging.getLogger(__name__)


class DeliveryError(Exception):
    """A channel refused an alert; the message never contains the channel's URL or secret."""


class Channel(Protocol):
    name: str

    def send(self, alert_id: str, message: str, payload: dict[str, object]) -> None: ...


WEBHOOK_TIMEOUT_SECONDS = 5.0
MAX_FAILURES = 3


def slack_escape(text: str) -> str:
    """Slack's three control characters, so `<!channel>` or `<url|label>` in a name is inert."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_MARKDOWN_SPECIAL = "\\`*_[]<>~|"


def markdown_escape(text: str) -> str:
    """Backslash every Markdown control character (for notifiers that render Markdown)."""
    return "".join("\\" + c if c in _MARKDOWN_SPECIAL else c for c in text)


def plain_session() -> requests.Session:
    """A session without retries: a webhook is tried once per night per alert, quickly."""
    import requests

    return requests.Session()


@dataclass
class WebhookChannel:
    """A Slack-compatible incoming webhook: JSON POST with a `text` field, markup escaped.

    `mrkdwn: false` asks Slack to show the text as written; the escaping covers the rest.
    """

    url: str = field(repr=False)
    session: requests.Session = field(default_factory=plain_session, repr=False)
    timeout: float = WEBHOOK_TIMEOUT_SECONDS
    name: str = "webhook"

    def __post_init__(self) -> None:
        redact.register(self.url)  # whatever logs it from now on prints [redacted]

    def send(self, alert_id: str, message: str, payload: dict[str, object]) -> None:
        import requests

        body = {"text": slack_escape(message), "mrkdwn": False, "alert": payload}
        try:
            response = self.session.post(self.url, json=body, timeout=self.timeout)
        except requests.RequestException as error:
            # the exception text carries the URL, which may hold a secret token: not logged
            raise DeliveryError(f"webhook unreachable ({type(error).__name__})") from None
        if not 200 <= response.status_code < 300:
            raise DeliveryError(f"webhook answered HTTP {response.status_code}")


@dataclass
class CallableChannel:
    """Any notifier given as a function (a Prefect notification block, at the flow edge)."""

    name: str
    notify: Callable[[str], object]

    def send(self, alert_id: str, message: str, payload: dict[str, object]) -> None:
        try:
            self.notify(markdown_escape(message))
        except Exception as error:
            raise DeliveryError(f"{self.name} failed ({type(error).__name__})") from None


@dataclass
class DigestChannel:
    """A channel that takes a night's alerts as one message with a subject (a Prefect block)."""

    name: str
    notify: Callable[[str, str], object]  # (subject, body)

    def send(self, alert_id: str, message: str, payload: dict[str, object]) -> None:
        self.send_digest(*digest([markdown_escape(message)]))

    def send_digest(self, subject: str, body: str) -> None:
        try:
            self.notify(subject, body)
        except Exception as error:
            raise DeliveryError(f"{self.name} failed ({type(error).__name__})") from None


def digest(messages: Sequence[str], as_of: object = None) -> tuple[str, str]:
    """(subject, body) of one message carrying these alerts."""
    night = f" for {as_of}" if as_of is not None else ""
    count = f"{len(messages)} new gap alert{'s' if len(messages) != 1 else ''}"
    return f"gapwatch: {count}{night}", "\n".join(f"- {message}" for message in messages)


@dataclass
class DeliveryReport:
    delivered: int = 0
    failed: dict[str, str] = field(default_factory=dict)


class DeliveryLog:
    """Append-only record of every successful (alert, channel) delivery, outside the database."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.done: set[tuple[str, str]] = set()
        if path.exists():
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                try:
                    entry = json.loads(line) if line.strip() else None
                    if entry:
                        self.done.add((entry["alert_id"], entry["channel"]))
                except (ValueError, KeyError, TypeError):
                    # a line cut short by a crash or a full disk: that one delivery may repeat
                    log.warning("%s line %d is unreadable and was skipped", path, number)

    def record(self, alert_id: str, channel: str, at: datetime) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = {"alert_id": alert_id, "channel": channel, "delivered_at": at.isoformat()}
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(line) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        self.done.add((alert_id, channel))


def deliver(
    con: duckdb.DuckDBPyConnection,
    channels: Sequence[Channel],
    delivery_log: DeliveryLog,
    max_failures: int = MAX_FAILURES,
) -> DeliveryReport:
    """Send every undelivered alert to every channel that has not had it yet.

    A digest channel gets all of them at once, in one message, before the per-alert channels.
    A channel failing max_failures times in a row is not tried again in this call.
    """
    report = DeliveryReport()
    failures_in_a_row = {channel.name: 0 for channel in channels}
    pending = con.execute(
        "select alert_id, kind, benchmark_id, threshold, open_scope, open_model, closed_model, "
        "gap_months, message, as_of from history.alerts where delivered_at is null "
        "order by raised_at, alert_id"
    ).fetchall()
    digest_errors = _send_digests(
        con,
        [c for c in channels if isinstance(c, DigestChannel)],
        delivery_log,
        [(row[0], row[8], row[9]) for row in pending],
    )
    single = [c for c in channels if not isinstance(c, DigestChannel)]
    for row in pending:
        alert_id, kind, benchmark, threshold, scope, open_model, closed_model, gap, text, _ = row
        payload: dict[str, object] = {
            "alert_id": alert_id,
            "kind": kind,
            "benchmark_id": benchmark,
            "threshold": threshold,
            "open_scope": scope,
            "open_model": open_model,
            "closed_model": closed_model,
            "gap_months": gap,
        }
        errors = list(digest_errors.get(alert_id, []))
        for channel in single:
            if _already(con, delivery_log, alert_id, channel.name):
                continue
            if failures_in_a_row[channel.name] >= max_failures:
                errors.append(
                    f"{channel.name}: not tried, it failed {max_failures} times in a row "
                    "tonight (retried next run)"
                )
                continue
            try:
                channel.send(alert_id, text, payload)
            except DeliveryError as error:
                failures_in_a_row[channel.name] += 1
                errors.append(f"{channel.name}: {error}")
                continue
            failures_in_a_row[channel.name] = 0
            now = datetime.now(UTC)
            delivery_log.record(alert_id, channel.name, now)
            record_delivery(con, alert_id, channel.name, now)
        if errors:
            report.failed[alert_id] = "; ".join(errors)
            log.warning("alert %s not delivered: %s", alert_id, report.failed[alert_id])
            con.execute(
                "update history.alerts set delivery_error = ? where alert_id = ?",
                [report.failed[alert_id], alert_id],
            )
        else:
            report.delivered += 1
            con.execute(
                "update history.alerts set delivered_at = now(), delivery_error = null "
                "where alert_id = ?",
                [alert_id],
            )
    return report


def _send_digests(
    con: duckdb.DuckDBPyConnection,
    channels: Sequence[DigestChannel],
    delivery_log: DeliveryLog,
    pending: Sequence[tuple[str, str, object]],
) -> dict[str, list[str]]:
    """One message per digest channel with the alerts it lacks; errors by alert id."""
    errors: dict[str, list[str]] = {}
    for channel in channels:
        due = [(a, m, d) for a, m, d in pending if not _already(con, delivery_log, a, channel.name)]
        if not due:
            continue
        # notification blocks render Markdown: upstream names are escaped for it
        messages = [markdown_escape(m) for _, m, _ in due]
        subject, body = digest(messages, max(str(d) for _, _, d in due))
        try:
            channel.send_digest(subject, body)
        except DeliveryError as error:
            for alert_id, _, _ in due:
                errors.setdefault(alert_id, []).append(f"{channel.name}: {error}")
            continue
        now = datetime.now(UTC)
        for alert_id, _, _ in due:
            delivery_log.record(alert_id, channel.name, now)
            record_delivery(con, alert_id, channel.name, now)
    return errors


def record_delivery(
    con: duckdb.DuckDBPyConnection, alert_id: str, channel: str, when: object
) -> None:
    """One history.alert_deliveries row per alert and channel (a repeat adds nothing).

    Checked in the insert, not by "on conflict": a DuckLake warehouse keeps no keys.
    """
    con.execute(
        "insert into history.alert_deliveries select ?, ?, coalesce(?, now()) where not exists "
        "(select 1 from history.alert_deliveries where alert_id = ? and channel = ?)",
        [alert_id, channel, when, alert_id, channel],
    )


def _already(
    con: duckdb.DuckDBPyConnection, delivery_log: DeliveryLog, alert_id: str, channel: str
) -> bool:
    if (alert_id, channel) in delivery_log.done:
        record_delivery(con, alert_id, channel, None)
        return True
    found = con.execute(
        "select count(*) from history.alert_deliveries where alert_id = ? and channel = ?",
        [alert_id, channel],
    ).fetchall()[0][0]
    return bool(found)
