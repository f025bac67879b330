"""One hostile file costs its source (or, for Epoch's bundle, its file) and nothing else: the
other sources refresh, the reason is one line in raw.fetches / raw.batches, and memory and
time stay bounded."""

from __future__ import annotations

import http.server
from dataclasses import replace
from datetime import date
from pathlib import Path

from pipeline.run import refresh
from pipeline.settings import Settings, from_env
from tests.conftest import SAMPLE_BUNDLE, quiet_handler
from tests.faults.conftest import SAMPLE_NIGHT, Start, ends, marts_checksum
from tests.faults.test_parse_limits import BILLION_LAUGHS
from tests.warehouse.bundles import copy_bundle, query

NIGHT = date(2026, 4, 21)


def with_aider(settings: Settings, location: str) -> Settings:
    """Epoch from the sample plus Aider from `location`, both refreshed."""
    both = settings.with_location("aider", location)
    return both.only("epoch", "aider")


def test_a_yaml_bomb_costs_only_its_source(warehouse: Settings, tmp_path: Path) -> None:
    bomb = tmp_path / "polyglot_leaderboard.yml"
    bomb.write_bytes(BILLION_LAUGHS)
    bundle = copy_bundle(SAMPLE_BUNDLE, tmp_path / "bundle")
    (bundle / "gpqa_diamond.csv").write_text(
        (bundle / "gpqa_diamond.csv").read_text().replace("0.41", "0.42")
    )
    settings = with_aider(warehouse.with_location("epoch", str(bundle)), str(bomb))

    result = ends(lambda: refresh(settings, NIGHT))

    by_source = {o.source: o for o in result.sources}
    assert by_source["epoch"].status == "loaded"
    assert by_source["aider"].status == "failed"
    assert "anchors and aliases are not allowed" in str(by_source["aider"].message)
    failed = query(settings, "select message from raw.fetches where source = 'aider'")
    assert len(failed) == 1 and "not readable YAML" in failed[0][0] and "\n" not in failed[0][0]
    runs = query(settings, "select source_status from history.refresh_runs where source = 'aider'")
    assert runs == [("failed",)]


def test_a_huge_csv_field_quarantines_only_its_file(warehouse: Settings, tmp_path: Path) -> None:
    before = query(
        warehouse,
        "select count(*) from marts.benchmark_scores where benchmark_id = 'mmlu'",
    )
    bundle = copy_bundle(SAMPLE_BUNDLE, tmp_path / "bundle")
    gpqa = bundle / "gpqa_diamond.csv"
    gpqa.write_text(gpqa.read_text() + 'open-evil,0.5,"' + "9" * 2_000_000 + '",2025-01-01,X,Y,0\n')
    mmlu = bundle / "mmlu_external.csv"
    mmlu.write_text(mmlu.read_text().replace("0.6", "0.61", 1))

    result = refresh(warehouse.with_location("epoch", str(bundle)), NIGHT)

    [line] = [p for p in result.problems() if "gpqa_diamond.csv" in p]
    assert "can't be read as CSV" in line and "line " in line
    status = dict(
        query(
            warehouse,
            "select file, status from raw.batches where fetch_id = "
            "(select max(fetch_id) from raw.fetches)",
        )
    )
    assert status["gpqa_diamond.csv"] == "quarantined"
    assert status["mmlu_external.csv"] == "passed"
    after = query(
        warehouse,
        "select count(*) from marts.benchmark_scores where benchmark_id = 'mmlu'",
    )
    assert after == before


def test_the_parse_limits_are_the_settings(warehouse: Settings, tmp_path: Path) -> None:
    """GAPWATCH_MAX_CSV_FIELD_BYTES and GAPWATCH_MAX_JSON_DEPTH reach every parser."""
    bundle = copy_bundle(SAMPLE_BUNDLE, tmp_path / "bundle")
    gpqa = bundle / "gpqa_diamond.csv"  # a 10 kB field: far under the default, over 4 kB
    gpqa.write_text(gpqa.read_text() + 'open-long,0.5,"' + "9" * 10_000 + '",2025-01-01,X,Y,0\n')
    runs = tmp_path / "polyglot_leaderboard.yml"  # hand-written: a list of mappings, depth 2
    runs.write_text("- model: m\n  pass_rate_2: 50.0\n")
    bounds = from_env({"GAPWATCH_MAX_CSV_FIELD_BYTES": "4096", "GAPWATCH_MAX_JSON_DEPTH": "1"})
    settings = replace(
        with_aider(warehouse.with_location("epoch", str(bundle)), str(runs)),
        max_csv_field_bytes=bounds.max_csv_field_bytes,
        max_json_depth=bounds.max_json_depth,
    )

    result = refresh(settings, NIGHT)

    [line] = [p for p in result.problems() if "gpqa_diamond.csv" in p]
    assert "can't be read as CSV" in line and "at most 4096 bytes" in line
    by_source = {o.source: o for o in result.sources}
    assert "nests deeper than 1 levels" in str(by_source["aider"].message)


def test_a_429_with_a_day_long_retry_after_costs_only_its_source(
    warehouse: Settings, tmp_path: Path, loopback_server: Start
) -> None:
    class Busy(quiet_handler(http.server.BaseHTTPRequestHandler)):  # type: ignore[misc]
        def do_GET(self) -> None:
            self.send_response(429)
            self.send_header("Retry-After", "100000")
            self.send_header("Content-Length", "0")
            self.end_headers()

    url = loopback_server(Busy) + "/polyglot_leaderboard.yml"
    bundle = copy_bundle(SAMPLE_BUNDLE, tmp_path / "bundle")
    (bundle / "gpqa_diamond.csv").write_text(
        (bundle / "gpqa_diamond.csv").read_text().replace("0.41", "0.43")
    )
    settings = replace(
        with_aider(warehouse.with_location("epoch", str(bundle)), url), retry_wait_seconds=1.0
    )

    result = ends(lambda: refresh(settings, NIGHT))

    by_source = {o.source: o for o in result.sources}
    assert by_source["epoch"].status == "loaded"
    assert by_source["aider"].status == "failed"
    message = str(by_source["aider"].message)
    assert "answered HTTP 429" in message
    assert "asked to wait '100000', past the 1 s retry-wait budget" in message


def test_a_zip_bomb_bundle_fails_its_source_and_keeps_the_marts(
    warehouse: Settings, tmp_path: Path
) -> None:
    import io
    import zipfile

    bomb = tmp_path / "bundle.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index in range(6):
            archive.writestr(f"file{index}.csv", b"0" * 1_000_000)
    bomb.write_bytes(buffer.getvalue())
    before = marts_checksum(warehouse.database)
    from dataclasses import replace

    settings = replace(warehouse.with_location("epoch", str(bomb)), max_expanded_bytes=2_000_000)

    result = refresh(settings, SAMPLE_NIGHT)  # the same night: only the failure could differ

    [outcome] = result.sources
    assert outcome.status == "failed" and "over 2000000" in str(outcome.message)
    assert marts_checksum(warehouse.database) == before
