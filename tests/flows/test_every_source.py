"""The user's default night: `gapwatch refresh` with every source and no Artificial Analysis key.

Both run paths (the Prefect flow, on a configured server, and --no-prefect) run the same steps: the
credential check skips Artificial Analysis, with one line, before its fetch could be retried.
The flow runs with its real retry delays (30 s, 2 min, 10 min): a skipped source that reached
the retried fetch would hold the night for minutes and fail it; here the night succeeds.
"""

from __future__ import annotations

import http.server
import os
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest

from cli.main import main
from extractors import SOURCES, artificial_analysis
from tests.conftest import quiet_handler
from tests.flows.nightly_env import guard_network
from tests.warehouse.test_sources import samples

pytestmark = pytest.mark.long

Starter = Callable[[type[http.server.BaseHTTPRequestHandler]], str]
AS_OF = date(2026, 8, 20)


class Asked:
    """Every request the loopback AA API received."""

    def __init__(self) -> None:
        self.paths: list[str] = []


@pytest.fixture
def aa_api(loopback_server: Starter, shared_data: Path) -> Iterator[tuple[str, Asked]]:
    """A loopback stand-in for the AA API serving the shared API sample (to a keyed request)."""
    body = (shared_data / "artificial_analysis" / "api_v2" / "2026-07-09").glob("*.json")
    payload = next(iter(sorted(body))).read_bytes()
    asked = Asked()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.paths.append(self.path)
            status = 200 if self.headers.get(artificial_analysis.KEY_HEADER) else 401
            self.send_response(status)
            self.send_header("Content-Length", str(len(payload) if status == 200 else 0))
            self.end_headers()
            if status == 200:
                self.wfile.write(payload)

    base = loopback_server(quiet_handler(Handler))
    yield base + "/api/v2/data/llms/models", asked


@pytest.fixture
def user_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The user's environment: no GAPWATCH_* at all, so the flow's real retry delays hold."""
    saved = dict(os.environ)
    for name in [n for n in os.environ if n.startswith("GAPWATCH_")]:
        monkeypatch.delenv(name)
    guard_network(monkeypatch)
    yield
    # `gapwatch refresh` sets Prefect's defaults in os.environ for the flow: put it all back
    for name in set(os.environ) - set(saved):
        del os.environ[name]
    os.environ.update(saved)


def every_source(shared_data: Path, aa_url: str) -> list[str]:
    locations = {
        **{k: str(v) for k, v in samples(shared_data).items()},
        "artificial_analysis": aa_url,
    }
    assert set(locations) == set(SOURCES), "every registered source takes part"
    return [
        arg for name, location in locations.items() for arg in ("--source", f"{name}={location}")
    ]


def statuses(database: Path) -> dict[str, tuple[str, str, str | None]]:
    with duckdb.connect(str(database), read_only=True) as con:
        found = con.execute(
            "select source, status, source_status, message from history.refresh_runs"
        ).fetchall()
    return {
        source: (status, source_status, message) for source, status, source_status, message in found
    }


@pytest.mark.usefixtures("prefect_backend", "user_env")
@pytest.mark.parametrize("path", [[], ["--no-prefect"]], ids=["prefect", "no-prefect"])
def test_default_night_without_an_aa_key_skips_it_and_succeeds(
    path: list[str],
    shared_data: Path,
    tmp_path: Path,
    aa_api: tuple[str, Asked],
    capsys: pytest.CaptureFixture[str],
    request: pytest.FixtureRequest,
) -> None:
    if not path:  # the flow runs where a Prefect server is configured: this session's
        request.getfixturevalue("on_prefect_server")
    aa_url, asked = aa_api
    data_dir = tmp_path / "data"
    args = ["refresh", "--as-of", AS_OF.isoformat(), "--data-dir", str(data_dir), "--quiet"]

    code = main([*args, *every_source(shared_data, aa_url), *path])

    out, err = capsys.readouterr()
    assert code == 0, err
    found = statuses(data_dir / "gapwatch.duckdb")
    assert set(found) == set(SOURCES)
    assert {status for status, _, _ in found.values()} == {"succeeded"}
    assert found["artificial_analysis"][1:] == (
        "skipped",
        "artificial_analysis: no API key (set GAPWATCH_AA_API_KEY); skipped",
    )
    loaded = {source for source, (_, status, _) in found.items() if status == "loaded"}
    assert loaded == set(SOURCES) - {"artificial_analysis"}
    # the credential check ends the source before its fetch: the API was never asked
    assert asked.paths == []
    assert "artificial_analysis: skipped" in out


@pytest.mark.usefixtures("user_env")
def test_with_the_key_the_same_api_loads(
    shared_data: Path,
    tmp_path: Path,
    aa_api: tuple[str, Asked],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    aa_url, asked = aa_api
    monkeypatch.setenv(artificial_analysis.KEY_VARIABLE, "made-up-test-key")
    data_dir = tmp_path / "data"
    args = ["refresh", "--as-of", AS_OF.isoformat(), "--data-dir", str(data_dir), "--quiet"]

    code = main([*args, "--source", f"artificial_analysis={aa_url}", "--no-prefect"])

    assert code == 0, capsys.readouterr().err
    assert statuses(data_dir / "gapwatch.duckdb")["artificial_analysis"][1] == "loaded"
    assert asked.paths == ["/api/v2/data/llms/models"]
