"""Every source together on the real samples: identity, status across sources, per-source gaps,
index versions, and a drifting source that keeps its last good data while the others refresh."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from cli.main import main
from extractors import OBSERVATION_SOURCES, SOURCES
from pipeline.run import refresh
from pipeline.settings import Settings
from tests.conftest import epoch_dir
from tests.warehouse.bundles import make_settings, query

AS_OF = date(2026, 8, 20)


def samples(shared: Path) -> dict[str, Path]:
    board = shared / "leaderboards"
    return {
        "epoch": epoch_dir(shared, "2026-04-19"),
        "artificial_analysis": shared
        / "artificial_analysis"
        / "leaderboard_page_payload"
        / "2026-07-10"
        / "llms.json",
        "aider": board / "aider_polyglot" / "2025-10-04",
        "metr": board / "metr_time_horizons" / "2026-03-03",
        "weirdml": board / "weirdml" / "2026-08-17",
        "livebench": board / "livebench" / "2026-07-01",
        "lmarena": board / "lmarena" / "2026-07-04",
        "arc_prize": board / "arc_prize" / "2026-06-16",
        "epoch_ai_models": shared / "epoch" / "2026-03-30" / "ai_models.zip",
    }


def all_sources(data_dir: Path, shared: Path) -> Settings:
    settings = make_settings(data_dir)
    for source, location in samples(shared).items():
        settings = settings.with_location(source, str(location))
    return settings.only(*samples(shared))


@pytest.fixture
def warehouse(all_sources_warehouse: Settings) -> Settings:
    return all_sources_warehouse


def test_every_source_loads_and_lands_in_source_scores(warehouse: Settings) -> None:
    statuses = dict(query(warehouse, "select source, source_status from history.refresh_runs"))
    assert statuses == {name: "loaded" for name in statuses} and set(statuses) == set(SOURCES)
    counts = dict(query(warehouse, "select source, count(*) from marts.source_scores group by 1"))
    # every leaderboard lands there; Epoch's bundle and its AI Models database have own tables
    assert set(counts) == set(OBSERVATION_SOURCES) == set(statuses) - {"epoch", "epoch_ai_models"}
    # WeirdML: one avg_acc per row of its CSV (155 rows, no model listed twice)
    assert counts["weirdml"] == 155


def test_weirdml_value_by_hand(warehouse: Settings, shared_data: Path) -> None:
    path = samples(shared_data)["weirdml"] / "weirdml_data.csv"
    with open(path, encoding="utf-8") as handle:
        row = next(csv.DictReader(handle))
    [(score, released)] = query(
        warehouse,
        "select score, release_date from marts.source_scores "
        "where source = 'weirdml' and source_model = ?",
        [row["internal_model_name"]],
    )
    assert score == pytest.approx(float(row["avg_acc"]))
    assert released == date.fromisoformat(row["release_date"])


def test_status_across_sources_follows_the_precedence(warehouse: Settings) -> None:
    # an AA model Epoch labels too: Epoch wins, and a disagreement is listed as a conflict
    rows = query(
        warehouse,
        "select source_name, source_says, epoch_says, resolved_by "
        "from marts.accessibility_conflicts",
    )
    assert rows, "the real samples hold at least one disagreement"
    for _, source_says, epoch_says, resolved_by in rows:
        assert source_says != epoch_says
        assert resolved_by in ("epoch_capabilities_index", "override")
    # an AA name no Epoch model matches still gets AA's own flag
    [(flagged,)] = query(
        warehouse,
        "select count(*) from marts.source_scores where source = 'artificial_analysis' "
        "and model_id is null and status_source = 'artificial_analysis'",
    )
    assert flagged > 0


def test_gap_summary_has_a_source_column_and_compares_sources(
    warehouse: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    sources = {r[0] for r in query(warehouse, "select distinct source from marts.gap_summary")}
    assert {"epoch", "artificial_analysis", "weirdml"} <= sources
    assert main(["gaps", "--by-source", "--wide", "--db", str(warehouse.database)]) == 0
    out = capsys.readouterr().out
    assert "Data provided by Artificial Analysis" in out
    header = out.splitlines()[2].split()
    assert header[0] == "series" and header[1] == "epoch" and "artificial_analysis" in header
    # MMLU-Pro, tracked but absent from Epoch's bundle, comes from Artificial Analysis
    [(source,)] = query(
        warehouse, "select source from marts.benchmarks where benchmark_id = 'mmlu_pro'"
    )
    assert source == "artificial_analysis"


def test_unresolved_names_come_with_candidates(warehouse: Settings) -> None:
    rows = query(
        warehouse,
        "select source, candidates from marts.unresolved_models "
        "where source <> 'epoch' and reason like 'matches no Epoch model%'",
    )
    assert {r[0] for r in rows} >= {"artificial_analysis", "weirdml"}
    assert any(r[1] for r in rows)


def test_index_versions_stay_while_the_scale_stays(shared_data: Path, tmp_path: Path) -> None:
    payloads = shared_data / "artificial_analysis" / "leaderboard_page_payload"
    settings = make_settings(tmp_path / "data").only("artificial_analysis")

    def night(day: str) -> set[str]:
        refresh(
            settings.with_location("artificial_analysis", str(payloads / day / "llms.json")),
            date.fromisoformat(day),
        )
        return {
            r[0]
            for r in query(
                settings,
                "select distinct metric_version from raw.artificial_analysis__observations "
                "where metric = 'artificial_analysis_intelligence_index' and _fetch_id = "
                "(select max(fetch_id) from raw.batches where source = 'artificial_analysis')",
            )
        }

    june, july_9, july_10 = night("2026-06-01"), night("2026-07-09"), night("2026-07-10")
    assert len(june) == len(july_9) == len(july_10) == 1
    # AA rescaled its index between June and July (same components): a new version...
    assert june != july_9 and next(iter(july_9)).endswith("@2026-07-09")
    # ...which the next night, on the same scale, keeps
    assert july_10 == july_9


def test_a_drifting_source_keeps_its_last_good_data_and_the_others_refresh(
    shared_data: Path, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path / "data").only("epoch", "weirdml")
    first = settings.with_location("epoch", str(epoch_dir(shared_data, "2026-04-11")))
    first = first.with_location("weirdml", str(samples(shared_data)["weirdml"]))
    assert refresh(first, AS_OF).ok
    before = query(settings, "select source_model, score from marts.source_scores order by 1")
    epoch_before = query(settings, "select count(*) from marts.benchmark_scores")

    drifted = tmp_path / "weirdml"
    drifted.mkdir()
    text = (samples(shared_data)["weirdml"] / "weirdml_data.csv").read_text(encoding="utf-8")
    (drifted / "weirdml_data.csv").write_text(text.replace("avg_acc,", "mean_accuracy,", 1))
    second = first.with_location("epoch", str(epoch_dir(shared_data, "2026-04-19")))
    result = refresh(second.with_location("weirdml", str(drifted)), AS_OF)

    outcome = {o.source: o for o in result.sources}
    assert outcome["weirdml"].status == "failed"
    assert "weirdml" in str(outcome["weirdml"].message) and "avg_acc" in str(
        outcome["weirdml"].message
    )
    assert outcome["epoch"].status == "loaded"
    assert (
        query(settings, "select source_model, score from marts.source_scores order by 1") == before
    )
    assert query(settings, "select count(*) from marts.benchmark_scores") != epoch_before


def test_report_of_every_source_draws_the_core_timelines_and_credits_aa(
    warehouse: Settings, tmp_path: Path
) -> None:
    from report import write_report

    files = write_report(warehouse.database, tmp_path / "report", png=True)
    names = {p.name for p in files.pngs}
    core_crossed = {
        r[0]
        for r in query(
            warehouse,
            "select distinct benchmark_id from marts.crossings join marts.benchmarks "
            "using (benchmark_id) where is_core",
        )
    }
    timelines = {n.removeprefix("timeline-").removesuffix(".png") for n in names}
    assert core_crossed <= timelines
    assert not any("__" in t for t in timelines)  # no per-leaderboard-metric timelines
    page = files.html.read_text(encoding="utf-8")
    assert "Data provided by Artificial Analysis" in page
