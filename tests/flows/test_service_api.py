"""The service's calls to the Prefect REST API (flows/service.api), against a loopback server
this test starts: a busy server's 503 is retried (Prefect's SQLite database locked under load
answers so, and `gapwatch service trigger` failed on it), a 404 is None, a 500 is raised."""

from __future__ import annotations

import http.server
import json
import urllib.error
from collections.abc import Callable

import pytest

from tests.conftest import quiet_handler

Start = Callable[[type[http.server.BaseHTTPRequestHandler]], str]


def answering(codes: list[int], posts: list[bytes]) -> type[http.server.BaseHTTPRequestHandler]:
    """A handler answering each POST with the next code of `codes` (200 carries a JSON body)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            posts.append(self.rfile.read(int(self.headers["Content-Length"])))
            code = codes.pop(0)
            body = json.dumps({"id": "run-1"}).encode() if code == 200 else b"{}"
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return quiet_handler(Handler)


def test_a_busy_servers_503_is_retried_and_the_post_repeated(loopback_server: Start) -> None:
    from flows.service import api

    posts: list[bytes] = []
    url = loopback_server(answering([503, 200], posts))
    assert api(url, "/deployments/d/create_flow_run", {"x": 1}) == {"id": "run-1"}
    assert posts == [b'{"x": 1}', b'{"x": 1}']  # the same request again, after the first delay


def test_not_found_is_none_and_a_server_error_is_raised_at_once(loopback_server: Start) -> None:
    from flows.service import api

    posts: list[bytes] = []
    url = loopback_server(answering([404, 500], posts))
    assert api(url, "/deployments/name/x/y", {}) is None
    with pytest.raises(urllib.error.HTTPError, match="500"):
        api(url, "/flow_runs/filter", {})
    assert len(posts) == 2  # neither was retried
