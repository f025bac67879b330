"""Old data never passes as new: a server's 304 is believed for a week at most, an earlier
night is loaded only on purpose (and raises no alerts), a replayed payload must hash right."""

from __future__ import annotations

import http.server
import os
import stat
from datetime import date, timedelta
from pathlib import Path

import pytest

from cli.main import main
from pipeline.run import refresh
from pipeline.settings import Settings
from tests.conftest import SAMPLE_BUNDLE, quiet_handler
from tests.faults.conftest import SAMPLE_NIGHT, Start, marts_checksum
from tests.warehouse.bundles import query, zip_bundle


class Stubborn:
    """Serves the sample bundle once, then answers 304 to every conditional request."""

    def __init__(self, start: Start) -> None:
        self.body = zip_bundle(SAMPLE_BUNDLE)
        self.conditional: list[bool] = []
        server = self

        class Handler(quiet_handler(http.server.BaseHTTPRequestHandler)):  # type: ignore[misc]
            def do_GET(self) -> None:
                asked = bool(self.headers.get("If-None-Match"))
                server.conditional.append(asked)
                if asked:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("ETag", '"v1"')
                self.send_header("Content-Length", str(len(server.body)))
                self.end_headers()
                self.wfile.write(server.body)

        self.url = start(Handler) + "/benchmark_data.zip"


def test_a_304_older_than_the_limit_gets_an_unconditional_fetch(
    tmp_path: Path, loopback_server: Start
) -> None:
    server = Stubborn(loopback_server)
    settings = Settings(sources=("epoch",), data_dir=tmp_path / "data", http_retries=0)
    settings = settings.with_location("epoch", server.url)
    first = date(2026, 4, 1)

    # the default limit, 7 days: its last night and the first night after it
    for offset in (0, 1, 7, 8):
        refresh(settings, first + timedelta(days=offset))

    # night 0 downloads; nights 1 and 7 are 304 (within 7 days); night 8 asks unconditionally
    assert settings.max_unchanged_days == 7
    assert server.conditional == [False, True, True, False]
    statuses = query(settings, "select http_status from raw.fetches order by fetch_id")
    assert [s for (s,) in statuses] == [200, 304, 304, 200]


def test_an_earlier_night_needs_replay(
    warehouse: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    before = marts_checksum(warehouse.database)
    argv = [
        "refresh",
        "--no-prefect",
        "--quiet",
        "--data-dir",
        str(warehouse.data_dir),
        "--source",
        f"epoch={SAMPLE_BUNDLE}",
        "--as-of",
        (SAMPLE_NIGHT - timedelta(days=30)).isoformat(),
    ]

    code = main(argv)

    err = capsys.readouterr().err
    assert code == 2
    assert f"is before the last night refreshed ({SAMPLE_NIGHT})" in err and "--replay" in err
    assert marts_checksum(warehouse.database) == before


def test_a_replay_loads_the_old_night_and_raises_no_alerts(
    warehouse: Settings, tmp_path: Path
) -> None:
    from dataclasses import replace

    [landed_path] = list(warehouse.raw_dir.rglob("payload-*"))  # this case's own copy
    landed = str(landed_path)
    newer = tmp_path / "newer"
    newer.mkdir()
    (newer / "b.zip").write_bytes(zip_bundle(SAMPLE_BUNDLE, {"gpqa_diamond.csv": None}))
    refresh(warehouse.with_location("epoch", str(newer / "b.zip")), SAMPLE_NIGHT + timedelta(1))

    result = refresh(replace(warehouse.with_location("epoch", landed), replay=True), SAMPLE_NIGHT)

    assert result.ok, result.problems()
    assert result.alerts == []
    assert query(warehouse, "select count(*) from history.alerts")[0][0] == 0
    assert (
        query(
            warehouse,
            "select count(*) from marts.benchmark_scores where benchmark_id = 'gpqa_diamond'",
        )[0][0]
        > 0
    )  # the replayed night is current again, as asked


def test_a_replayed_payload_that_no_longer_hashes_right_is_refused(
    warehouse: Settings,
) -> None:
    from dataclasses import replace

    [path] = list(warehouse.raw_dir.rglob("payload-*"))  # this case's own copy
    landed = str(path)
    os.chmod(path, stat.S_IWUSR | stat.S_IRUSR)
    path.write_bytes(path.read_bytes()[:-10] + b"0123456789")
    before = marts_checksum(warehouse.database)

    result = refresh(replace(warehouse.with_location("epoch", landed), replay=True), SAMPLE_NIGHT)

    [outcome] = result.sources
    assert outcome.status == "failed"
    assert "does not match its sha256" in str(outcome.message)
    assert marts_checksum(warehouse.database) == before
