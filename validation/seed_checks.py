"""Check the hand-edited seed files before they can change any status or verdict."""

from __future__ import annotations

import duckdb

from validation.expectations import KNOWN_ACCESSIBILITY

# an override states what is known: Epoch's "Unknown" is no status to commit
OVERRIDE_LABELS = tuple(label for label in KNOWN_ACCESSIBILITY if label != "Unknown")


class SeedError(ValueError):
    """A committed seed file has a row a refresh can't use; the message names file and row."""


def check_seeds(con: duckdb.DuckDBPyConnection) -> None:
    """Raise SeedError on unknown labels, duplicate keys or unusable verdicts."""
    problems = []
    rows = con.execute(
        "select row_number() over () + 1 as line, model_version, model_name, accessibility, "
        "reason, evidence_url from seeds.accessibility_overrides"
    ).fetchall()
    seen: dict[tuple[str, str], int] = {}
    for line, version, name, label, reason, evidence in rows:
        where = f"transforms/seeds/accessibility_overrides.csv line {line}"
        # a status is committed with its why and a public page that shows it
        if not (reason or "").strip():
            problems.append(f"{where}: give a reason")
        if not (evidence or "").strip().startswith(("https://", "http://")):
            problems.append(
                f"{where}: evidence_url must be a public http(s) page, not {evidence!r}"
            )
        if (label or "").strip() not in OVERRIDE_LABELS:
            problems.append(f"{where}: accessibility {label!r} is not one of {OVERRIDE_LABELS}")
        key = (
            ("version", version.strip())
            if (version or "").strip()
            else ("name", (name or "").strip())
        )
        if not key[1]:
            problems.append(f"{where}: fill model_version or model_name")
        elif key in seen:
            problems.append(f"{where}: {key[0]} {key[1]!r} already overridden on line {seen[key]}")
        seen.setdefault(key, line)
    keys: dict[tuple[str, str, str], int] = {}
    for line, verdict, threshold, benchmark, scope in con.execute(
        "select row_number() over () + 1, verdict, threshold, benchmark_id, open_scope "
        "from seeds.crossing_overrides"
    ).fetchall():
        where = f"transforms/seeds/crossing_overrides.csv line {line}"
        if (scope or "").strip() not in ("all", "chinese"):
            problems.append(f"{where}: open_scope must be all or chinese, not {scope!r}")
        override = (
            str(benchmark or "").strip(),
            str(threshold or "").strip(),
            str(scope or "").strip(),
        )
        if override in keys:
            problems.append(f"{where}: {override} already overridden on line {keys[override]}")
        keys.setdefault(override, line)
        if (verdict or "").strip().lower() not in ("accept", "reject"):
            problems.append(f"{where}: verdict must be accept or reject, not {verdict!r}")
        try:
            float(threshold)
        except (TypeError, ValueError):
            problems.append(f"{where}: threshold {threshold!r} is not a number")
    if problems:
        raise SeedError("; ".join(problems))
