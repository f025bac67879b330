"""Every wait of a fetch is bounded: Retry-After, backoff, a slow-drip body, a silent server."""

from __future__ import annotations

import http.server
import time
from collections.abc import Callable
from typing import Any

import pytest

from extractors import http as gap_http
from extractors.base import SourceError
from extractors.http import WaitBudget, deadline, download, make_session
from extractors.limits import Limits
from tests.conftest import quiet_handler
from tests.faults.conftest import Start, ends


def counting(handler: Callable[[http.server.BaseHTTPRequestHandler], None]) -> tuple[type, list]:
    """A handler class running `handler` for every GET, and the list of request paths seen."""
    seen: list[str] = []

    class Handler(quiet_handler(http.server.BaseHTTPRequestHandler)):  # type: ignore[misc]
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            seen.append(self.path)
            handler(self)

    return Handler, seen


def too_many_requests(retry_after: str) -> Callable[[Any], None]:
    def handle(request: Any) -> None:
        request.send_response(429)
        request.send_header("Retry-After", retry_after)
        request.send_header("Content-Length", "0")
        request.end_headers()

    return handle


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every sleep between retries, recorded instead of slept (the logic, not the clock)."""
    slept: list[float] = []
    monkeypatch.setattr(gap_http.time, "sleep", slept.append)
    return slept


def test_a_day_long_retry_after_is_capped_by_the_sources_wait_budget(
    loopback_server: Start, waits: list[float]
) -> None:
    handler, seen = counting(too_many_requests("100000"))
    url = loopback_server(handler) + "/bundle.zip"
    session = make_session("gapwatch-test", retries=4, backoff_seconds=0.01)
    limits = Limits(retry_wait_seconds=3.0, timeout_seconds=5)

    with deadline(60, "source", WaitBudget(limits.retry_wait_seconds)):
        got = download(session, "epoch", url, limits)

    assert got.status == 429 and got.body is None  # the caller reports "answered HTTP 429"
    assert sum(waits) <= limits.retry_wait_seconds
    assert waits and max(waits) <= 3.0
    assert 1 <= len(seen) <= 5  # never more than the configured retries


def test_without_a_source_window_each_wait_is_still_capped(
    loopback_server: Start, waits: list[float]
) -> None:
    handler, _ = counting(too_many_requests("100000"))
    url = loopback_server(handler) + "/x"
    session = make_session("gapwatch-test", retries=2, backoff_seconds=0.01)
    download(session, "epoch", url, Limits(timeout_seconds=5))
    assert waits and max(waits) <= Limits().retry_wait_seconds


def test_a_retry_after_date_far_away_is_capped_too(
    loopback_server: Start, waits: list[float]
) -> None:
    handler, _ = counting(too_many_requests("Fri, 31 Dec 2100 23:59:59 GMT"))
    url = loopback_server(handler) + "/x"
    session = make_session("gapwatch-test", retries=3, backoff_seconds=0.01)
    with deadline(60, "source", WaitBudget(1.5)):
        download(session, "epoch", url, Limits(timeout_seconds=5))
    assert sum(waits) <= 1.5


def slow_drip(request: Any) -> None:
    """Headers at once, then one byte every 50 ms, for a body that would take an hour."""
    request.send_response(200)
    request.send_header("Content-Length", "72000")
    request.end_headers()
    try:
        for _ in range(72000):
            request.wfile.write(b"x")
            request.wfile.flush()
            time.sleep(0.05)
    except OSError:
        return  # the client hung up: what the deadline is for


def test_a_slow_drip_download_ends_at_its_deadline(loopback_server: Start) -> None:
    handler, _ = counting(slow_drip)
    url = loopback_server(handler) + "/bundle.zip"
    session = make_session("gapwatch-test", retries=0, backoff_seconds=0.01)
    # every single read arrives well within the socket timeout: only the deadline can end it
    limits = Limits(download_seconds=1.0, timeout_seconds=5)

    with pytest.raises(SourceError) as raised:
        ends(lambda: download(session, "epoch", url, limits))

    message = str(raised.value)
    assert message.startswith("epoch: GET ") and "1 s download deadline" in message
    assert "\n" not in message


def silent(request: Any) -> None:
    """Accepts the connection, reads the request, never answers."""
    time.sleep(30)


def test_a_server_that_never_answers_ends_at_the_source_deadline(loopback_server: Start) -> None:
    handler, _ = counting(silent)
    url = loopback_server(handler) + "/api"
    session = make_session("gapwatch-test", retries=3, backoff_seconds=0.01)
    limits = Limits(download_seconds=60, timeout_seconds=30, source_seconds=1.0)

    def fetch() -> object:
        with deadline(limits.source_seconds, "source"):
            return download(session, "aider", url, limits)

    with pytest.raises(SourceError, match=r"the source's 1 s deadline passed"):
        ends(fetch)


def test_a_body_over_the_byte_limit_is_refused_without_reading_it_all(
    loopback_server: Start,
) -> None:
    def big(request: Any) -> None:
        request.send_response(200)
        request.send_header("Content-Length", str(10_000_000))
        request.end_headers()
        try:
            for _ in range(100):
                request.wfile.write(b"x" * 100_000)
        except OSError:
            return

    handler, _ = counting(big)
    url = loopback_server(handler) + "/big"
    session = make_session("gapwatch-test", retries=0, backoff_seconds=0.01)
    with pytest.raises(
        SourceError, match=r"larger than the 200000 byte limit \(GAPWATCH_MAX_PAYLOAD_BYTES\)"
    ):
        download(session, "epoch", url, Limits(max_payload_bytes=200_000, timeout_seconds=5))
