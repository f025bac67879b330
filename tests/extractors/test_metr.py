"""extractors.metr: benchmark_results YAML (both layouts) in, p50/p80 horizon observations out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from extractors import metr
from extractors.base import OBSERVATION_FIELDS, SourceError
from extractors.http import make_session
from extractors.reader import Reader
from pipeline.settings import USER_AGENT
from tests.conftest import SHARED_DATA

FOLDER = SHARED_DATA / "leaderboards" / "metr_time_horizons"
SAMPLES = (
    "2025-11-02/benchmark_results.yaml",  # the older layout: metrics under agents.<agent>
    "2026-01-30/benchmark_results_1_0.yaml",
    "2026-01-30/benchmark_results_1_1.yaml",
    "2026-03-03/benchmark_results_1_1.yaml",
)


def parse_sample(relative: str) -> list[dict[str, str | None]]:
    path = FOLDER / relative
    return metr.parse({path.name: path.read_bytes()})


def metrics_of(result: dict[str, object]) -> dict[str, object]:
    if "metrics" in result:
        return result["metrics"]  # type: ignore[return-value]
    [agent] = result["agents"].values()  # type: ignore[attr-defined]
    return agent  # type: ignore[no-any-return]


def test_every_sample_is_covered(shared_data: Path) -> None:
    found = sorted(p.relative_to(FOLDER).as_posix() for p in FOLDER.rglob("*.yaml"))
    assert tuple(found) == SAMPLES


@pytest.mark.parametrize("relative", SAMPLES)
def test_two_horizons_per_model_versioned_by_benchmark_name(relative: str) -> None:
    doc = yaml.safe_load((FOLDER / relative).read_bytes())

    records = parse_sample(relative)

    expected = {
        (model, metric): metrics_of(result)[metric]["estimate"]  # type: ignore[index]
        for model, result in doc["results"].items()
        for metric in metr.METRICS
    }
    assert len(records) == len(expected) == 2 * len(doc["results"])
    for record in records:
        assert tuple(record) == OBSERVATION_FIELDS
        key = (record["model"] or "", record["metric"] or "")
        assert float(record["value"] or "nan") == expected[key]
        assert record["metric_version"] == doc["benchmark_name"]
        assert record["unit"] == "minutes"
        release = doc["results"][record["model"]]["release_date"]
        assert record["release_date"] == release.isoformat()


def test_v1_1_values_checked_by_hand() -> None:
    records = parse_sample("2026-03-03/benchmark_results_1_1.yaml")
    by_key = {(r["model"], r["metric"]): r for r in records}

    # results.claude_3_5_sonnet_20240620_inspect, the first model of the file
    p50 = by_key[("claude_3_5_sonnet_20240620_inspect", "p50_horizon_length")]
    assert (p50["value"], p50["metric_version"], p50["release_date"]) == (
        "11.395377",
        "METR-Horizon-v1.1",
        "2024-06-20",
    )
    extra = json.loads(p50["extra"] or "")
    assert (extra["ci_low"], extra["ci_high"], extra["average_score"], extra["is_sota"]) == (
        "5.441687",
        "22.516722",
        "0.401502",
        "true",
    )
    assert len(extra["scaffolds"]) == 5
    p80 = by_key[("claude_3_5_sonnet_20240620_inspect", "p80_horizon_length")]
    assert p80["value"] == "1.671757"
    # results.claude_3_7_sonnet_inspect
    assert by_key[("claude_3_7_sonnet_inspect", "p50_horizon_length")]["value"] == "60.388937"


def test_older_nested_layout_names_the_agent() -> None:
    records = parse_sample("2025-11-02/benchmark_results.yaml")
    by_key = {(r["model"], r["metric"]): r for r in records}

    # results.claude_3_7_sonnet.agents.flock-public
    record = by_key[("claude_3_7_sonnet", "p50_horizon_length")]
    assert (record["value"], record["metric_version"], record["release_date"]) == (
        "54.226342",
        "METR-Horizon-v1",
        "2025-02-24",
    )
    assert json.loads(record["extra"] or "") == {
        "agent": "flock-public",
        "average_score": "0.599681",
        "ci_high": "90.176206",
        "ci_low": "28.083337",
        "is_sota": "true",
    }


def test_several_agents_keep_the_best_and_record_the_others() -> None:
    doc = yaml.safe_load((FOLDER / "2025-11-02/benchmark_results.yaml").read_bytes())
    agents = doc["results"]["claude_3_opus"]["agents"]  # modular-public: p50 6.422825
    agents["weak-agent"] = {"p50_horizon_length": {"estimate": 1.5}}
    agents["strong-agent"] = {
        "p50_horizon_length": {"estimate": 9.25, "ci_low": 4.0, "ci_high": 20.0},
        "p80_horizon_length": {"estimate": 2.5},
    }

    records = metr.parse({"benchmark_results.yaml": yaml.safe_dump(doc).encode()})

    opus = {r["metric"]: r for r in records if r["model"] == "claude_3_opus"}
    assert (opus["p50_horizon_length"]["value"], opus["p80_horizon_length"]["value"]) == (
        "9.25",
        "2.5",
    )
    extra = json.loads(opus["p50_horizon_length"]["extra"] or "")
    assert extra["agent"] == "strong-agent"
    assert extra["other_agents"] == {"modular-public": "6.422825", "weak-agent": "1.5"}
    assert len(records) == 60  # still one value per (model, metric)


def test_directory_reads_the_newest_version(shared_data: Path) -> None:
    folder = FOLDER / "2026-01-30"  # holds benchmark_results_1_0.yaml and _1_1.yaml
    reader = Reader(metr.name, str(folder), make_session(USER_AGENT, 0, 0), 5, 10**8)

    files = metr.fetch(reader)

    assert list(files) == ["benchmark_results_1_1.yaml"]
    assert {r["metric_version"] for r in metr.parse(files)} == {"METR-Horizon-v1.1"}


def test_newest_file_orders_versions_numerically() -> None:
    names = ["benchmark_results.yaml", "benchmark_results_1_0.yaml", "notes.yaml"]
    assert metr.newest_file(names) == "benchmark_results_1_0.yaml"
    assert metr.newest_file([*names, "benchmark_results_1_1.yaml"]) == "benchmark_results_1_1.yaml"
    assert metr.newest_file(["benchmark_results_1_9.yaml", "benchmark_results_1_10.yaml"]) == (
        "benchmark_results_1_10.yaml"
    )
    assert metr.newest_file(["benchmark_results.yaml"]) == "benchmark_results.yaml"
    assert metr.newest_file(["notes.yaml"]) is None


def test_missing_results_is_a_layout_change() -> None:
    body = b"benchmark_name: METR-Horizon-v1.1\nmodels: {}\n"
    with pytest.raises(SourceError, match=r"^metr: x\.yaml has no `results` mapping"):
        metr.parse({"x.yaml": body})


@pytest.mark.parametrize(
    ("relative", "model"),
    [(SAMPLES[0], "claude_3_opus"), (SAMPLES[3], "gpt_4o_inspect")],
    ids=["nested", "v1.1"],
)
def test_model_without_p50_is_named(relative: str, model: str) -> None:
    doc = yaml.safe_load((FOLDER / relative).read_bytes())
    result = doc["results"][model]
    if "agents" in result:
        del result["agents"]["modular-public"]["p50_horizon_length"]
        expected = rf"^metr: b\.yaml result '{model}' has no agent with p50_horizon_length"
    else:
        del result["metrics"]["p50_horizon_length"]
        expected = rf"^metr: b\.yaml result '{model}' lacks p50_horizon_length\.estimate"

    with pytest.raises(SourceError, match=expected):
        metr.parse({"b.yaml": yaml.safe_dump(doc).encode()})
