"""Epoch AI Benchmarking Hub bundle (https://epoch.ai/benchmarks, benchmark_data.zip, CC BY 4.0).

One CSV per benchmark plus epoch_capabilities_index.csv, the model-version registry that
carries each version's accessibility (open weights vs API). parse() turns every CSV into long,
source-conformed string records; typing and scaling happen in staging SQL.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from json.encoder import encode_basestring

from extractors.base import Attribution, FormatChange, Parsed, RawTable, Record, SourceError
from extractors.columnar import HEAD_BYTES, CsvFile, read_header, read_tables
from extractors.epoch_layout import (
    ECI_SCORES,
    METADATA_FILE,
    NEW_REGISTRY,
    column_changes,
    read_registry,
    read_rows,
)
from extractors.parsing import current_limits, read_csv
from extractors.reader import Reader
from extractors.zipsafe import ZipMembers, head_of

name = "epoch"
ENTITY = "benchmark_rows"
DEFAULT_LOCATION = "https://epoch.ai/data/benchmark_data.zip"
ATTRIBUTION = Attribution(
    "Benchmark data: Epoch AI, Benchmarking Hub and Epoch Capabilities Index, licensed CC BY 4.0",
    "https://epoch.ai/benchmarks",
)
CREDENTIAL = None
RAW_TABLE = RawTable(
    ENTITY,
    (
        "file",
        "row_number",
        "model_version",
        "score_column",
        "score_text",
        "release_date",
        "organization",
        "country",
        "stderr_text",
        "extra",
    ),
    not_null=("file", "row_number"),
)
POST_PARSE = None
REGISTRY_FILE = "epoch_capabilities_index.csv"
# Epoch's IRT calibration of the ECI (from the 2026-03 bundles): per benchmark a difficulty
# `edi` and a slope on the ECI scale; it lands as rows (unit 'metadata', no scores) because
# the untested-model rule predicts a model's score from its ECI with it
CALIBRATION_FILE = "additional_eci_data/eci_benchmark_difficulties_and_slopes.csv"
CALIBRATION_COLUMNS = ("benchmark_name", "edi", "estimated_slope_scaled")
# auxiliary tables of the bundle with no per-model scores (the registries and the benchmark
# metadata are read by extractors/epoch_layout.py and read_metadata below)
AUXILIARY_PREFIXES = (
    "additional_eci_data/",
    "epoch_capabilities_index/",
    NEW_REGISTRY,
    METADATA_FILE,
)

# Headline score column per file, used when the bundle has no benchmark_metadata.csv.
# Candidates are tried in order (columns drift between snapshots: weirdml's `Average` became
# `Accuracy`). The unit is the unit of the column as published, read off the real snapshots:
# several "(%)" headers actually hold fractions, so the header is not trusted.
SCORE_COLUMNS: dict[str, tuple[tuple[str, ...], str]] = {
    "adversarial_nli_external.csv": (("Score",), "fraction"),
    "aider_polyglot_external.csv": (("Percent correct",), "percent"),
    "apex_agents_external.csv": (("Pass@1 score",), "fraction"),
    "arc_agi_2_external.csv": (("Score",), "fraction"),
    "arc_agi_external.csv": (("Score",), "fraction"),
    "arc_ai2_external.csv": (("Challenge score",), "fraction"),
    "balrog_external.csv": (("Average progress",), "fraction"),
    "bbh_external.csv": (("Average",), "fraction"),
    "bool_q_external.csv": (("Score",), "fraction"),
    "cad_eval_external.csv": (("Overall pass (%)",), "fraction"),
    "chess_puzzles.csv": (("Best score (across scorers)",), "fraction"),
    "common_sense_qa_2_external.csv": (("Score",), "fraction"),
    "cybench_external.csv": (("Unguided % Solved",), "fraction"),
    "deepresearchbench_external.csv": (("Average score",), "fraction"),
    REGISTRY_FILE: (("ECI Score",), "index"),
    "factorio_learning_environment_external.csv": (("Production score",), "points"),
    "fictionlivebench_external.csv": (("120k token score",), "fraction"),
    "frontiermath.csv": (("Best score (across scorers)",), "fraction"),
    "frontiermath_tier_4.csv": (("Best score (across scorers)",), "fraction"),
    "gdpval_external.csv": (("Win Rate (%)",), "fraction"),
    "geobench_external.csv": (("ACW Avg Score",), "points"),
    "gpqa_diamond.csv": (("Best score (across scorers)",), "fraction"),
    "gsm8k_external.csv": (("EM",), "fraction"),
    "gso_external.csv": (("Score OPT@1",), "fraction"),
    "hella_swag_external.csv": (("Overall accuracy",), "fraction"),
    "hle_external.csv": (("Accuracy",), "fraction"),
    "lambada_external.csv": (("Score",), "fraction"),
    "lech_mazur_writing_external.csv": (("Mean score",), "points"),
    "live_bench_external.csv": (("Global average",), "percent"),
    "math_level_5.csv": (("Best score (across scorers)",), "fraction"),
    "metr_time_horizons_external.csv": (("Time horizon",), "minutes"),
    "mmlu_external.csv": (("EM",), "fraction"),
    "open_book_qa_external.csv": (("Accuracy",), "fraction"),
    "os_universe_external.csv": (("Weighted Score",), "fraction"),
    "os_world_external.csv": (("Score",), "percent"),
    "otis_mock_aime_2024_2025.csv": (("Best score (across scorers)",), "fraction"),
    "piqa_external.csv": (("Score",), "fraction"),
    "posttrainbench_external.csv": (("Average (%)",), "fraction"),
    "science_qa_external.csv": (("Score",), "fraction"),
    "simplebench_external.csv": (("Score (AVG@5)",), "fraction"),
    "simpleqa_verified.csv": (("Best score (across scorers)",), "fraction"),
    "superglue_external.csv": (("Score",), "fraction"),
    "swe_bench_bash.csv": (("% Resolved",), "fraction"),
    "swe_bench_verified.csv": (("Best score (across scorers)",), "fraction"),
    "terminalbench_external.csv": (("Accuracy mean",), "fraction"),
    "the_agent_company_external.csv": (("% Score",), "fraction"),
    "trivia_qa_external.csv": (("EM",), "fraction"),
    "video_mme_external.csv": (("Overall (no subtitles)",), "fraction"),
    "vpct_external.csv": (("Correct",), "fraction"),
    "webdev_arena_external.csv": (("Arena Score",), "elo"),
    "weirdml_external.csv": (("Accuracy", "Average"), "fraction"),
    # WeirdML v3 (Sept 2026): benchmark_metadata.csv lists it without a source file
    "weirdml_v3_external.csv": (("Score",), "fraction"),
    "wino_grande_external.csv": (("Accuracy",), "fraction"),
}

STDERR_COLUMNS = ("stderr", "Accuracy SE", "Average Standard error", "Pass@1 Standard Error")
KEY_COLUMNS = ("Model version", "Release date", "Organization", "Country")
# benchmark_metadata.csv states scale as a multiplier to fractions (1.0 or 0.01)
_METADATA_SCALE_UNITS = {
    "1": "fraction",
    "1.0": "fraction",
    "0.01": "percent",
    "0.1": "tenths",
}


# the bundle as one archive file (a URL or a saved zip); a folder is read file by file
ARCHIVE_FILE = "benchmark_data.zip"
ParsedBundle = Parsed  # the name tests and older callers use


def fetch(reader: Reader) -> dict[str, bytes]:
    """Network or disk I/O only: the bundle zip as published, or every file of an unzipped one."""
    if reader.is_directory:
        return reader.tree()
    file, body = reader.main(ARCHIVE_FILE)
    return {file: body}


def parse(files: Mapping[str, bytes]) -> Parsed:
    """The bundle's files (the pipeline unzips the landed archive) -> records and tables.

    The registry and metadata files become records; every score file becomes a CsvFile, read
    column by column when the warehouse loads it (its header is read now: unit, score column).
    """
    return parse_bundle(files)


def benchmark_id(file: str) -> str:
    """gpqa_diamond.csv -> gpqa_diamond; aider_polyglot_external.csv -> aider_polyglot."""
    if file in (REGISTRY_FILE, ECI_SCORES):
        return "eci"
    stem = file.rsplit("/", 1)[-1].removesuffix(".csv")
    return stem.removesuffix("_external")


def parse_archive(body: bytes, max_member_bytes: int, max_total_bytes: int) -> Parsed:
    """Parse a bundle zip into long records; per-file problems are collected, not raised.

    Archive-level problems (not a zip, traversal, sizes) raise SourceError: nothing loads.
    """
    return parse_members(ZipMembers(name, body, max_member_bytes, max_total_bytes))


def parse_members(members: Mapping[str, bytes]) -> Parsed:
    """The bundle's files by name -> every row as a record (small bundles: tests and older
    callers); a file the code can't read is quarantined."""
    return read_tables(parse_bundle(members))


def parse_bundle(members: Mapping[str, bytes]) -> Parsed:
    """The bundle's files by name -> records and tables; a file the code can't read is
    quarantined."""
    registry = read_registry(members)
    bundle = Parsed(layout=registry.layout)
    bundle.labels = registry.labels
    bundle.records.extend(registry.records)
    bundle.files.update(registry.files)
    bundle.benchmarks.update({file: benchmark_id(file) for file in registry.files})
    bundle.file_errors.update(registry.file_errors)
    bundle.benchmarks.update({file: benchmark_id(file) for file in registry.file_errors})
    bundle.format_changes.extend(registry.changes)
    score_map = dict(SCORE_COLUMNS)
    if METADATA_FILE in members:
        declared = read_metadata(members[METADATA_FILE])
        bundle.format_changes.extend(declared.changes)
        score_map.update(declared.score_columns)
        bundle.records.extend(declared.records)
        if declared.records:
            bundle.files[METADATA_FILE] = "metadata"
            bundle.benchmarks[METADATA_FILE] = benchmark_id(METADATA_FILE)
    if CALIBRATION_FILE in members:
        bundle.benchmarks[CALIBRATION_FILE] = benchmark_id(CALIBRATION_FILE)
        try:
            bundle.records.extend(parse_calibration(members[CALIBRATION_FILE]))
            bundle.files[CALIBRATION_FILE] = "metadata"
        except SourceError as error:
            bundle.file_errors[CALIBRATION_FILE] = str(error)
    for file in sorted(members):
        if not file.endswith(".csv") or file.startswith(AUXILIARY_PREFIXES):
            continue
        if file in bundle.files or file in bundle.file_errors:
            continue
        bundle.benchmarks[file] = benchmark_id(file)
        try:
            unit, table = score_file(file, members, score_map)
        except SourceError as error:
            bundle.unreadable(name, file, error, _header(head_of(members, file, HEAD_BYTES)))
            continue
        bundle.files[file] = unit
        bundle.tables.append(table)
    if not bundle.files and not bundle.file_errors:
        raise SourceError(f"{name}: the bundle holds no benchmark CSV at all")
    return bundle


def read_metadata(content: bytes) -> DeclaredMetadata:
    """Score columns from the bundle's benchmark_metadata.csv (source_file, score_column, scale).

    Its rows also land as records (the catalog reads baseline, ceiling, in_eci and successor
    from them). A metadata file the code can't read is a format change, not a failed night:
    the code's own map stays in force.
    """
    declared = DeclaredMetadata()
    try:
        columns, rows = read_rows(METADATA_FILE, content)
    except SourceError as error:
        declared.changes.append(FormatChange(METADATA_FILE, "unreadable_file", str(error)))
        return declared
    declared.changes.extend(column_changes(METADATA_FILE, columns))
    if not {"source_file", "score_column"} <= set(columns):
        return declared
    for number, row in enumerate(rows, start=1):
        file, column = (row.get("source_file") or "").strip(), (row.get("score_column") or "")
        declared.records.append(_metadata_record(number, row))
        if not (file and column.strip()):
            continue
        known_unit = SCORE_COLUMNS.get(file, ((), "fraction"))[1]
        scale = (row.get("scale") or "").strip()
        unit = _METADATA_SCALE_UNITS.get(scale)
        if unit is None:
            unit = known_unit
            if scale:
                declared.changes.append(
                    FormatChange(
                        METADATA_FILE,
                        "unknown_scale",
                        f"row {number} ({file}): scale {scale!r} is not a known multiplier; "
                        f"read as {known_unit}",
                        ("scale",),
                    )
                )
        declared.score_columns[file] = ((column.strip(),), unit)
    return declared


@dataclass
class DeclaredMetadata:
    """What benchmark_metadata.csv declares: score column and unit per file, and its rows."""

    score_columns: dict[str, tuple[tuple[str, ...], str]] = field(default_factory=dict)
    records: list[Record] = field(default_factory=list)
    changes: list[FormatChange] = field(default_factory=list)


def _metadata_record(number: int, row: dict[str, str]) -> Record:
    extra = {k: v for k, v in row.items() if k is not None and v}
    return {
        "file": METADATA_FILE,
        "row_number": str(number),
        "model_version": None,
        "score_column": None,
        "score_text": None,
        "release_date": row.get("release_date"),
        "organization": None,
        "country": None,
        "stderr_text": None,
        "extra": json.dumps(extra, ensure_ascii=False, sort_keys=True),
    }


def _header(content: bytes) -> tuple[str, ...]:
    try:
        return tuple(read_rows("", content[:65536] + b"\n")[0])
    except SourceError:
        return ()


def parse_calibration(content: bytes) -> list[Record]:
    """The IRT calibration file -> one record per benchmark (its fields in `extra`)."""
    columns, rows = read_csv(name, CALIBRATION_FILE, _decode(CALIBRATION_FILE, content))
    missing = [c for c in CALIBRATION_COLUMNS if c not in columns]
    if missing:
        raise SourceError(
            f"{name}: {CALIBRATION_FILE} lacks columns {missing} (columns: {columns}); "
            "the calibration's layout changed"
        )
    return [
        {
            "file": CALIBRATION_FILE,
            "row_number": str(number),
            "model_version": None,
            "score_column": None,
            "score_text": None,
            "release_date": None,
            "organization": None,
            "country": None,
            "stderr_text": None,
            "extra": json.dumps(
                {k: v for k, v in row.items() if k is not None and v},
                ensure_ascii=False,
                sort_keys=True,
            ),
        }
        for number, row in enumerate(rows, start=1)
    ]


def score_file(
    file: str, members: Mapping[str, bytes], score_map: dict[str, tuple[tuple[str, ...], str]]
) -> tuple[str, CsvFile]:
    """One score CSV -> (unit, the file to read when it loads), from its header alone.

    Raises SourceError naming the file when its header can't be read or lacks a column.
    """
    columns = read_header(name, file, head_of(members, file, HEAD_BYTES), lambda: members[file])
    if "Model version" not in columns:
        raise SourceError(f"{name}: {file} has no 'Model version' column (columns: {columns})")
    score_column, unit = _score_column(file, columns, score_map)
    stderr_column = next((c for c in STDERR_COLUMNS if c in columns), None)
    table = CsvFile(
        name,
        file,
        tuple(columns),
        members,
        current_limits(),
        RAW_TABLE.columns,
        partial(_score_select, score_column=score_column, stderr_column=stderr_column),
        partial(_score_records, score_column=score_column, stderr_column=stderr_column),
    )
    return unit, table


def _score_select(
    table: CsvFile, score_column: str, stderr_column: str | None
) -> tuple[str, list[object]]:
    """SQL (and its parameters) for the records of `_score_records`, over DuckDB's columns.

    `extra` is written as json.dumps(..., ensure_ascii=False, sort_keys=True) writes it: the
    keys in order, only non-blank values.
    """
    taken = {*KEY_COLUMNS, score_column, stderr_column}
    keys = sorted({c for c in table.header if c not in taken})
    parts = [
        f"case when {table.column(key)} <> '' then ? || to_json({table.column(key)}) end"
        for key in keys
    ]
    extra = f"'{{' || concat_ws(', ', {', '.join(parts)}) || '}}'" if parts else "'{}'"
    sql = (
        "select ? as file, row_number, "
        f"{table.column('Model version')} as model_version, ? as score_column, "
        f"{table.column(score_column)} as score_text, "
        f"{table.column('Release date')} as release_date, "
        f"{table.column('Organization')} as organization, "
        f"{table.column('Country')} as country, "
        f"{table.column(stderr_column)} as stderr_text, {extra} as extra"
    )
    return sql, [table.file, score_column, *(f"{encode_basestring(k)}: " for k in keys)]


def _score_records(
    table: CsvFile, rows: list[dict[str, str]], score_column: str, stderr_column: str | None
) -> list[Record]:
    """The row reader's rows of one score file -> records."""
    taken = {*KEY_COLUMNS, score_column, stderr_column}
    return [
        _record(table.file, number, row, score_column, stderr_column, taken)
        for number, row in enumerate(rows, start=1)
    ]


def _score_column(
    file: str, columns: list[str], score_map: dict[str, tuple[tuple[str, ...], str]]
) -> tuple[str, str]:
    if file not in score_map:
        raise SourceError(
            f"{name}: no headline score column is known for {file} (columns: {columns}); "
            "add it to SCORE_COLUMNS in extractors/epoch.py"
        )
    candidates, unit = score_map[file]
    for candidate in candidates:
        if candidate in columns:
            return candidate, unit
    raise SourceError(
        f"{name}: {file} has none of the expected score columns {list(candidates)} "
        f"(columns: {columns}); the file's layout changed"
    )


def _record(
    file: str,
    number: int,
    row: dict[str, str],
    score_column: str,
    stderr_column: str | None,
    taken: set[str | None],
) -> Record:
    extra = {k: v for k, v in row.items() if k not in taken and k is not None and v}
    return {
        "file": file,
        "row_number": str(number),
        "model_version": row.get("Model version"),
        "score_column": score_column,
        "score_text": row.get(score_column),
        "release_date": row.get("Release date"),
        "organization": row.get("Organization"),
        "country": row.get("Country"),
        "stderr_text": row.get(stderr_column) if stderr_column else None,
        "extra": json.dumps(extra, ensure_ascii=False, sort_keys=True),
    }


def _decode(file: str, content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SourceError(f"{name}: {file} is not UTF-8 text ({error})") from error
