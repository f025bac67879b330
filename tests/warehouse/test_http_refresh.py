"""Refreshes through real HTTP on 127.0.0.1: conditional GETs, retries, broken downloads."""

from __future__ import annotations

import hashlib
import http.server
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import format_datetime
from pathlib import Path

from pipeline.run import refresh
from pipeline.settings import Settings
from tests.conftest import epoch_dir, quiet_handler
from tests.warehouse.bundles import csv_data_rows, query, scores, zip_bundle

Starter = Callable[[type[http.server.BaseHTTPRequestHandler]], str]

SNAPSHOT = "2026-04-19"
ETAG = '"epoch-2026-04-19"'
LAST_MODIFIED = format_datetime(datetime(2026, 4, 19, 6, 0, tzinfo=UTC), usegmt=True)


@dataclass
class Served:
    """What the test server hands out, and every request it saw (header names lower-cased)."""

    body: bytes
    etag: str = ETAG
    last_modified: str = LAST_MODIFIED
    declared_length: int | None = None  # a Content-Length larger than the body cuts it short
    requests: list[dict[str, str]] = field(default_factory=list)


def bundle_handler(served: Served) -> type[http.server.BaseHTTPRequestHandler]:
    """Serves served.body with ETag and Last-Modified; answers 304 to a matching If-None-Match."""

    class BundleHandler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            headers = {name.lower(): value for name, value in self.headers.items()}
            served.requests.append(headers)
            if headers.get("if-none-match") == served.etag:
                self.send_response(304)
                self.send_header("ETag", served.etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/zip")
            self.send_header("Content-Length", str(served.declared_length or len(served.body)))
            self.send_header("ETag", served.etag)
            self.send_header("Last-Modified", served.last_modified)
            self.end_headers()
            self.wfile.write(served.body)
            self.close_connection = True

    return quiet_handler(BundleHandler)


def failing_handler(
    requests: list[dict[str, str]], status: int = 500
) -> type[http.server.BaseHTTPRequestHandler]:
    """Always answers `status` (HTTP 500 unless told)."""

    class FailingHandler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append({name.lower(): value for name, value in self.headers.items()})
            body = b"internal error"
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return quiet_handler(FailingHandler)


def payload_files(settings: Settings) -> list[Path]:
    return sorted(p for p in settings.raw_dir.rglob("*") if p.is_file())


def test_refresh_over_http_then_304_downloads_nothing(
    shared_data: Path, settings: Settings, loopback_server: Starter
) -> None:
    bundle_dir = epoch_dir(shared_data, SNAPSHOT)
    served = Served(zip_bundle(bundle_dir))
    url = loopback_server(bundle_handler(served)) + "/benchmark_data.zip"
    settings = settings.with_location("epoch", url)

    first = refresh(settings, date(2026, 4, 19))
    [outcome] = first.sources
    assert outcome.status == "loaded", outcome.message
    assert outcome.quarantined == {}
    assert outcome.bytes == len(served.body)
    assert outcome.rows == csv_data_rows(bundle_dir)
    landed = payload_files(settings)
    assert [p.read_bytes() for p in landed] == [served.body]
    assert landed[0].parent == settings.raw_dir / "epoch" / SNAPSHOT
    marts_before = scores(settings)
    assert marts_before

    second = refresh(settings, date(2026, 4, 20))
    [again] = second.sources
    assert again.status == "unchanged"
    assert again.bytes == 0
    assert again.ok

    assert len(served.requests) == 2
    assert "if-none-match" not in served.requests[0]
    assert served.requests[1]["if-none-match"] == ETAG
    assert served.requests[1]["if-modified-since"] == LAST_MODIFIED
    for request in served.requests:
        assert "gapwatch" in request["user-agent"]

    fetches = query(
        settings,
        "select http_status, bytes, status, changed, sha256, etag, last_modified, raw_path "
        "from raw.fetches order by fetch_id",
    )
    sha256 = hashlib.sha256(served.body).hexdigest()
    assert fetches[0][:7] == (200, len(served.body), "loaded", True, sha256, ETAG, LAST_MODIFIED)
    assert fetches[1][:4] == (304, 0, "unchanged", False)
    assert fetches[1][7] == str(landed[0])  # still points at the one stored payload
    assert payload_files(settings) == landed  # no new payload file under data/raw
    assert scores(settings) == marts_before


def test_http_500_that_persists_fails_after_retries(
    settings: Settings, loopback_server: Starter
) -> None:
    requests: list[dict[str, str]] = []
    url = loopback_server(failing_handler(requests)) + "/benchmark_data.zip"

    result = refresh(settings.with_location("epoch", url), date(2026, 4, 19))

    [outcome] = result.sources
    assert outcome.status == "failed"
    assert outcome.message is not None
    assert f"GET {url} answered HTTP 500 (after retries for 429 and 5xx)" in outcome.message
    assert len(requests) == settings.http_retries + 1 == 3
    assert not result.ok
    # the failed fetch keeps what the server last answered
    assert query(settings, "select http_status, status from raw.fetches") == [(500, "failed")]
    assert payload_files(settings) == []


def test_http_404_is_not_retried_and_its_status_is_recorded(
    settings: Settings, loopback_server: Starter
) -> None:
    requests: list[dict[str, str]] = []
    url = loopback_server(failing_handler(requests, 404)) + "/benchmark_data.zip"

    result = refresh(settings.with_location("epoch", url), date(2026, 4, 19))

    [outcome] = result.sources
    assert outcome.status == "failed"
    assert f"GET {url} answered HTTP 404; nothing was loaded" in str(outcome.message)
    assert len(requests) == 1  # a 4xx is an answer, not a hiccup: no retry
    fetches = query(settings, "select http_status, status, message from raw.fetches")
    assert fetches == [(404, "failed", outcome.message)]


def test_download_cut_short_fails_cleanly(
    shared_data: Path, settings: Settings, loopback_server: Starter
) -> None:
    body = zip_bundle(epoch_dir(shared_data, SNAPSHOT))
    half = body[: len(body) // 2]
    served = Served(half, declared_length=len(body))  # connection closes mid-body
    url = loopback_server(bundle_handler(served)) + "/benchmark_data.zip"

    result = refresh(settings.with_location("epoch", url), date(2026, 4, 19))

    [outcome] = result.sources
    assert outcome.status == "failed"
    assert outcome.message is not None
    assert "epoch" in outcome.message and "broke off" in outcome.message
    assert query(settings, "select status from raw.fetches") == [("failed",)]
    assert payload_files(settings) == []


def test_failed_payload_is_not_revalidated_with_its_etag(
    shared_data: Path, settings: Settings, loopback_server: Starter
) -> None:
    # the server keeps serving the same broken zip: the second night must say so again, not
    # send the broken payload's ETag, get a 304 and report "unchanged"
    body = zip_bundle(epoch_dir(shared_data, SNAPSHOT))
    served = Served(body[: len(body) // 2])
    settings = settings.with_location(
        "epoch", loopback_server(bundle_handler(served)) + "/benchmark_data.zip"
    )

    nights = [refresh(settings, date(2026, 4, day)).sources[0] for day in (18, 19)]

    assert [night.status for night in nights] == ["failed", "failed"]
    assert all("not a readable zip" in (night.message or "") for night in nights)
    assert len(served.requests) == 2
    assert "if-none-match" not in served.requests[1]
