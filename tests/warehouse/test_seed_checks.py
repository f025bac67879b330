"""Hand-edited seed files are checked before they can change a status or a verdict."""

from __future__ import annotations

import duckdb
import pytest

from validation.seed_checks import SeedError, check_seeds

EVIDENCE = ("weights released", "https://example.org/model-card")


def seeded(
    overrides: list[tuple[str, ...]], verdicts: list[tuple[str, str]]
) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema seeds")
    con.execute(
        "create table seeds.accessibility_overrides (model_version varchar, model_name varchar, "
        "accessibility varchar, reason varchar, evidence_url varchar)"
    )
    for row in overrides:
        full = (*row, *EVIDENCE) if len(row) == 3 else row
        con.execute("insert into seeds.accessibility_overrides values (?, ?, ?, ?, ?)", full)
    con.execute(
        "create table seeds.crossing_overrides "
        "(verdict varchar, threshold varchar, benchmark_id varchar, open_scope varchar)"
    )
    for row in verdicts:
        full = (*row, "gpqa_diamond", "all")[:4]
        con.execute("insert into seeds.crossing_overrides values (?, ?, ?, ?)", full)
    return con


def test_valid_seeds_pass() -> None:
    check_seeds(
        seeded(
            [("v1", "", "API access"), ("", "Model A", "Open weights (unrestricted)")],
            [("accept", "0.5")],
        )
    )


@pytest.mark.parametrize(
    ("overrides", "verdicts", "message"),
    [
        ([("v1", "", "Open source")], [], "line 2: accessibility 'Open source' is not one of"),
        (
            [("v1", "", "API access"), ("v1", "", "API access")],
            [],
            "line 3: version 'v1' already overridden on line 2",
        ),
        ([("", "", "API access")], [], "line 2: fill model_version or model_name"),
        ([("v1", "", "API access", "", "https://x.org")], [], "line 2: give a reason"),
        ([("v1", "", "API access", "why", "")], [], "line 2: evidence_url must be a public"),
        ([("v1", "", "Unknown")], [], "line 2: accessibility 'Unknown' is not one of"),
        ([], [("maybe", "0.5")], "crossing_overrides.csv line 2: verdict must be accept or reject"),
        ([], [("accept", "high")], "threshold 'high' is not a number"),
        ([], [("accept", "0.5", "gpqa_diamond", "open")], "open_scope must be all or chinese"),
        ([], [("accept", "0.5"), ("reject", "0.5")], "line 3: ('gpqa_diamond', '0.5', 'all')"),
    ],
    ids=[
        "unknown-label",
        "duplicate-version",
        "no-key",
        "no-reason",
        "no-evidence",
        "unknown-is-no-status",
        "bad-verdict",
        "bad-threshold",
        "bad-scope",
        "duplicate-override",
    ],
)
def test_bad_seed_rows_are_named(overrides: list, verdicts: list, message: str) -> None:
    with pytest.raises(SeedError, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_seeds(seeded(overrides, verdicts))
