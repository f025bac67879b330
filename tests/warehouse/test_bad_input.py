"""Bad input on top of a good load: a clear error, and the previous marts stay as they were.

The good load is the 2026-04-11 snapshot; the bad input is the 2026-04-19 snapshot broken in
one way each, so the files that are still fine visibly move on to their newer data.
"""

from __future__ import annotations

import http.server
import json
import logging
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from cli.main import main
from pipeline.run import RefreshResult, refresh
from pipeline.settings import Settings
from tests.conftest import epoch_dir, quiet_handler
from tests.warehouse.bundles import (
    WHITESPACE,
    Built,
    copy_bundle,
    copy_warehouse,
    query,
    read_csv,
    scores,
    write_csv,
    zip_bundle,
)

pytestmark = pytest.mark.long

GOOD = "2026-04-11"
NEW = "2026-04-19"
AS_OF = date(2026, 4, 19)
GPQA = "gpqa_diamond.csv"
GPQA_SCORE = "Best score (across scorers)"


@pytest.fixture
def baseline(snapshot_warehouse: Callable[[str], Built]) -> Built:
    return snapshot_warehouse(GOOD)


@pytest.fixture
def warehouse(baseline: Built, tmp_path: Path) -> Settings:
    """A private copy of the good warehouse for this test to refresh on top of."""
    return copy_warehouse(baseline, tmp_path / "data")


@pytest.fixture
def new_bundle(shared_data: Path, tmp_path: Path) -> Path:
    """A writable copy of the newer snapshot, for the test to break."""
    return copy_bundle(epoch_dir(shared_data, NEW), tmp_path / "benchmark_data")


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, no_report: None) -> Iterator[None]:
    """The CLI reads settings from GAPWATCH_*: fast retries, nothing inherited; logging restored.

    No report is published (`no_report`): these tests check the data, the exit code and the
    messages; publishing the page has tests of its own.
    """
    for name in ("GAPWATCH_DB", "GAPWATCH_DATA_DIR", "GAPWATCH_EPOCH_LOCATION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GAPWATCH_HTTP_RETRIES", "2")
    monkeypatch.setenv("GAPWATCH_HTTP_BACKOFF", "0.01")
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:], root.level = handlers, level


def refresh_from(settings: Settings, location: Path | str) -> RefreshResult:
    return refresh(settings.with_location("epoch", str(location)), AS_OF)


def refresh_args(settings: Settings, location: Path | str) -> list[str]:
    """`gapwatch refresh` of the epoch source from location into the settings' data dir.

    Without Prefect: these tests are about validation and quarantine; the flow path has its
    own tests in tests/flows.
    """
    return [
        "refresh",
        "--no-prefect",
        "--data-dir",
        str(settings.data_dir),
        "--as-of",
        AS_OF.isoformat(),
        "--source",
        f"epoch={location}",
        "--quiet",
    ]


def newest_fetch(settings: Settings) -> tuple[int, str, str | None]:
    [row] = query(
        settings, "select fetch_id, status, message from raw.fetches order by fetch_id desc limit 1"
    )
    return row


def assert_nothing_loaded(settings: Settings, baseline: Built) -> None:
    fetch_id, status, _ = newest_fetch(settings)
    assert status == "failed"
    for table in ("raw.batches", "raw.epoch__benchmark_rows"):
        column = "_fetch_id" if table.endswith("rows") else "fetch_id"
        assert query(settings, f"select count(*) from {table} where {column} = ?", [fetch_id]) == [
            (0,)
        ]
    assert scores(settings) == scores(baseline.settings)


def assert_kept_old_scores(settings: Settings, baseline: Built, benchmark_id: str) -> None:
    kept = scores(settings, benchmark_id)
    assert kept, f"{benchmark_id} vanished from the marts"
    assert kept == scores(baseline.settings, benchmark_id)


def assert_moved_on(settings: Settings, new_bundle: Path, benchmark_id: str, file: str) -> None:
    """The file's scores come from the newest fetch and hold exactly the versions of its CSV."""
    fetch_id, _, _ = newest_fetch(settings)
    rows = scores(settings, benchmark_id)
    assert {row[4] for row in rows} == {fetch_id}
    expected = {row["Model version"].strip(WHITESPACE) for row in read_csv(new_bundle / file)[1]}
    assert {row[1] for row in rows} == expected - {""}


def edit_csv(path: Path, edit: Callable[[list[str], list[dict[str, str]]], None]) -> list[str]:
    columns, rows = read_csv(path)
    edit(columns, rows)
    write_csv(path, columns, rows)
    return columns


def test_truncated_zip_fails_the_fetch(
    baseline: Built,
    warehouse: Settings,
    shared_data: Path,
    tmp_path: Path,
    cli_env: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    body = zip_bundle(epoch_dir(shared_data, NEW))
    truncated = tmp_path / "benchmark_data.zip"
    truncated.write_bytes(body[: len(body) // 2])

    code = main(refresh_args(warehouse, truncated))

    assert code == 1
    out, err = capsys.readouterr()
    assert "epoch: failed" in out
    assert "epoch: payload is not a readable zip" in err and "truncated download" in err
    assert "the marts keep the last good data" in err
    assert_nothing_loaded(warehouse, baseline)


def test_zip_member_escaping_the_archive_is_refused(
    baseline: Built, warehouse: Settings, shared_data: Path, tmp_path: Path
) -> None:
    evil = b"Model version,Score\nevil-model,0.5\n"
    zipped = tmp_path / "benchmark_data.zip"
    zipped.write_bytes(zip_bundle(epoch_dir(shared_data, NEW), {"../evil.csv": evil}))

    result = refresh_from(warehouse, zipped)

    [outcome] = result.sources
    assert outcome.status == "failed"
    assert outcome.message is not None
    assert "'../evil.csv'" in outcome.message and "path traversal" in outcome.message
    assert outcome.message.startswith("epoch: ")
    assert result.problems() == [outcome.message]  # named once, not "epoch: epoch: ..."
    assert_nothing_loaded(warehouse, baseline)
    assert not (tmp_path / "evil.csv").exists()


@pytest.mark.parametrize(
    ("column", "bad_value", "check", "shown_as"),
    [
        (GPQA_SCORE, "7.3", "score above the range of its unit", "score_text"),
        ("Release date", "2031-01-15", "release date is after the as-of date", "release_date_text"),
    ],
    ids=["score-7.3-on-a-fraction", "released-in-2031"],
)
def test_bad_row_quarantines_its_file_only(
    baseline: Built,
    warehouse: Settings,
    new_bundle: Path,
    cli_env: None,
    capsys: pytest.CaptureFixture[str],
    column: str,
    bad_value: str,
    check: str,
    shown_as: str,
) -> None:
    _, rows = read_csv(new_bundle / GPQA)
    row_number = 5  # the fifth data row of the file
    version = rows[row_number - 1]["Model version"]

    def break_row(columns: list[str], rows: list[dict[str, str]]) -> None:
        rows[row_number - 1][column] = bad_value

    edit_csv(new_bundle / GPQA, break_row)

    code = main(refresh_args(warehouse, new_bundle))

    assert code == 1
    out, err = capsys.readouterr()
    assert "epoch: partial" in out
    fetch_id, _, _ = newest_fetch(warehouse)
    [(reason,)] = query(
        warehouse,
        "select reason from raw.batches where fetch_id = ? and status = 'quarantined'",
        [fetch_id],
    )
    assert reason.startswith(f"{GPQA}: {check}")
    assert f"row_number={row_number}" in reason and repr(version) in reason
    assert f"gapwatch: epoch: quarantined {GPQA}: {reason}" in err.splitlines()
    fetch_id, status, _ = newest_fetch(warehouse)
    assert status == "partial"
    batches = dict(
        query(warehouse, "select file, status from raw.batches where fetch_id = ?", [fetch_id])
    )
    assert batches.pop(GPQA) == "quarantined"
    assert set(batches.values()) <= {"passed", "warned"}
    [(severity, offending)] = query(
        warehouse,
        "select severity, offending_rows from raw.validations "
        "where fetch_id = ? and file = ? and expectation = ?",
        [fetch_id, GPQA, check],
    )
    assert severity == "error"
    [bad] = json.loads(offending)
    assert (bad["row_number"], bad["model_version"], bad[shown_as]) == (
        row_number,
        version,
        bad_value,
    )
    assert_kept_old_scores(warehouse, baseline, "gpqa_diamond")
    assert_moved_on(warehouse, new_bundle, "frontiermath", "frontiermath.csv")


def test_renamed_score_column_quarantines_the_file(
    baseline: Built, warehouse: Settings, new_bundle: Path
) -> None:
    renames = {GPQA_SCORE: "Top score", "mean_score": "average score"}

    def rename(columns: list[str], rows: list[dict[str, str]]) -> None:
        columns[:] = [renames.get(c, c) for c in columns]
        for row in rows:
            for old, new in renames.items():
                row[new] = row.pop(old)

    edit_csv(new_bundle / GPQA, rename)

    result = refresh_from(warehouse, new_bundle)

    [outcome] = result.sources
    assert outcome.status == "partial"
    assert list(outcome.quarantined) == [GPQA]
    reason = outcome.quarantined[GPQA]
    assert reason.startswith(f"epoch: {GPQA} has none of the expected score columns")
    assert f"[{GPQA_SCORE!r}]" in reason and "'Top score'" in reason
    fetch_id, _, _ = newest_fetch(warehouse)
    assert query(
        warehouse,
        "select status, reason from raw.batches where fetch_id = ? and file = ?",
        [fetch_id, GPQA],
    ) == [("quarantined", reason)]
    assert_kept_old_scores(warehouse, baseline, "gpqa_diamond")
    assert_moved_on(warehouse, new_bundle, "frontiermath", "frontiermath.csv")


def test_row_loss_quarantines_tracked_and_warns_untracked(
    baseline: Built, warehouse: Settings, new_bundle: Path
) -> None:
    untracked = ("chess_puzzles", "chess_puzzles.csv")
    assert query(
        baseline.settings,
        "select tracked from marts.benchmarks where benchmark_id in (?, ?) order by benchmark_id",
        [untracked[0], "gpqa_diamond"],
    ) == [(False,), (True,)]
    kept: dict[str, int] = {}
    for file in (GPQA, untracked[1]):
        before = len(scores(baseline.settings, file.removesuffix(".csv")))

        def keep_half(columns: list[str], rows: list[dict[str, str]]) -> None:
            del rows[len(rows) // 2 :]

        edit_csv(new_bundle / file, keep_half)
        kept[file] = len(read_csv(new_bundle / file)[1])
        assert kept[file] < 0.8 * before  # more than 20% of the versions gone

    result = refresh_from(warehouse, new_bundle)

    [outcome] = result.sources
    assert list(outcome.quarantined) == [GPQA]
    assert "lost more than 20% of its model versions" in outcome.quarantined[GPQA]
    fetch_id, _, _ = newest_fetch(warehouse)
    [(status, reason)] = query(
        warehouse,
        "select status, reason from raw.batches where fetch_id = ? and file = ?",
        [fetch_id, untracked[1]],
    )
    assert status == "warned"
    assert "lost more than 20% of its model versions" in reason
    assert_kept_old_scores(warehouse, baseline, "gpqa_diamond")
    assert_moved_on(warehouse, new_bundle, *untracked)  # a warning lets the file through


def test_tracked_file_missing_from_the_bundle_is_quarantined(
    baseline: Built, warehouse: Settings, new_bundle: Path
) -> None:
    (new_bundle / "gsm8k_external.csv").unlink()

    result = refresh_from(warehouse, new_bundle)

    [outcome] = result.sources
    assert outcome.quarantined == {"gsm8k_external.csv": "tracked file missing from this bundle"}
    assert_kept_old_scores(warehouse, baseline, "gsm8k")
    assert_moved_on(warehouse, new_bundle, "frontiermath", "frontiermath.csv")


def test_http_500_keeps_the_marts_and_exits_1(
    baseline: Built,
    warehouse: Settings,
    loopback_server: Callable[[type[http.server.BaseHTTPRequestHandler]], str],
    cli_env: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    seen: list[str] = []

    class Failing(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            self.send_response(500)
            self.send_header("Content-Length", "0")
            self.end_headers()

    url = loopback_server(quiet_handler(Failing)) + "/benchmark_data.zip"

    code = main(refresh_args(warehouse, url))

    assert code == 1
    _, err = capsys.readouterr()
    assert f"epoch: GET {url} answered HTTP 500" in err
    assert len(seen) == 3  # GAPWATCH_HTTP_RETRIES=2: the first try and two retries
    assert newest_fetch(warehouse)[1] == "failed"
    assert scores(warehouse) == scores(baseline.settings)


def test_unscored_registry_row_with_a_future_date_is_caught(
    baseline: Built, warehouse: Settings, new_bundle: Path
) -> None:
    registry = "epoch_capabilities_index.csv"
    _, rows = read_csv(new_bundle / registry)
    row_number = next(i for i, r in enumerate(rows, 1) if not r["ECI Score"].strip())

    def future(columns: list[str], rows: list[dict[str, str]]) -> None:
        rows[row_number - 1]["Release date"] = "2031-06-01"

    edit_csv(new_bundle / registry, future)
    result = refresh_from(warehouse, new_bundle)
    assert registry in result.sources[0].quarantined
    assert "release date is after the as-of date" in result.sources[0].quarantined[registry]
    assert f"row_number={row_number}" in result.sources[0].quarantined[registry]


@pytest.mark.parametrize("damage", ["missing", "label-column-renamed"])
def test_capabilities_index_can_not_silently_drop_out(
    baseline: Built, warehouse: Settings, new_bundle: Path, damage: str
) -> None:
    registry = "epoch_capabilities_index.csv"
    statuses_before = query(
        warehouse, "select count(*) from marts.models where is_open is not null"
    )
    if damage == "missing":
        (new_bundle / registry).unlink()
    else:
        text = (new_bundle / registry).read_text(encoding="utf-8-sig")
        (new_bundle / registry).write_text(text.replace("Model accessibility", "Accessibility", 1))
    result = refresh_from(warehouse, new_bundle)
    assert registry in result.sources[0].quarantined
    assert not result.ok
    # statuses come from the last good index: nothing turned NULL
    after = query(warehouse, "select count(*) from marts.models where is_open is not null")
    assert after[0][0] >= statuses_before[0][0]
