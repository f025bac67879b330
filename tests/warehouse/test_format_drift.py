"""Format drift is news: an unseen label, an unknown column, a vanished registry.

The bundles are the shared new-layout bundle copied to tmp_path and edited here; the invented
label ("Weights on request") and column ("license_family") exist only in these tests.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cli.main import main
from pipeline.run import refresh
from pipeline.settings import Settings
from tests.warehouse.bundles import copy_bundle, make_settings, query, read_csv, write_csv

AS_OF = date(2026, 10, 1)
LABEL = "Weights on request"
COLUMN = "license_family"


def new_layout(shared: Path) -> Path:
    return shared / "epoch" / "2026-09-new-layout" / "benchmark_data"


def drifted_bundle(shared: Path, target: Path) -> tuple[Path, set[str]]:
    """The new-layout bundle with an invented column and, on 3 API rows, an invented label."""
    bundle = copy_bundle(new_layout(shared), target)
    path = bundle / "model_metadata.csv"
    columns, rows = read_csv(path)
    relabelled: set[str] = set()
    for row in rows:
        row[COLUMN] = "proprietary" if row["accessibility"] == "API access" else ""
        if row["accessibility"] == "API access" and len(relabelled) < 3:
            row["accessibility"] = LABEL
            relabelled.add(row["model_version"].strip())
    write_csv(path, [*columns, COLUMN], rows)
    return bundle, relabelled


def format_alerts(settings: Settings) -> list[str]:
    rows = query(
        settings,
        "select message from history.alerts where kind = 'source_format_changed' order by 1",
    )
    return [str(message) for (message,) in rows]


@pytest.fixture
def drifted(shared_data: Path, tmp_path: Path) -> tuple[Settings, set[str], Path]:
    bundle, relabelled = drifted_bundle(shared_data, tmp_path / "benchmark_data")
    settings = make_settings(tmp_path / "data").with_location("epoch", str(bundle))
    return settings, relabelled, bundle


def test_invented_label_and_column_raise_one_alert_and_lose_nothing(
    drifted: tuple[Settings, set[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    settings, relabelled, bundle = drifted

    result = refresh(settings, AS_OF)

    # the night completes: nothing quarantined, every file loaded
    assert result.ok, result.problems()
    [alert] = format_alerts(settings)
    assert "model_metadata.csv" in alert and COLUMN in alert and repr(LABEL) in alert
    assert [a.kind for a in result.alerts] == ["source_format_changed"]
    # nothing lost: every registry row landed, the new column kept in its JSON
    _, rows = read_csv(bundle / "model_metadata.csv")
    landed = query(
        settings,
        "select count(*), count(*) filter (where json_extract_string(extra, ?) = 'proprietary') "
        "from raw.epoch__benchmark_rows where file = 'model_metadata.csv'",
        [f"$.{COLUMN}"],
    )[0]
    assert landed == (len(rows), sum(1 for r in rows if r[COLUMN] == "proprietary"))
    # the relabelled versions are kept, with their label, and no status from the registry
    statuses = query(
        settings,
        "select model_version, accessibility, is_open, status_source from marts.models "
        "where epoch_accessibility = ?",
        [LABEL],
    )
    assert {str(r[0]) for r in statuses} == relabelled
    assert all(r[3] != "epoch_model_metadata" for r in statuses)
    assert all(r[2] is None or r[3] in ("override", "epoch_eci_scores") for r in statuses)
    # the rest of the registry still decides
    decided = query(
        settings, "select count(*) from marts.models where status_source = 'epoch_model_metadata'"
    )[0][0]
    assert decided > 900

    # `gapwatch status` shows it on top
    assert main(["status", "--db", str(settings.database)]) == 0
    titles = [line for line in capsys.readouterr().out.splitlines() if line.startswith("== ")]
    assert titles[0].startswith("== SOURCE FORMAT CHANGED")

    # the next night's bundle differs elsewhere (so it is parsed anew) but drifts the same way:
    # the change is recorded again, and no second alert is raised
    with (bundle / "README.md").open("a", encoding="utf-8") as readme:
        readme.write("\n")
    again = refresh(settings, date(2026, 10, 2))
    assert again.sources[0].status == "loaded"
    recorded = query(settings, "select count(distinct fetch_id) from raw.format_changes")
    assert recorded == [(2,)]
    assert [a.kind for a in again.alerts] == []
    assert len(format_alerts(settings)) == 1


def test_registry_gone_keeps_the_last_good_statuses_and_says_so(
    shared_data: Path, tmp_path: Path
) -> None:
    bundle = copy_bundle(new_layout(shared_data), tmp_path / "benchmark_data")
    settings = make_settings(tmp_path / "data").with_location("epoch", str(bundle))
    assert refresh(settings, AS_OF).ok
    before = query(settings, "select model_version, is_open, status_source from marts.models")

    (bundle / "model_metadata.csv").unlink()
    result = refresh(settings, date(2026, 10, 2))

    assert "model_metadata.csv" in result.sources[0].quarantined
    after = query(settings, "select model_version, is_open, status_source from marts.models")
    assert sorted(after, key=str) == sorted(before, key=str)
    [alert] = format_alerts(settings)
    assert "neither epoch_capabilities_index.csv nor model_metadata.csv" in alert
    assert "gpqa_diamond.csv" in alert  # the columns seen: the files the bundle does hold
