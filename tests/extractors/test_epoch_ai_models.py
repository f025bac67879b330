"""extractors.epoch_ai_models: Epoch's Data on AI Models, one record per model row."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from extractors.base import SourceError
from extractors.epoch_ai_models import DEFAULT_LOCATION, FILE, parse
from pipeline.settings import Settings

SNAPSHOTS = ("2025-12-27", "2026-03-30")


def expected_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


@pytest.mark.parametrize("snapshot", SNAPSHOTS)
def test_real_file_parses_every_row(shared_data: Path, snapshot: str) -> None:
    path = shared_data / "epoch" / snapshot / "ai_models" / FILE
    rows = expected_rows(path)

    parsed = parse({FILE: path.read_bytes()})

    assert parsed.file_errors == {} and parsed.format_changes == []
    assert [r["model"] for r in parsed.records] == [row["Model"] for row in rows]
    assert [r["accessibility"] for r in parsed.records] == [
        row["Model accessibility"] for row in rows
    ]


def test_the_published_zip_parses_like_its_csv(shared_data: Path) -> None:
    folder = shared_data / "epoch" / "2026-03-30"
    from_zip = parse({"ai_models.zip": (folder / "ai_models.zip").read_bytes()})
    from_csv = parse({FILE: (folder / "ai_models" / FILE).read_bytes()})
    assert from_zip.records == from_csv.records


def test_default_location_is_epochs_public_zip() -> None:
    assert Settings().locations["epoch_ai_models"] == DEFAULT_LOCATION
    assert DEFAULT_LOCATION == "https://epoch.ai/data/ai_models.zip"
    assert "epoch_ai_models" in Settings().sources


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def test_unseen_label_is_reported_and_missing_column_quarantines() -> None:
    # hand-written rows: invented models and an invented label
    body = _csv([["Model", "Model accessibility"], ["A", "API access"], ["B", "Shared on request"]])
    parsed = parse({FILE: body})
    assert len(parsed.records) == 2
    [change] = parsed.format_changes
    assert change.change == "unknown_labels" and "'Shared on request'" in change.detail

    renamed = parse({FILE: _csv([["Model", "Access"], ["A", "API access"]])})
    assert FILE in renamed.file_errors and renamed.records == []
    assert [c.change for c in renamed.format_changes] == ["missing_columns"]


def test_payload_without_the_file_names_it() -> None:
    with pytest.raises(SourceError, match=r"all_ai_models\.csv is not in the payload"):
        parse({"notable_ai_models.csv": b"Model\n"})
