"""One model identity across sources: tricky real pairs that must stay apart or merge.

The registry is Epoch's real 2026-04-19 capabilities index; the source names are spelled the
way Artificial Analysis, WeirdML and other leaderboards spell them.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.conftest import epoch_dir
from transforms.python.model_aliases import Matcher, normalize, split_effort


@pytest.fixture(scope="module")
def matcher(shared_data: Path) -> Matcher:
    path = epoch_dir(shared_data, "2026-04-19") / "epoch_capabilities_index.csv"
    with open(path, encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    versions = [(r["Model version"].strip(), r["Model name"] or None) for r in rows]
    return Matcher(versions, {("aider", "Some Local Name"): "gpt-4-1-2025-04-14"})


def model_id(matcher: Matcher, name: str, display: str | None = None) -> str | None:
    return matcher.match("leaderboard", name, display)["model_id"]


@pytest.mark.parametrize(
    "names",
    [
        ("gpt-4o", "gpt-4o-mini"),
        ("o1", "o1-mini", "o1-preview"),
        ("claude-3-5-sonnet-20240620", "claude-3-5-sonnet-20241022"),
        ("Qwen3-235B-A22B", "Qwen3-235B-A22B-Thinking-2507"),
        ("DeepSeek-R1", "DeepSeek-R1-0528"),
    ],
    ids=["4o-vs-mini", "o1-family", "sonnet-snapshots", "qwen-thinking", "r1-0528"],
)
def test_different_models_never_merge(matcher: Matcher, names: tuple[str, ...]) -> None:
    ids = [model_id(matcher, n) for n in names]
    resolved = [i for i in ids if i is not None]
    assert len(set(resolved)) == len(resolved), dict(zip(names, ids, strict=True))


def test_an_undated_name_with_several_snapshots_matches_nothing(matcher: Matcher) -> None:
    # Epoch holds gpt-4o-2024-05-13, -08-06 and -11-20: "gpt-4o" could be any of them
    row = matcher.match("artificial_analysis", "gpt-4o", "GPT-4o")
    assert row["model_id"] is None
    assert row["candidates"] and "gpt-4o-2024-11-20" in row["candidates"]


def test_effort_variants_of_one_model_merge_across_sources(matcher: Matcher) -> None:
    epoch_high = matcher.match("epoch", "o3-2025-04-16_high", None)
    epoch_low = matcher.match("epoch", "o3-2025-04-16_low", None)
    aa = matcher.match("artificial_analysis", "o3", "o3 (high)")
    weirdml = matcher.match("weirdml", "o3:high", None)
    assert {r["model_id"] for r in (epoch_high, epoch_low, aa, weirdml)} == {"o3-2025-04-16"}
    assert [r["effort"] for r in (epoch_high, epoch_low, aa, weirdml)] == [
        "high",
        "low",
        "high",
        "high",
    ]
    assert epoch_high["method"] == "exact" and aa["method"] == "normalized"


def test_provider_prefix_and_token_budget_are_stripped(matcher: Matcher) -> None:
    row = matcher.match("weirdml", "openai/gpt-oss-120b_16K", None)
    assert (row["model_id"], row["effort"]) == ("gpt-oss-120b", "16k")


def test_alias_file_wins(matcher: Matcher) -> None:
    row = matcher.match("aider", "Some Local Name", None)
    assert (row["model_id"], row["method"]) == ("gpt-4-1-2025-04-14", "alias file")


@pytest.mark.parametrize(
    ("name", "base", "effort"),
    [
        ("o3-2025-04-16_xhigh", "o3-2025-04-16", "xhigh"),
        ("gemini-2.5-pro_32K", "gemini-2.5-pro", "32k"),
        ("claude-fable-5:max", "claude-fable-5", "max"),
        ("gpt-oss-20b (high)", "gpt-oss-20b", "high"),
        ("Qwen3 Max", "Qwen3 Max", None),  # a model's name, not an effort
        ("kimi-k2-thinking", "kimi-k2-thinking", None),
    ],
)
def test_split_effort(name: str, base: str, effort: str | None) -> None:
    assert split_effort(name) == (base, effort)


def test_normalize_folds_case_separators_and_provider() -> None:
    assert normalize("fireworks/Kimi K2.5") == "kimi-k2-5"
    assert normalize("GPT-4o (Nov '24)") == "gpt-4o-nov-24"
