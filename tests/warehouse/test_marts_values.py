"""Single values in the marts checked by hand against the 2026-04-19 CSVs (read with csv)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb
import pytest

from tests.conftest import PROJECT, epoch_dir
from tests.warehouse.bundles import WHITESPACE, Built, copy_warehouse, query, read_csv
from transforms.runner import run_marts

SNAPSHOT = "2026-04-19"
MODEL_SQL = """
select is_open, status_source, accessibility, epoch_accessibility, in_registry
from marts.models where model_version = ?
"""


@pytest.fixture(scope="module")
def built(snapshot_warehouse: Callable[[str], Built]) -> Built:
    return snapshot_warehouse(SNAPSHOT)


@pytest.fixture(scope="module")
def bundle(shared_data: Path) -> Path:
    return epoch_dir(shared_data, SNAPSHOT)


def rows_of(bundle: Path, file: str, version: str) -> list[dict[str, str]]:
    return [row for row in read_csv(bundle / file)[1] if row["Model version"] == version]


def registry_label(bundle: Path, version: str) -> str:
    [row] = rows_of(bundle, "epoch_capabilities_index.csv", version)
    return row["Model accessibility"]


def score_row(built: Built, benchmark_id: str, version: str) -> tuple[object, ...]:
    [row] = query(
        built.settings,
        "select score, release_date, rows_collapsed, source_row, is_open, scale "
        "from marts.benchmark_scores where benchmark_id = ? and model_version = ?",
        [benchmark_id, version],
    )
    return row


def test_gpqa_score_and_release_date_match_the_csv(built: Built, bundle: Path) -> None:
    version = "claude-3-5-sonnet-20240620"
    [row] = rows_of(bundle, "gpqa_diamond.csv", version)  # one row: nothing to collapse

    score, release_date, rows_collapsed, *_ = score_row(built, "gpqa_diamond", version)

    assert score == float(row["Best score (across scorers)"])
    assert release_date == date.fromisoformat(row["Release date"])
    assert rows_collapsed == 1


@pytest.mark.parametrize(
    "version", ["DeepSeek-V3.2-Exp", "Qwen2.5-Coder-32B-Instruct"], ids=["one-row", "two-rows"]
)
def test_aider_percent_is_stored_as_a_fraction(built: Built, bundle: Path, version: str) -> None:
    rows = rows_of(bundle, "aider_polyglot_external.csv", version)
    percents = [float(row["Percent correct"]) for row in rows]

    score, _, rows_collapsed, _, _, scale = score_row(built, "aider_polyglot", version)

    assert score == pytest.approx(max(percents) / 100)
    assert 0 < score < 1
    assert (rows_collapsed, scale) == (len(rows), "fraction")
    [(unit, mart_scale)] = query(
        built.settings,
        "select unit, scale from marts.benchmarks where benchmark_id = ?",
        ["aider_polyglot"],
    )
    assert (unit, mart_scale) == ("percent", "fraction")


@pytest.mark.parametrize(
    ("version", "label", "is_open"),
    [
        ("DeepSeek-R1", "Open weights (unrestricted)", True),
        ("claude-3-5-sonnet-20240620", "API access", False),
    ],
    ids=["open-weights", "api-access"],
)
def test_accessibility_label_decides_is_open(
    built: Built, bundle: Path, version: str, label: str, is_open: bool
) -> None:
    assert registry_label(bundle, version) == label

    [model] = query(built.settings, MODEL_SQL, [version])

    assert model == (is_open, "epoch_capabilities_index", label, label, True)
    assert score_row(built, "gpqa_diamond", version)[4] is is_open


def test_seeded_override_labels_a_version_epoch_left_blank(built: Built, bundle: Path) -> None:
    version = "gpt-5.4-mini-2026-03-17_high"
    assert registry_label(bundle, version) == ""
    [override] = [
        row
        for row in read_csv(PROJECT / "transforms" / "seeds" / "accessibility_overrides.csv")[1]
        if row["model_version"] == version
    ]

    [model] = query(built.settings, MODEL_SQL, [version])

    assert model == (False, "override", override["accessibility"], None, True)


@pytest.mark.parametrize(
    ("override", "version"),
    [
        (("DeepSeek-R1", "", "API access"), "DeepSeek-R1"),
        (("", "Llama 2-70B", "API access"), "Llama-2-70b-hf"),
    ],
    ids=["by-model-version", "by-model-name"],
)
def test_override_wins_over_epochs_label(
    built: Built, bundle: Path, tmp_path: Path, override: tuple[str, str, str], version: str
) -> None:
    [registry_row] = [
        row
        for row in read_csv(bundle / "epoch_capabilities_index.csv")[1]
        if row["Model version"].strip(WHITESPACE) == version
    ]
    label = registry_row["Model accessibility"]
    assert label.startswith("Open weights")
    if not override[0]:
        assert registry_row["Model name"] == override[1]
    settings = copy_warehouse(built, tmp_path / "data")

    with duckdb.connect(str(settings.database)) as con:
        con.execute(
            "insert into seeds.accessibility_overrides values (?, ?, ?, 'test', 'https://x.test')",
            list(override),
        )
        run_marts(con, {"as_of": date.fromisoformat(SNAPSHOT)})

    [model] = query(settings, MODEL_SQL, [version])
    assert model == (False, "override", "API access", label, True)


def test_registry_name_with_trailing_space_still_joins(built: Built, bundle: Path) -> None:
    padded = [
        row
        for row in read_csv(bundle / "epoch_capabilities_index.csv")[1]
        if row["Model version"].startswith("Llama-2-70b-hf")
    ]
    assert [row["Model version"] for row in padded] == ["Llama-2-70b-hf "]
    mmlu = [float(row["EM"]) for row in rows_of(bundle, "mmlu_external.csv", "Llama-2-70b-hf ")]

    [model] = query(built.settings, MODEL_SQL, ["Llama-2-70b-hf"])
    score, _, rows_collapsed, _, is_open, _ = score_row(built, "mmlu", "Llama-2-70b-hf")

    label = padded[0]["Model accessibility"]
    assert model == (True, "epoch_capabilities_index", label, label, True)
    assert (score, rows_collapsed, is_open) == (max(mmlu), len(mmlu), True)
    assert query(
        built.settings,
        "select count(*) from marts.models where model_version like 'Llama-2-70b-hf%'",
    ) == [(1,)]


def test_terminalbench_rows_collapse_to_the_best_per_version(built: Built, bundle: Path) -> None:
    _, rows = read_csv(bundle / "terminalbench_external.csv")
    by_version: dict[str, list[tuple[int, float]]] = {}
    for number, row in enumerate(rows, start=1):
        version = row["Model version"].strip(WHITESPACE)
        if version and row["Accuracy mean"].strip():
            by_version.setdefault(version, []).append((number, float(row["Accuracy mean"])))
    version = "gemini-3-pro-preview"
    scored = by_version[version]
    best = max(score for _, score in scored)
    first_best_row = min(number for number, score in scored if score == best)

    score, _, rows_collapsed, source_row, *_ = score_row(built, "terminalbench", version)

    assert len(scored) > 1
    assert (score, rows_collapsed, source_row) == (best, len(scored), first_best_row)
    [(versions, rows_in_mart)] = query(
        built.settings,
        "select count(distinct model_version), count(*) from marts.benchmark_scores "
        "where benchmark_id = 'terminalbench'",
    )
    assert versions == rows_in_mart == len(by_version)
