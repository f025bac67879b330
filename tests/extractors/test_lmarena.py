"""extractors.lmarena: the three board layouts (+ scatterplot metadata) in, Elo observations out."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from extractors import lmarena
from extractors.base import OBSERVATION_FIELDS, SourceError
from extractors.http import make_session
from extractors.reader import Reader
from pipeline.settings import USER_AGENT
from tests.conftest import SHARED_DATA

SNAPSHOTS = ("2025-08-04", "2025-12-11", "2026-07-04")
FOLDER = SHARED_DATA / "leaderboards" / "lmarena"


def folder_files(snapshot: str) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((FOLDER / snapshot).iterdir())}


def by_key(records: list[dict[str, str | None]]) -> dict[tuple[str, str], dict[str, str | None]]:
    return {(r["model"] or "", r["metric"] or ""): r for r in records}


def test_every_snapshot_is_covered(shared_data: Path) -> None:
    assert tuple(sorted(p.name for p in FOLDER.iterdir())) == SNAPSHOTS


@pytest.mark.parametrize("snapshot", SNAPSHOTS)
def test_fetch_of_a_directory_reads_every_known_file(snapshot: str) -> None:
    reader = Reader(lmarena.name, str(FOLDER / snapshot), make_session(USER_AGENT, 0, 0), 5, 10**8)

    files = lmarena.fetch(reader)

    assert files == folder_files(snapshot)
    for record in lmarena.parse(files):
        assert tuple(record) == OBSERVATION_FIELDS
        assert record["unit"] == "elo"


def test_csv_export() -> None:
    body = (FOLDER / "2025-08-04" / "lmarena_text.csv").read_bytes()
    rows = list(csv.DictReader(io.StringIO(body.decode())))

    records = lmarena.parse({"lmarena_text.csv": body})

    # every row, the duplicated Yi-34B-Chat (ranks 200 and 201) included, as published
    assert len(records) == len(rows) == 266
    assert [r["value"] for r in records] == [row["arena_score"] for row in rows]
    assert {r["metric"] for r in records} == {"text_full"}
    assert {r["metric_version"] for r in records} == {None}  # no date in the file
    found = by_key(records)
    # line 2, rank 1
    gemini = found[("Gemini-2.5-Pro", "text_full")]
    assert (gemini["value"], gemini["organization"], gemini["open_weights"]) == (
        "1470",
        "Google",
        "false",
    )
    assert json.loads(gemini["extra"] or "")["95_pct_ci"] == "+5/-5"
    # line 4 (MIT) and the last line (Non-commercial: weights released under a research licence)
    assert found[("GLM-4.5", "text_full")]["open_weights"] == "true"
    assert found[("LLaMA-13B", "text_full")]["value"] == "840"
    assert found[("LLaMA-13B", "text_full")]["open_weights"] == "true"


def test_category_board_with_scatterplot_metadata() -> None:
    files = folder_files("2025-12-11")
    board = json.loads(files["leaderboard-text.json"])
    scatter = {m["model_api_name"]: m for m in json.loads(files["scatterplot-data.json"])}

    records = lmarena.parse({**files, "_fetched_on": b"2025-12-11"})

    assert len(records) == sum(len(models) for models in board.values()) == 7461
    full = [r for r in records if r["metric"] == "text_full"]
    assert len(full) == len(board["full"]) == 282
    assert {r["metric_version"] for r in records} == {"2025-12-11"}  # from _fetched_on
    enriched = [r for r in full if r["organization"] is not None]
    assert len(enriched) == sum(1 for model in board["full"] if model in scatter) == 112
    found = by_key(records)
    # full.gemini-3-pro, and its scatterplot-data.json entry (Google, Proprietary)
    gemini = found[("gemini-3-pro", "text_full")]
    assert gemini["value"] == "1486.6027120272704"
    assert (gemini["model_display"], gemini["organization"], gemini["open_weights"]) == (
        "Gemini-3-Pro",
        "Google",
        "false",
    )
    assert json.loads(gemini["extra"] or "") == {
        "license": "Proprietary",
        "rating_q025": "1480.4026895976556",
        "rating_q975": "1492.8027344568852",
    }
    # coding.glm-4.6, an MIT model
    glm = found[("glm-4.6", "text_coding")]
    assert (glm["value"], glm["organization"], glm["open_weights"]) == (
        "1455.2299771928551",
        "Z.ai",
        "true",
    )


def test_arena_scrapes_take_their_own_dates() -> None:
    records = lmarena.parse(folder_files("2026-07-04"))

    assert len(records) == 30 + 50
    code = [r for r in records if r["metric"] == "code_full"]
    text = [r for r in records if r["metric"] == "text_full"]
    assert {r["metric_version"] for r in code} == {"2026-07-01"}  # meta.last_updated "Jul 1, 2026"
    assert {r["metric_version"] for r in text} == {"2026-07-04"}  # last_updated null: fetched_at
    found = by_key(records)
    # arena_code.json models[1]: rank 2, license "open"
    glm = found[("glm-5.2 (max)", "code_full")]
    assert (glm["value"], glm["organization"], glm["open_weights"]) == ("1584", "Z.ai", "true")
    # arena_text.json models[0]
    first = found[("claude-fable-5", "text_full")]
    assert (first["value"], first["open_weights"]) == ("1509", "false")
    assert json.loads(first["extra"] or "") == {
        "ci": "9",
        "license": "proprietary",
        "rank": "1",
        "votes": "4350",
    }


def test_every_licence_seen_maps_to_a_flag() -> None:
    with (FOLDER / "2025-08-04" / "lmarena_text.csv").open() as handle:
        licences = {row["license"] for row in csv.DictReader(handle)}
    licences |= {
        m["license"] for m in json.loads(folder_files("2025-12-11")["scatterplot-data.json"])
    }
    licences |= {"open", "proprietary"}

    unclear = {licence for licence in licences if lmarena.open_weights(licence) is None}

    assert unclear == {"", "Other"}
    assert lmarena.open_weights("Proprietary") == lmarena.open_weights("Propretary") == "false"
    assert lmarena.open_weights("Apache 2.0") == lmarena.open_weights("open") == "true"
    assert lmarena.open_weights("Some New License") is None


def test_board_without_full_category_is_a_layout_change() -> None:
    board = json.loads(folder_files("2025-12-11")["leaderboard-text.json"])
    del board["full"]

    with pytest.raises(SourceError, match=r"^lmarena: leaderboard-text\.json has no `full` categ"):
        lmarena.parse({"leaderboard-text.json": json.dumps(board).encode()})


def test_csv_without_score_column_is_named() -> None:
    body = (FOLDER / "2025-08-04" / "lmarena_text.csv").read_text()
    broken = body.replace("arena_score", "score", 1).encode()

    with pytest.raises(SourceError, match=r"lacks columns \['arena_score'\]"):
        lmarena.parse({"lmarena_text.csv": broken})


def test_arena_scrape_without_models_is_a_layout_change() -> None:
    doc = json.loads(folder_files("2026-07-04")["arena_text.json"])
    doc["entries"] = doc.pop("models")

    with pytest.raises(SourceError, match=r"^lmarena: arena_text\.json has no `models` list"):
        lmarena.parse({"arena_text.json": json.dumps(doc).encode()})


def test_metadata_alone_is_not_a_board() -> None:
    files = folder_files("2025-12-11")

    with pytest.raises(SourceError, match=r"^lmarena: no leaderboard file in the payload"):
        lmarena.parse({"scatterplot-data.json": files["scatterplot-data.json"]})
