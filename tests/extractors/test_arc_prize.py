"""extractors.arc_prize: the site's leaderboard JSON files in, (model, dataset) scores out."""

from __future__ import annotations

import http.server
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from extractors import arc_prize
from extractors.base import OBSERVATION_FIELDS, SourceError
from extractors.http import make_session
from extractors.reader import Reader
from pipeline.settings import USER_AGENT
from tests.conftest import SHARED_DATA, directory_handler

Starter = Callable[[type[http.server.BaseHTTPRequestHandler]], str]
FOLDER = SHARED_DATA / "leaderboards" / "arc_prize" / "2026-06-16"


def sample_files() -> dict[str, bytes]:
    return {file: (FOLDER / file).read_bytes() for file in (*arc_prize.LEADERBOARDS, "models.json")}


def reader_for(location: str) -> Reader:
    return Reader(arc_prize.name, location, make_session(USER_AGENT, 0, 0), 5, 10**8)


def test_only_one_snapshot_exists(shared_data: Path) -> None:
    assert [p.name for p in FOLDER.parent.iterdir()] == ["2026-06-16"]


def test_one_record_per_evaluation() -> None:
    files = sample_files()
    boards = {f: json.loads(files[f]) for f in arc_prize.LEADERBOARDS}

    records = arc_prize.parse(files)

    evaluations = [e for board in boards.values() for e in board["evaluations"]]
    assert len(records) == len(evaluations) == 154 + 156 + 7
    for record, evaluation in zip(records, evaluations, strict=True):
        assert tuple(record) == OBSERVATION_FIELDS
        assert (record["model"], record["metric"]) == (
            evaluation["modelId"],
            evaluation["datasetId"],
        )
        assert float(record["value"] or "nan") == evaluation["score"]
        assert record["unit"] == "fraction"
        assert record["organization"] == evaluation["providerDisplayName"]
    assert {r["metric_version"] for r in records} == {"v1", "v2", "v3"}
    # the human panel has no release date; three models more have none either
    assert sum(1 for r in records if r["release_date"] is None) == 4


def test_values_checked_by_hand() -> None:
    records = arc_prize.parse(sample_files())
    found = {(r["model"], r["metric"]): r for r in records}

    # leaderboard/v2.json, modelId gemini_3_deep_think_022026: a release timestamp at 16:13 UTC
    deep_think = found[("gemini_3_deep_think_022026", "v2_Semi_Private")]
    assert deep_think == {
        **deep_think,
        "model_display": "Gemini 3 Deep Think (2/26)",
        "metric_version": "v2",
        "value": "0.8458",
        "release_date": "2026-02-12",
        "organization": "Google",
    }
    extra = json.loads(deep_think["extra"] or "")
    assert (extra["costPerTask"], extra["generated_at"], extra["model_release_timestamp"]) == (
        "13.6213",
        "2026-06-04T23:48:19.915Z",
        "2026-02-12T16:13:00.000Z",
    )
    # leaderboard/v2.json, first evaluation: the human panel scores 1 (an integer in the file)
    human = found[("2025_human_panel", "v2_Semi_Private")]
    assert (human["value"], human["release_date"], human["organization"]) == ("1", None, "Human")
    # leaderboard/v3.json, first evaluation: v3 names its cost `cost`
    opus = found[("anthropic-opus-4-6-max-effort", "v3_Semi_Private")]
    assert (opus["value"], opus["release_date"]) == ("0.0051", "2025-12-17")
    assert json.loads(opus["extra"] or "")["cost"] == "8866.2"


def test_models_json_adds_notes() -> None:
    records = arc_prize.parse(sample_files())
    # models.json: claude-opus-4-6-thinking-120K-low has a note on its evaluation settings
    [*with_note] = [r for r in records if r["model"] == "claude-opus-4-6-thinking-120K-low"]
    assert with_note
    for record in with_note:
        assert "120K thinking budget" in json.loads(record["extra"] or "")["notes"]


def test_duplicate_evaluations_are_kept_as_published() -> None:
    records = arc_prize.parse(sample_files())
    # leaderboard/v2.json lists gpt-5-2025-08-07-low twice, identically
    twice = [r for r in records if r["model"] == "gpt-5-2025-08-07-low"]
    assert [r["value"] for r in twice if r["metric"] == "v2_Semi_Private"] == ["0.0194", "0.0194"]


def test_fetch_from_the_directory() -> None:
    assert arc_prize.fetch(reader_for(str(FOLDER))) == sample_files()


def test_fetch_from_the_base_url(loopback_server: Starter) -> None:
    base = loopback_server(directory_handler(FOLDER))

    files = arc_prize.fetch(reader_for(base + "/"))

    assert files == sample_files()


def test_evaluation_without_score_is_named() -> None:
    files = sample_files()
    board = json.loads(files["leaderboard/v2.json"])
    del board["evaluations"][5]["score"]
    files["leaderboard/v2.json"] = json.dumps(board).encode()

    with pytest.raises(
        SourceError, match=r"^arc_prize: leaderboard/v2\.json evaluation 6 lacks \['score'\]"
    ):
        arc_prize.parse(files)


def test_board_without_evaluations_is_a_layout_change() -> None:
    files = sample_files()
    board = json.loads(files["leaderboard/v1.json"])
    board["results"] = board.pop("evaluations")
    files["leaderboard/v1.json"] = json.dumps(board).encode()

    with pytest.raises(SourceError, match=r"^arc_prize: leaderboard/v1\.json has no `evaluations`"):
        arc_prize.parse(files)
    with pytest.raises(SourceError, match=r"^arc_prize: payload has no leaderboard/v<N>\.json"):
        arc_prize.parse({"models.json": files["models.json"]})
