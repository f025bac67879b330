"""The Epoch bundle in its September-2026 layout, refreshed as a user would: over HTTP.

The zip is built here from the shared folder (read in place) and served on 127.0.0.1. The
expected counts are computed from the bundle's own files with the csv module, never copied in.
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from pipeline.run import refresh
from pipeline.settings import Settings
from tests.conftest import PROJECT
from tests.warehouse.bundles import Built, make_settings, query, read_csv, zip_bundle
from tests.warehouse.test_http_refresh import Served, bundle_handler

Starter = Callable[[type[http.server.BaseHTTPRequestHandler]], str]
AS_OF = date(2026, 10, 1)


def new_layout_dir(shared: Path) -> Path:
    return shared / "epoch" / "2026-09-new-layout" / "benchmark_data"


@pytest.fixture(scope="module")
def new_layout(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """One refresh of the new-layout bundle, fetched over loopback HTTP (shared by the module)."""
    served = Served(zip_bundle(new_layout_dir(shared_data)))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), bundle_handler(served))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/benchmark_data.zip"
        data_dir = tmp_path_factory.mktemp("new-layout") / "data"
        settings = make_settings(data_dir).with_location("epoch", url)
        result = refresh(settings, AS_OF)
    finally:
        server.shutdown()
        server.server_close()
    assert len(served.requests) == 1
    return Built(settings, result)


def tracked_versions(settings: Settings) -> list[tuple[str, bool | None, str | None]]:
    return [
        (str(v), o, s)
        for v, o, s in query(
            settings,
            "select distinct models.model_version, models.is_open, models.status_source "
            "from marts.benchmark_scores as scores "
            "join marts.benchmarks as benchmarks using (benchmark_id) "
            "join marts.models as models using (model_version) where benchmarks.tracked",
        )
    ]


def test_new_layout_loads_every_file_and_the_registry(shared_data: Path, new_layout: Built) -> None:
    assert new_layout.result.ok, new_layout.result.problems()
    folder = new_layout_dir(shared_data)
    _, registry_rows = read_csv(folder / "model_metadata.csv")
    listed = {r["model_version"].strip() for r in registry_rows if r["model_version"].strip()}
    in_marts = {
        str(v)
        for (v,) in query(new_layout.settings, "select model_version from marts.models")
        if v is not None
    }
    assert listed <= in_marts
    decided = dict(
        query(new_layout.settings, "select model_version, status_source from marts.models")
    )
    labelled = {
        r["model_version"].strip()
        for r in registry_rows
        if r["model_version"].strip() and r["accessibility"].strip()
    }
    # every labelled registry version is decided by the registry, unless an override wins
    assert {decided[v] for v in labelled} == {"epoch_model_metadata", "override"}
    by_registry = {v for v, s in decided.items() if s == "epoch_model_metadata"}
    assert by_registry <= labelled and len(by_registry) > 0.95 * len(labelled)


def test_new_layout_resolves_tracked_versions_and_builds_gaps(new_layout: Built) -> None:
    versions = tracked_versions(new_layout.settings)
    resolved = [v for v in versions if v[1] is not None]
    assert len(versions) > 600
    assert len(resolved) / len(versions) >= 0.90, (len(resolved), len(versions))
    benchmarks = query(
        new_layout.settings,
        "select distinct gap_points.benchmark_id from marts.gap_points "
        "join marts.benchmarks using (benchmark_id) where benchmarks.tracked",
    )
    assert len(benchmarks) >= 10, benchmarks


@pytest.mark.parametrize(
    ("lineage", "versions"),
    [
        ("frontiermath", ["frontiermath", "frontiermath_tiers_1_3_v2"]),
        ("frontiermath_tier_4", ["frontiermath_tier_4", "frontiermath_tier_4_v2"]),
        ("weirdml", ["weirdml", "weirdml_v3"]),
    ],
)
def test_lineages_show_both_versions_never_merged(
    shared_data: Path, new_layout: Built, lineage: str, versions: list[str]
) -> None:
    rows = query(
        new_layout.settings,
        "select benchmark_id, file, version, superseded_by, is_current, tracked "
        "from marts.benchmarks where lineage_id = ? order by version",
        [lineage],
    )
    assert [r[0] for r in rows] == versions
    assert [r[4] for r in rows] == [False, True]  # the newest version is current
    assert rows[0][3] == versions[1] and rows[1][3] is None
    assert all(r[5] for r in rows)  # a tracked benchmark's successor is tracked too
    for benchmark, file in ((r[0], r[1]) for r in rows):
        _, csv_rows = read_csv(new_layout_dir(shared_data) / file)
        named = {r["Model version"].strip() for r in csv_rows if r["Model version"].strip()}
        stored = query(
            new_layout.settings,
            "select model_version, file from marts.benchmark_scores where benchmark_id = ?",
            [benchmark],
        )
        assert {str(v) for v, _ in stored} <= named and len(stored) > 0
        assert {f for _, f in stored} == {file}  # scores of one version only
        crossings = query(
            new_layout.settings,
            "select count(*) from marts.crossings where benchmark_id = ?",
            [benchmark],
        )
        assert crossings[0][0] > 0


def test_limited_access_is_excluded_from_both_sides(shared_data: Path, new_layout: Built) -> None:
    _, registry_rows = read_csv(new_layout_dir(shared_data) / "model_metadata.csv")
    limited = {
        r["model_version"].strip() for r in registry_rows if r["accessibility"] == "Limited access"
    }
    assert limited
    rows = query(
        new_layout.settings,
        "select model_version, accessibility, is_open, status_source from marts.models "
        "where accessibility = 'Limited access'",
    )
    assert {str(r[0]) for r in rows} == limited
    assert all(r[2] is None and r[3] == "epoch_model_metadata" for r in rows)


def test_ai_models_database_decides_what_the_bundle_leaves_blank(
    shared_data: Path, tmp_path: Path, loopback_server: Starter
) -> None:
    """Epoch's Data on AI Models, served over loopback as its public zip, is the next link."""
    served = Served((shared_data / "epoch" / "2026-03-30" / "ai_models.zip").read_bytes())
    base = loopback_server(bundle_handler(served))
    settings = (
        make_settings(tmp_path / "data")
        .with_location("epoch", str(new_layout_dir(shared_data)))
        .with_location("epoch_ai_models", f"{base}/ai_models.zip")
    )
    settings = replace(settings, sources=("epoch", "epoch_ai_models"))

    result = refresh(settings, AS_OF)

    assert result.ok, result.problems()
    # expected from the files: registry versions with a blank label whose model_group has a
    # label in all_ai_models.csv (names trimmed), and no override
    _, registry = read_csv(new_layout_dir(shared_data) / "model_metadata.csv")
    _, database = read_csv(shared_data / "epoch" / "2026-03-30" / "ai_models" / "all_ai_models.csv")
    _, eci = read_csv(new_layout_dir(shared_data) / "epoch_capabilities_index" / "eci_scores.csv")
    labelled: dict[str, str] = {}
    for row in database:
        labelled.setdefault(row["Model"].strip(), row["Model accessibility"].strip())
    eci_known = {r["Model"].strip() for r in eci if r["Model accessibility"] not in ("", "Unknown")}
    overridden = {
        r["model_version"]
        for r in read_csv(PROJECT / "transforms/seeds/accessibility_overrides.csv")[1]
    }
    expected = {
        r["model_version"].strip(): labelled[r["model_group"].strip()]
        for r in registry
        if r["model_version"].strip()
        and not r["accessibility"].strip()
        and labelled.get(r["model_group"].strip())
        and r["model_group"].strip() not in eci_known
        and r["model_version"].strip() not in overridden
    }
    decided = query(
        settings,
        "select model_version, accessibility from marts.models "
        "where status_source = 'epoch_ai_models'",
    )
    assert expected and dict(decided) == expected
    # a source that decided statuses is credited with the shared data
    from cli.main import main

    assert main(["export", "--data-dir", str(settings.data_dir)]) == 0
    out = next((settings.data_dir / "reports").glob("*/data/data.json"))
    credited = {e["source"] for e in json.loads(out.read_text(encoding="utf-8"))["attribution"]}
    assert credited == {"epoch", "epoch_ai_models"}


def test_crossings_command_names_the_lineage(
    new_layout: Built, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli.main import main

    assert main(["crossings", "frontiermath", "--db", str(new_layout.settings.database)]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("FrontierMath (tiers 1-3): lineage frontiermath (v1), ")
    assert "frontiermath_tiers_1_3_v2 (v2, current)" in first
    assert main(["crossings", "gpqa_diamond", "--db", str(new_layout.settings.database)]) == 0
    assert "lineage" not in capsys.readouterr().out.splitlines()[0]


def test_report_catalog_names_versions(new_layout: Built) -> None:
    from report.data import load
    from report.page import benchmark_table

    html = "".join(benchmark_table(load(new_layout.settings.database)))
    assert "(v1; superseded by weirdml_v3, the current version)" in html
    assert "(v3 of weirdml, current)" in html
    assert "(v2 of frontiermath, current)" in html
