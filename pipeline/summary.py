"""The night in a few lines of Markdown: the headline, links to the report, each source's end.

The nightly flow attaches it to its flow run as a Prefect markdown artifact (key
`gapwatch-night`), so the Prefect UI says what the night found without opening the warehouse.
The headline is report.facts's first sentence, the one the report page opens with.
"""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

from pipeline.night import RefreshResult
from report.facts import headline
from warehouse.health import open_for_reading
from warehouse.where import Warehouse


def headline_sentence(database: Warehouse | Path) -> str:
    """The report's opening sentence, computed from the swapped-in warehouse (file or lake)."""
    with closing(open_for_reading(database)) as con:
        return headline(con).sentences()[0]


def night_markdown(
    database: Warehouse | Path, result: RefreshResult, report_html: Path | None
) -> str:
    """Markdown for one night: headline, report and Data Docs links, sources, alerts."""
    lines = [f"# gapwatch, the night of {result.as_of.isoformat()}", ""]
    lines += [headline_sentence(database), ""]
    if report_html is not None:
        folder = report_html.parent
        links = [f"[The report]({report_html.resolve().as_uri()})"]
        for name, label in (("data-docs", "Data Docs"), ("data", "the data")):
            index = folder / name / ("index.html" if name == "data-docs" else "data.json")
            if index.exists():
                links.append(f"[{label}]({index.resolve().as_uri()})")
        lines += [" · ".join(links), ""]
    else:
        lines += ["The report was not written this night (see the flow run's log).", ""]
    lines += ["| source | status | rows | note |", "| --- | --- | ---: | --- |"]
    for outcome in result.sources:
        note = outcome.message or ""
        if outcome.quarantined:
            note = f"quarantined: {', '.join(sorted(outcome.quarantined))}"
        lines.append(f"| {outcome.source} | {outcome.status} | {outcome.rows} | {_cell(note)} |")
    lines.append("")
    alerts = len(result.alerts)
    lines.append(f"{alerts} new gap alert{'s' if alerts != 1 else ''}; run id `{result.run_id}`.")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell: one line, pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")
