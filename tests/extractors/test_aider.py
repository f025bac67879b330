"""extractors.aider: the polyglot leaderboard YAML in, one pass_rate_2 observation per run out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from extractors import aider
from extractors.base import OBSERVATION_FIELDS, SourceError
from extractors.http import make_session
from extractors.reader import Reader
from pipeline.settings import USER_AGENT
from tests.conftest import SHARED_DATA

SNAPSHOTS = ("2025-05-26", "2025-10-04")
FOLDER = SHARED_DATA / "leaderboards" / "aider_polyglot"


def sample(snapshot: str) -> Path:
    return FOLDER / snapshot / aider.FILE


def test_every_snapshot_is_covered(shared_data: Path) -> None:
    assert tuple(sorted(p.name for p in FOLDER.iterdir())) == SNAPSHOTS


@pytest.mark.parametrize("snapshot", SNAPSHOTS)
def test_one_record_per_run_with_its_pass_rate(snapshot: str) -> None:
    body = sample(snapshot).read_bytes()
    entries = yaml.safe_load(body)

    records = aider.parse({aider.FILE: body})

    assert len(records) == len(entries)
    for record, entry in zip(records, entries, strict=True):
        assert tuple(record) == OBSERVATION_FIELDS
        assert record["model"] == entry["model"]
        assert float(record["value"] or "nan") == entry["pass_rate_2"]
        assert (record["metric"], record["unit"], record["release_date"]) == (
            "pass_rate_2",
            "percent",
            None,
        )
        assert json.loads(record["extra"] or "")["eval_date"] == entry["date"].isoformat()


def test_record_values_checked_by_hand() -> None:
    records = aider.parse({aider.FILE: sample("2025-10-04").read_bytes()})
    by_run = {json.loads(r["extra"] or "")["dirname"]: r for r in records}

    # first entry of the 2025-10-04 file (dirname 2025-02-25-20-23-07--gemini-pro)
    first = by_run["2025-02-25-20-23-07--gemini-pro"]
    assert (first["model"], first["value"]) == ("Gemini 2.0 Pro exp-02-05", "35.6")
    assert json.loads(first["extra"] or "") == {
        "command": "aider --model gemini/gemini-2.0-pro-exp-02-05",
        "dirname": "2025-02-25-20-23-07--gemini-pro",
        "edit_format": "whole",
        "eval_date": "2025-02-25",
        "pass_rate_1": "20.4",
        "percent_cases_well_formed": "100.0",
        "test_cases": "225",
        "total_cost": "0.0000",  # as written in the file, not 0.0
        "versions": "0.75.2.dev",
    }
    # a run with a reasoning effort (dirname 2025-06-25-21-04-24--o3-price-reduction-high)
    o3 = by_run["2025-06-25-21-04-24--o3-price-reduction-high"]
    assert (o3["model"], o3["value"]) == ("o3 (high)", "81.3")
    extra = json.loads(o3["extra"] or "")
    assert (extra["reasoning_effort"], extra["total_cost"], extra["edit_format"]) == (
        "high",
        "21.2259",
        "diff",
    )


def test_thinking_tokens_are_kept() -> None:
    entries = yaml.safe_load(sample("2025-10-04").read_bytes())
    thinking = {
        e["dirname"]: str(e["thinking_tokens"])
        for e in entries
        if e.get("thinking_tokens") is not None
    }
    assert len(thinking) == 5

    records = aider.parse({aider.FILE: sample("2025-10-04").read_bytes()})

    kept = {
        extra["dirname"]: extra["thinking_tokens"]
        for extra in (json.loads(r["extra"] or "") for r in records)
        if "thinking_tokens" in extra
    }
    assert kept == thinking


def test_fetch_reads_the_file_in_place() -> None:
    reader = Reader(aider.name, str(sample("2025-05-26")), make_session(USER_AGENT, 0, 0), 5, 10**8)

    assert aider.fetch(reader) == {aider.FILE: sample("2025-05-26").read_bytes()}


def test_entry_without_pass_rate_2_is_named() -> None:
    entries = yaml.safe_load(sample("2025-05-26").read_bytes())
    del entries[3]["pass_rate_2"]
    broken = yaml.safe_dump(entries).encode()

    with pytest.raises(SourceError, match=r"^aider: .* entry 4 \(.*\) lacks \['pass_rate_2'\]"):
        aider.parse({aider.FILE: broken})


def test_not_a_list_is_a_layout_change() -> None:
    with pytest.raises(SourceError, match=r"^aider: .* is not a YAML list of runs"):
        aider.parse({aider.FILE: b"models: {}\n"})
    with pytest.raises(SourceError, match=r"^aider: payload has no polyglot_leaderboard\.yml"):
        aider.parse({})
