"""extractors.locations, reader and http: the one fetch every source goes through."""

from __future__ import annotations

import hashlib
import http.server
import io
import os
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from extractors import epoch, weirdml
from extractors.base import Payload, Previous, SourceError
from extractors.http import make_session
from extractors.locations import fetch_payload, zip_directory, zip_files
from pipeline.settings import USER_AGENT
from tests.conftest import SAMPLE_BUNDLE, epoch_dir, quiet_handler

Starter = Callable[[type[http.server.BaseHTTPRequestHandler]], str]


def fetch_location(
    location: str, retries: int = 0, previous: Previous | None = None, max_bytes: int = 100
) -> Payload:
    session = make_session(USER_AGENT, retries, 0.01 if retries else 0)
    return fetch_payload(epoch, location, session, previous or Previous(), 5, max_bytes)


def copy_tree(source: Path, target: Path) -> Path:
    for path in source.rglob("*"):
        if path.is_file():
            destination = target / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(path.read_bytes())
            os.utime(destination, (1_000_000_000, 1_000_000_000))  # other timestamps
    return target


def test_zip_directory_is_deterministic(shared_data: Path, tmp_path: Path) -> None:
    directory = epoch_dir(shared_data, "2026-04-19")
    copy = copy_tree(directory, tmp_path / "elsewhere" / "benchmark_data")

    first, second, of_copy = zip_directory(directory), zip_directory(directory), zip_directory(copy)

    assert first == second == of_copy
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(of_copy).hexdigest()


def test_zip_directory_holds_every_file_under_its_relative_name(shared_data: Path) -> None:
    directory = epoch_dir(shared_data, "2026-03-09")
    files = {p.relative_to(directory).as_posix(): p for p in directory.rglob("*") if p.is_file()}

    with zipfile.ZipFile(io.BytesIO(zip_directory(directory))) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        assert set(names) == set(files)
        assert "additional_eci_data/eci_scaling.csv" in names
        for name, path in files.items():
            assert archive.read(name) == path.read_bytes()


def test_directory_location_is_zipped(shared_data: Path) -> None:
    payload = fetch_location(str(SAMPLE_BUNDLE), max_bytes=10**8)

    assert (payload.source, payload.http_status, payload.suffix) == ("epoch", None, ".zip")
    assert payload.body == zip_directory(SAMPLE_BUNDLE)
    assert payload.fetched_at.tzinfo is not None


def test_an_archive_location_is_landed_as_it_came(tmp_path: Path) -> None:
    path = tmp_path / "benchmark_data.zip"
    path.write_bytes(b"PK not really")

    payload = fetch_location(str(path))

    assert (payload.body, payload.suffix, payload.location) == (b"PK not really", ".zip", str(path))


def test_files_a_source_read_are_landed_as_one_deterministic_zip(tmp_path: Path) -> None:
    path = tmp_path / "weirdml_data.csv"
    path.write_bytes(b"a,b\n1,2\n")

    payload = fetch_payload(weirdml, str(path), make_session(USER_AGENT, 0, 0), Previous(), 5, 100)

    assert payload.body == zip_files({"weirdml_data.csv": b"a,b\n1,2\n"})


def test_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "benchmark_data.zip"
    path.write_bytes(b"x" * 101)

    with pytest.raises(
        SourceError, match=r"larger than the 100 byte limit \(GAPWATCH_MAX_PAYLOAD_BYTES\)"
    ):
        fetch_location(str(path))


def test_missing_location_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="neither a URL, a file nor a directory"):
        fetch_location(str(tmp_path / "nope"))


def handler_answering(status: int, body: bytes, seen: list[dict[str, str]]) -> type:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append({k.lower(): v for k, v in self.headers.items()})
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return quiet_handler(Handler)


def test_session_names_gapwatch_and_sends_conditional_headers(loopback_server: Starter) -> None:
    seen: list[dict[str, str]] = []
    url = loopback_server(handler_answering(304, b"", seen)) + "/benchmark_data.zip"
    previous = Previous("abc", '"v1"', "Sun, 19 Apr 2026 06:00:00 GMT")

    payload = fetch_location(url, previous=previous)

    assert payload.not_modified
    assert (payload.http_status, payload.etag, payload.last_modified) == (
        304,
        '"v1"',
        previous.last_modified,
    )
    [request] = seen
    assert request["user-agent"] == USER_AGENT and "gapwatch" in USER_AGENT
    assert request["if-none-match"] == '"v1"'
    assert request["if-modified-since"] == previous.last_modified


def test_client_error_is_not_retried(loopback_server: Starter) -> None:
    seen: list[dict[str, str]] = []
    url = loopback_server(handler_answering(404, b"gone", seen)) + "/benchmark_data.zip"

    with pytest.raises(SourceError, match=r"^epoch: GET .* answered HTTP 404"):
        fetch_location(url, retries=3)

    assert len(seen) == 1


def test_download_over_the_size_limit_is_refused(loopback_server: Starter) -> None:
    url = loopback_server(handler_answering(200, b"x" * 5_000, [])) + "/benchmark_data.zip"

    with pytest.raises(
        SourceError, match=r"is larger than the 1000 byte limit \(GAPWATCH_MAX_PAYLOAD_BYTES\)"
    ):
        fetch_location(url, max_bytes=1_000)
