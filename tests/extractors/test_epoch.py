"""extractors.epoch.parse: bundle zip in, long source-conformed string records out."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from extractors.base import SourceError
from extractors.epoch import benchmark_id
from extractors.epoch import parse_archive as parse
from tests.conftest import SAMPLE_BUNDLE, epoch_dir
from tests.warehouse.bundles import read_csv

LIMIT = 50 * 1024 * 1024


def make_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    return buffer.getvalue()


def zip_folder(directory: Path) -> bytes:
    return make_zip({p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()})


def test_sample_bundle_records_are_exact() -> None:
    bundle = parse(zip_folder(SAMPLE_BUNDLE), LIMIT, LIMIT)

    by_key = {(r["file"], r["row_number"]): r for r in bundle.records}
    # hand-copied from cli/sample/benchmark_data/gpqa_diamond.csv, first data row
    assert by_key[("gpqa_diamond.csv", "1")] == {
        "file": "gpqa_diamond.csv",
        "row_number": "1",
        "model_version": "closed-alpha-2023-03",
        "score_column": "Best score (across scorers)",
        "score_text": "0.41",
        "release_date": "2023-03-01",
        "organization": "Alpha Labs",
        "country": "United States of America",
        "stderr_text": "0.03",
        "extra": json.dumps({"mean_score": "0.40"}),
    }
    # the registry row whose version is padded with a space and a newline: kept as published
    assert by_key[("epoch_capabilities_index.csv", "9")] == {
        "file": "epoch_capabilities_index.csv",
        "row_number": "9",
        "model_version": "mystery-model-2024 \n",
        "score_column": "ECI Score",
        "score_text": "",
        "release_date": "2024-08-01",
        "organization": "Unknown Org",
        "country": "",
        "stderr_text": None,
        "extra": json.dumps(
            {"Confidence": "Sample", "Display name": "Mystery Model", "Model name": "Mystery Model"}
        ),
    }
    # a row named only in free text: parsed, its blank version left for validation to flag
    assert by_key[("aider_polyglot_external.csv", "7")] == {
        "file": "aider_polyglot_external.csv",
        "row_number": "7",
        "model_version": "",
        "score_column": "Percent correct",
        "score_text": "30.0",
        "release_date": "",
        "organization": "",
        "country": "",
        "stderr_text": None,
        "extra": json.dumps(
            {"Edit format": "diff", "Source": "Sample (a row named only in free text)"}
        ),
    }


def test_sample_bundle_files_units_and_counts() -> None:
    bundle = parse(zip_folder(SAMPLE_BUNDLE), LIMIT, LIMIT)

    assert bundle.files == {
        "aider_polyglot_external.csv": "percent",
        "epoch_capabilities_index.csv": "index",
        "frontiermath.csv": "fraction",
        "gpqa_diamond.csv": "fraction",
        "metr_time_horizons_external.csv": "minutes",
        "mmlu_external.csv": "fraction",
    }
    assert bundle.file_errors == {}
    for file in bundle.files:
        _, rows = read_csv(SAMPLE_BUNDLE / file)
        assert [r["row_number"] for r in bundle.records if r["file"] == file] == [
            str(n) for n in range(1, len(rows) + 1)
        ]
    assert not any(r["file"] == "README.md" for r in bundle.records)


@pytest.mark.parametrize(
    ("snapshot", "column"),
    [("2025-11-02", "Average"), ("2026-04-19", "Accuracy")],
    ids=["old-Average", "new-Accuracy"],
)
def test_weirdml_score_column_drift_parses(shared_data: Path, snapshot: str, column: str) -> None:
    path = epoch_dir(shared_data, snapshot) / "weirdml_external.csv"
    columns, rows = read_csv(path)
    assert column in columns and ({"Average", "Accuracy"} - {column}).isdisjoint(columns)

    bundle = parse(make_zip({path.name: path.read_bytes()}), LIMIT, LIMIT)

    assert bundle.file_errors == {}
    assert bundle.files == {"weirdml_external.csv": "fraction"}
    assert [r["score_column"] for r in bundle.records] == [column] * len(rows)
    assert [r["score_text"] for r in bundle.records] == [row[column] for row in rows]
    assert [r["model_version"] for r in bundle.records] == [row["Model version"] for row in rows]


GPQA = (
    b"Model version,mean_score,Best score (across scorers),Release date\nm1,0.40,0.41,2024-01-01\n"
)
NEW_BENCH = b"Model version,Pass rate (%),Release date\nm1,55.0,2024-01-01\n"


def test_benchmark_metadata_overrides_the_score_columns() -> None:
    metadata = (
        b"source_file,score_column,scale\n"
        b"gpqa_diamond.csv,mean_score,1\n"
        b"brand_new_bench.csv,Pass rate (%),0.01\n"
    )
    body = make_zip(
        {
            "benchmark_metadata.csv": metadata,
            "gpqa_diamond.csv": GPQA,
            "brand_new_bench.csv": NEW_BENCH,
        }
    )

    bundle = parse(body, LIMIT, LIMIT)

    assert bundle.file_errors == {}
    assert bundle.files == {
        "benchmark_metadata.csv": "metadata",
        "gpqa_diamond.csv": "fraction",
        "brand_new_bench.csv": "percent",
    }
    scored = [r for r in bundle.records if r["file"] != "benchmark_metadata.csv"]
    assert sorted((r["file"], r["score_column"], r["score_text"]) for r in scored) == [
        ("brand_new_bench.csv", "Pass rate (%)", "55.0"),
        ("gpqa_diamond.csv", "mean_score", "0.40"),
    ]
    # the metadata rows land too (the catalog reads lineage, baseline and ceiling from them)
    declared = [r for r in bundle.records if r["file"] == "benchmark_metadata.csv"]
    assert [json.loads(str(r["extra"]))["source_file"] for r in declared] == [
        "gpqa_diamond.csv",
        "brand_new_bench.csv",
    ]


def test_benchmark_metadata_without_its_columns_is_news_and_the_code_map_holds() -> None:
    body = make_zip({"benchmark_metadata.csv": b"file,column\na.csv,x\n", "gpqa_diamond.csv": GPQA})

    bundle = parse(body, LIMIT, LIMIT)

    assert bundle.files == {"gpqa_diamond.csv": "fraction"}
    assert [r["score_column"] for r in bundle.records] == ["Best score (across scorers)"]
    changes = {(c.file, c.change) for c in bundle.format_changes}
    assert ("benchmark_metadata.csv", "missing_columns") in changes
    assert ("benchmark_metadata.csv", "new_columns") in changes


def test_file_with_no_known_score_column_is_a_file_error() -> None:
    body = make_zip({"gpqa_diamond.csv": GPQA, "brand_new_bench.csv": NEW_BENCH})

    bundle = parse(body, LIMIT, LIMIT)

    assert list(bundle.file_errors) == ["brand_new_bench.csv"]
    message = bundle.file_errors["brand_new_bench.csv"]
    assert message.startswith("epoch: no headline score column is known for brand_new_bench.csv")
    assert "'Pass rate (%)'" in message and "SCORE_COLUMNS" in message
    assert bundle.files == {"gpqa_diamond.csv": "fraction"}  # the other file still parses
    assert len(bundle.records) == 1


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            b"Model version,mean_score,Top score,Release date\nm1,0.4,0.41,2024-01-01\n",
            "epoch: gpqa_diamond.csv has none of the expected score columns "
            "['Best score (across scorers)']",
        ),
        (
            b"Model,Best score (across scorers)\nm1,0.41\n",
            "epoch: gpqa_diamond.csv has no 'Model version' column",
        ),
        (
            "Model version,Best score (across scorers)\nm\xe9,0.41\n".encode("latin-1"),
            "epoch: gpqa_diamond.csv is not UTF-8",
        ),
    ],
    ids=["score-column-renamed", "no-model-version", "not-utf8"],
)
def test_unreadable_file_names_itself(content: bytes, expected: str) -> None:
    bundle = parse(
        make_zip({"gpqa_diamond.csv": content, "mmlu_external.csv": b"Model version,EM\nm1,0.7\n"}),
        LIMIT,
        LIMIT,
    )

    assert bundle.file_errors["gpqa_diamond.csv"].startswith(expected)
    assert bundle.files == {"mmlu_external.csv": "fraction"}


def test_bundle_without_any_csv_is_refused() -> None:
    with pytest.raises(SourceError, match="the bundle holds no benchmark CSV at all"):
        parse(make_zip({"README.md": b"# nothing here\n"}), LIMIT, LIMIT)


@pytest.mark.parametrize(
    ("file", "expected"),
    [
        ("gpqa_diamond.csv", "gpqa_diamond"),
        ("aider_polyglot_external.csv", "aider_polyglot"),
        ("epoch_capabilities_index.csv", "eci"),
        ("sub/new_external.csv", "new"),
    ],
    ids=["plain", "external-suffix", "registry", "in-a-folder"],
)
def test_benchmark_id(file: str, expected: str) -> None:
    assert benchmark_id(file) == expected
