"""The report page: one self-contained HTML file (inline CSS, SVG and a small script; nothing
fetched), and its tables as CSV files beside it.

Every value that comes from the warehouse passes through html.escape on its way in.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd

from extractors import PRIMARY_SOURCE
from extractors.attribution import credit
from extractors.attribution import label as source_label
from report.data import ReportData
from report.facts import KIND_LABEL, STALE_DAYS
from report.figures import Notice, day, format_threshold
from report.render import Rendered

HEADLINE_SERIES = ("all", "private", "public")
# the page's tables as files beside it: name -> (what it holds, the frame's attribute)
TABLES = {
    "gap-summary": ("the gap now per source and series", "all_summaries"),
    "datapoints": ("the accepted datapoints drawn in the gap figures", "points"),
    "crossings": ("every threshold of every benchmark (the delay timelines)", "crossings"),
    "pending": ("the pending thresholds", "pending"),
    "alert-events": ("the alerts, grouped into events", "events"),
    "benchmarks": ("the benchmark catalog with its counts", "benchmarks"),
    "freshness": ("data freshness per source", "freshness"),
}
TABLES_DIR = "tables"  # beside data/ of `gapwatch export` (every mart), not inside it


def write_tables(data: ReportData, directory: Path) -> tuple[Path, ...]:
    """Each table of the page as CSV (written under a temporary name, then renamed)."""
    if data.missing_marts:
        return ()
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (_, attribute) in TABLES.items():
        frame = getattr(data, attribute)
        path = directory / f"{name}.csv"
        temporary = directory / f".{name}.{os.getpid()}.tmp"
        frame.to_csv(temporary, index=False)
        os.replace(temporary, path)
        written.append(path)
    return tuple(written)


def csv_link(name: str) -> str:
    """The download link of one table, under it."""
    what = TABLES[name][0]
    return (
        f'<p class="download"><a href="{TABLES_DIR}/{name}.csv" download>'
        f"Download {escape(what)} (CSV)</a></p>"
    )


def downloads() -> list[str]:
    """Every table of the page as a file, listed once near the top."""
    items = "".join(
        f'<li><a href="{TABLES_DIR}/{name}.csv" download>{name}.csv</a>: {escape(what)}</li>'
        for name, (what, _) in TABLES.items()
    )
    return [
        '<details class="downloads"><summary>Download the data behind this page (CSV)'
        f"</summary><ul>{items}</ul></details>"
    ]


PENDING_SHOWN = 20

# hover and keyboard tooltips (one per mark, from its SVG <title>) and the filters; no network
SCRIPT = """
(function () {
  var tip = document.getElementById('tip');
  var marks = document.querySelectorAll('g.mark');
  function show(event) {
    var mark = event.currentTarget, box = mark.getBoundingClientRect();
    tip.textContent = mark.getAttribute('aria-label');
    tip.hidden = false;
    var left = Math.min(box.left + window.scrollX, window.scrollX +
      document.documentElement.clientWidth - tip.offsetWidth - 8);
    tip.style.left = Math.max(window.scrollX + 4, left) + 'px';
    tip.style.top = (box.bottom + window.scrollY + 6) + 'px';
  }
  function hide() { tip.hidden = true; }
  marks.forEach(function (mark) {
    var title = mark.querySelector('title');
    if (title) { title.remove(); }  // the script's tip replaces the browser's: one, not two
    mark.addEventListener('mouseenter', show);
    mark.addEventListener('focus', show);
    mark.addEventListener('mouseleave', hide);
    mark.addEventListener('blur', hide);
  });
  var form = document.getElementById('filters');
  if (!form) { return; }
  form.addEventListener('change', function () {
    var chosen = {};
    form.querySelectorAll('select').forEach(function (s) {
      if (s.value) { chosen[s.dataset.key] = s.value; }
    });
    document.querySelectorAll('[data-benchmark]').forEach(function (el) {
      var keep = Object.keys(chosen).every(function (key) {
        var value = el.getAttribute('data-' + key);
        return value === null || value === chosen[key];
      });
      el.classList.toggle('dimmed', !keep);
    });
  });
})();
"""

CSS = """
body { font-family: "DejaVu Sans", Verdana, sans-serif; color: #1a1a1a; margin: 0;
       background: #fafafa; line-height: 1.45; }
main { max-width: 1180px; margin: 0 auto; padding: 1.5rem 1.5rem 4rem; background: #fff; }
h1 { font-size: 1.6rem; margin: 0 0 .2rem; }
h2 { font-size: 1.25rem; margin-top: 2.4rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin-top: 1.6rem; }
.sub { color: #4a4a4a; margin: 0 0 1rem; }
.banner { background: #fff4e0; border-left: 4px solid #d95f02; padding: .7rem 1rem;
          margin: 1rem 0; }
.cards { display: flex; flex-wrap: wrap; gap: 1rem; margin: 1rem 0; }
.card { flex: 1 1 250px; border: 1px solid #ddd; border-radius: 6px; padding: .8rem 1rem; }
.card .series { text-transform: uppercase; letter-spacing: .05em; font-size: .8rem;
                color: #4a4a4a; }
.card .value { font-size: 2.1rem; font-weight: bold; }
.card .band { font-size: .95rem; color: #333; }
.card p { margin: .3rem 0 0; font-size: .85rem; color: #444; }
figure { margin: 1.2rem 0 2rem; }
figure svg { display: block; }
figcaption { font-size: .85rem; color: #444; margin-top: .4rem; }
figcaption a { color: #1b4f8a; }
.notice { border: 1px dashed #bbb; padding: 1rem; color: #333; background: #f6f6f6; }
table { border-collapse: collapse; font-size: .82rem; margin: .6rem 0 1rem; width: 100%; }
th, td { border-bottom: 1px solid #e3e3e3; padding: .25rem .5rem; text-align: left;
         vertical-align: top; }
th { background: #f2f2f2; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
details summary { cursor: pointer; color: #1b4f8a; margin: .3rem 0; }
.method li { margin-bottom: .45rem; }
.attribution { font-size: .9rem; }
.headline { font-size: 1.1rem; background: #eef3f9; border-left: 4px solid #1b4f8a;
            padding: .8rem 1rem; margin: 1rem 0; }
.stale { background: #fde2c4; color: #6b3100; padding: 0 .3rem; border-radius: 3px;
         font-size: .85em; font-weight: bold; }
tr.gap_closed td:nth-child(2) { font-weight: bold; }
.scroll { overflow-x: auto; max-width: 100%; }
.badge { font-size: .75rem; border: 1px solid #595959; border-radius: 3px; padding: 0 .3rem;
         color: #333; font-weight: normal; }
.badge.self_reported { background: #fde2c4; }
.timeline-head { font-weight: bold; margin: 1.4rem 0 0; }
.index li { margin-bottom: .3rem; }
.finding { font-weight: bold; margin: .2rem 0 .4rem; }
svg text { font-family: "DejaVu Sans", Verdana, sans-serif; }
g.mark { cursor: pointer; }
g.mark:focus { outline: 2px solid #1a1a1a; }
.dimmed { opacity: .12; }
tr.dimmed { display: none; }
#tip { position: absolute; z-index: 10; max-width: 22rem; background: #1a1a1a; color: #fff;
       padding: .4rem .6rem; border-radius: 4px; font-size: .8rem; white-space: pre-line;
       pointer-events: none; }
.filters { display: flex; flex-wrap: wrap; gap: .6rem 1.2rem; margin: .6rem 0; font-size: .9rem; }
.filters select { max-width: 14rem; }
.download { font-size: .85rem; margin: -.4rem 0 1rem; }
td { overflow-wrap: break-word; }
td.date { white-space: nowrap; }
@media (max-width: 600px) {
  main { padding: .8rem .7rem 3rem; }
  h1 { font-size: 1.3rem; }
  .headline { font-size: 1rem; }
  .card .value { font-size: 1.7rem; }
  figure .scroll svg { min-width: 760px; }
  /* a table row becomes a small card: each cell on its own line, named by its column */
  table, tbody, tr, td { display: block; width: 100%; }
  thead { display: none; }
  tr { border: 1px solid #d0d0d0; border-radius: 4px; margin: 0 0 .5rem; padding: .2rem 0; }
  td { border: 0; padding: .1rem .5rem; text-align: left; }
  td.num { text-align: left; }
  td::before { content: attr(data-label) ": "; color: #4a4a4a; font-weight: normal; }
}
"""


def page(data: ReportData, figures: dict[str, Rendered | Notice], png_dir: str) -> str:
    """The whole HTML document."""
    title = "gapwatch: how far open-weight models trail closed ones"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f"<style>{CSS}</style></head><body><main>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="sub">{escape(_subtitle(data))}</p>',
        *_banners(data),
    ]
    if not data.missing_marts:
        parts += [
            *headline_sentence(data),
            *downloads(),
            *filters(data),
            *since_last_night(data),
            *headline(data),
            "<h2>2. The gap over time</h2>",
            figure_html(figures.get("gap-over-time"), png_dir),
            "<h2>3. By category, and for Chinese open models</h2>",
            figure_html(figures.get("gap-by-category"), png_dir),
            _series_line(data, "chinese", "Chinese open models"),
            figure_html(figures.get("gap-chinese"), png_dir),
            "<h2>4. Delay timelines per benchmark</h2>",
            "<p>One row per threshold: the first closed model to reach it (square), the first "
            "open model (circle), and the months between. Bold rows are accepted datapoints; "
            "grey rows were rejected, with the reason at the right; a dashed arrow is a "
            "threshold no open model has reached by the as-of date. Hover or focus a row for "
            "the models, dates and the verdict.</p>",
            *timelines(data, figures, png_dir),
            "<h2>5. Frontier lag</h2>",
            figure_html(figures.get("frontier-lag"), png_dir),
            "<h2>6. Tables</h2>",
            *pending_table(data),
            *alerts_table(data),
            *benchmark_table(data),
        ]
    parts += [
        *method(),
        *attribution(data),
        '<div id="tip" role="tooltip" hidden></div>',
        f"<script>{SCRIPT}</script>",
        "</main></body></html>",
    ]
    return "\n".join(parts) + "\n"


def _subtitle(data: ReportData) -> str:
    as_of = f"As of {day(data.as_of)}" if data.as_of else "No as-of date"
    return f"{as_of}. Warehouse: {data.database.name}. Built by gapwatch from public evidence."


def _banners(data: ReportData) -> list[str]:
    """Plain sentences at the top when the warehouse cannot support the usual page."""
    if data.missing_marts:
        return [
            '<div class="banner"><strong>This warehouse is empty.</strong> It has no gap '
            "marts yet (missing: "
            + escape(", ".join(data.missing_marts))
            + "). Run <code>gapwatch refresh</code> to build them; there is nothing to "
            "report until then.</div>"
        ]
    if data.crossings.empty:
        return [
            '<div class="banner"><strong>This warehouse holds no benchmark evidence.</strong> '
            "No closed or open model has crossed any threshold, so there is no gap, no trend "
            "and no timeline to show.</div>"
        ]
    crossed = data.crossings[data.crossings["benchmark_id"] != "eci"]["name"].unique()
    if len(crossed) == 1:
        return [
            '<div class="banner"><strong>This warehouse holds one benchmark only</strong> ('
            + escape(str(crossed[0]))
            + "). Every gap below is that benchmark's, not an estimate across benchmarks, and "
            "the spread across benchmarks cannot be drawn.</div>"
        ]
    return []


def headline_sentence(data: ReportData) -> list[str]:
    """The quotable headline (report.facts), above everything else."""
    if data.headline is None:
        return []
    sentences = data.headline.sentences()
    first, rest = sentences[0], sentences[1:]
    stale = (
        f' <span class="stale">stale: more than {STALE_DAYS} days before the as-of date</span>'
        if data.headline.stale
        else ""
    )
    return [
        f'<p class="headline" id="headline"><strong>{escape(first)}</strong>{stale} '
        + " ".join(escape(s) for s in rest)
        + "</p>"
    ]


def filters(data: ReportData) -> list[str]:
    """Choosers that dim the datapoints and rows of other benchmarks, access or category.

    The script is inline and small; without it the page is complete, just not filterable.
    """
    if data.points.empty:
        return []

    def options(values: Iterable[Any]) -> str:
        unique = sorted({str(v) for v in values if isinstance(v, str) and v})
        return "".join(f'<option value="{escape(v)}">{escape(v)}</option>' for v in unique)

    return [
        '<form class="filters" id="filters" aria-label="Filter the figures and tables">',
        '<label>Benchmark <select data-key="benchmark"><option value="">all</option>'
        + options(data.points["benchmark_name"])
        + "</select></label>",
        '<label>Test set <select data-key="access"><option value="">all</option>'
        + options(data.points["access"])
        + "</select></label>",
        '<label>Category <select data-key="category"><option value="">all</option>'
        + options(data.points["category"])
        + "</select></label>",
        "</form>",
    ]


def since_last_night(data: ReportData) -> list[str]:
    """What the newest night changed, in sentences and its events (gap_closed first)."""
    if data.changes is None:
        return []
    out = ['<section id="changes"><h2>Since the previous night</h2>']
    out += [f"<p>{escape(s)}</p>" for s in data.changes.sentences()]
    if len(data.changes.events):
        out.append(events_table(data.changes.events))
    out.append("</section>")
    return out


def headline(data: ReportData) -> list[str]:
    """Section 1: the gap now per series, its band, its datapoints, and data freshness."""
    out = ["<h2>1. The gap now</h2>", '<div class="cards">']
    for series in HEADLINE_SERIES:
        out.append(_card(data, series))
    out.append("</div>")
    out.append(
        "<p>The gap is the months between the first closed model and the first open-weight "
        "model to reach the same score, smoothed over the open models' release dates and read "
        "at the last date with an estimate. The band is a 90% bootstrap interval.</p>"
    )
    out.extend(other_sources(data))
    out.append("<h3>Data freshness</h3>")
    rows = []
    for r in data.freshness.itertuples(index=False):
        rows.append(
            [
                r.source,
                day(r.as_of),
                _timestamp(r.finished_at),
                f"{r.status} / {r.source_status}",
                r.validation,
                day(r.last_good_as_of),
                day(r.newest_release),
                _count(r.scores),
            ]
        )
    out.append(
        table(
            [
                "source",
                "last run (as of)",
                "finished",
                "run / source status",
                "validation",
                "last good load (as of)",
                "newest model release",
                "scores",
            ],
            rows,
            numeric={7},
            empty="No refresh has been recorded.",
        )
    )
    out.append(csv_link("freshness"))
    return out


def other_sources(data: ReportData) -> list[str]:
    """The gap each other source's own tracked metrics give, beside the one drawn below."""
    if data.all_summaries.empty:
        return []
    rows = data.all_summaries[
        (data.all_summaries["source"] != data.source) & (data.all_summaries["series"] == "all")
    ]
    if rows.empty:
        return []
    body = [
        [
            r.source,
            "no estimate" if pd.isna(r.gap_months) else f"{r.gap_months:.1f}",
            "" if pd.isna(r.ci_low) else f"{r.ci_low:.1f} – {r.ci_high:.1f}",
            _count(r.n_points),
            day(r.latest_date),
        ]
        for r in rows.itertuples(index=False)
    ]
    return [
        f"<p>The figures below draw the <strong>{escape(data.source)}</strong> datapoints. "
        "Other sources, each on its own tracked metrics:</p>",
        table(
            ["source", "gap (months)", "90% band", "datapoints", "estimate at"],
            body,
            numeric={1, 3},
        ),
        csv_link("gap-summary"),
    ]


def _card(data: ReportData, series: str) -> str:
    row = data.summary[data.summary["series"] == series]
    scope = source_label(data.source)
    label = {
        "all": f"all {scope}",
        "private": "private test sets",
        "public": "public test sets",
    }
    head = f'<div class="card"><div class="series">{escape(label[series])}</div>'
    if row.empty or pd.isna(row["gap_months"].iloc[0]):
        n = int(row["n_points"].iloc[0]) if len(row) else 0
        why = (
            "No accepted datapoints."
            if n == 0
            else f"{n} accepted datapoint{'s' if n != 1 else ''}: too few for a smoothed estimate."
        )
        return head + f'<div class="value">no estimate</div><p>{escape(why)}</p></div>'
    r = row.iloc[0]
    pending = (
        f"{int(r.n_pending)} thresholds still pending, median wait "
        f"{r.median_months_pending:.1f} months (a lower bound on the forward-looking gap)."
        if r.n_pending and not pd.isna(r.median_months_pending)
        else "No thresholds pending."
    )
    return (
        head
        + f'<div class="value">{r.gap_months:.1f} months</div>'
        + f'<div class="band">90% band {r.ci_low:.1f} – {r.ci_high:.1f} months</div>'
        + f"<p>{int(r.n_points)} accepted datapoints; estimate at {escape(day(r.latest_date))}, "
        f"the last datapoint's date; as of {escape(day(r.as_of))}.{_stale(r)}</p>"
        + f"<p>{escape(pending)}</p></div>"
    )


def _stale(row: Any) -> str:
    """A visible flag on an estimate older than STALE_DAYS before the as-of date."""
    if pd.isna(row.latest_date) or pd.isna(row.as_of):
        return ""
    age = (pd.Timestamp(row.as_of) - pd.Timestamp(row.latest_date)).days
    if age <= STALE_DAYS:
        return ""
    return f' <span class="stale">stale: {age} days old</span>'


def _series_line(data: ReportData, series: str, label: str) -> str:
    row = data.summary[data.summary["series"] == series]
    if row.empty or pd.isna(row["gap_months"].iloc[0]):
        return f"<p>{escape(label)}: no estimate.</p>"
    r = row.iloc[0]
    return (
        f"<p><strong>{escape(label)}</strong>: {r.gap_months:.1f} months behind "
        f"(90% band {r.ci_low:.1f} – {r.ci_high:.1f}), from {int(r.n_points)} accepted "
        f"datapoints, estimate at {escape(day(r.latest_date))}.{_stale(r)}</p>"
    )


def figure_html(item: Rendered | Notice | None, png_dir: str) -> str:
    """A rendered figure with its finding (the SVG's description), caption and PNG link."""
    if item is None:
        return ""
    if isinstance(item, Notice):
        return (
            f'<figure id="{escape(item.name)}" class="notice-figure">'
            f'<div class="notice" role="note"><strong>{escape(item.title)}.</strong> '
            f"{escape(item.text)}</div></figure>"
        )
    finding = item.finding or item.title
    link = f' <a href="{escape(png_dir)}/{escape(item.png.name)}">PNG</a>' if item.png else ""
    svg = item.svg.replace(
        "<svg",
        f'<svg role="group" aria-labelledby="{escape(item.name)}-finding"',
        1,
    )
    return (
        f'<figure id="{escape(item.name)}" class="chart">'
        f'<p class="finding" id="{escape(item.name)}-finding">{escape(finding)}</p>'
        f'<div class="scroll">{svg}</div><figcaption>{escape(item.caption)}{link}</figcaption>'
        "</figure>"
    )


def timelines(data: ReportData, figures: dict[str, Rendered | Notice], png_dir: str) -> list[str]:
    """The timelines grouped by category, with an index, each headed by its provenance."""
    drawn = {
        n.removeprefix("timeline-"): f for n, f in figures.items() if n.startswith("timeline-")
    }
    catalog = data.benchmarks.set_index("benchmark_id") if len(data.benchmarks) else None
    groups: dict[str, list[str]] = {}
    for benchmark in drawn:
        if benchmark == "none":
            continue
        category = "other"
        if catalog is not None and benchmark in catalog.index:
            category = str(catalog.loc[benchmark, "category"] or "other")
        groups.setdefault(category, []).append(benchmark)
    index = []
    body = []
    for category in sorted(groups):
        label = category.replace("_", " ")
        links = []
        body.append(f'<h3 id="timelines-{escape(category)}">{escape(label.capitalize())}</h3>')
        for benchmark in groups[category]:
            name = benchmark
            badge = ""
            if catalog is not None and benchmark in catalog.index:
                name = str(catalog.loc[benchmark, "name"])
                provenance = catalog.loc[benchmark, "provenance"]
                evaluator = catalog.loc[benchmark, "evaluator"]
                if isinstance(provenance, str) and provenance:
                    who = f", {evaluator}" if isinstance(evaluator, str) and evaluator else ""
                    badge = (
                        f' <span class="badge {escape(provenance)}">'
                        f"{escape(provenance.replace('_', ' '))}{escape(who)}</span>"
                    )
            links.append(f'<a href="#timeline-{escape(benchmark)}">{escape(name)}</a>')
            body.append(f'<p class="timeline-head">{escape(name)}{badge}</p>')
            body.append(figure_html(drawn[benchmark], png_dir))
        index.append(f"<li><strong>{escape(label)}</strong>: {', '.join(links)}</li>")
    out = ['<ul class="index">', *index, "</ul>", *body]
    if "none" in drawn:
        out.append(figure_html(drawn["none"], png_dir))
    return out


def pending_table(data: ReportData) -> list[str]:
    """Thresholds a closed model reached and no open model has (report.facts.PENDING)."""
    out = [
        '<h3 id="pending">Pending thresholds (no open model yet), longest wait first</h3>',
        f"<p>{len(data.pending)} thresholds: at or above the benchmark's validity floor, on "
        "benchmarks where at least one open model was evaluated (every source; ECI apart). "
        "The headline counts the drawn source's share of them.</p>",
    ]
    header = [
        "benchmark",
        "source",
        "threshold",
        "first closed model",
        "released",
        "waiting (months)",
    ]
    rows = [
        [
            r.benchmark,
            r.source,
            format_threshold(r.threshold, r.scale),
            r.first_closed_model,
            day(r.first_closed_date),
            f"{r.months_pending:.1f}",
        ]
        for r in data.pending.itertuples(index=False)
    ]
    attrs = [{"data-benchmark": str(r[0]), "data-source": str(r[1])} for r in rows]
    out.append(table(header, rows[:PENDING_SHOWN], {5}, "No thresholds are pending.", attrs))
    if len(rows) > PENDING_SHOWN:
        out.append(
            f"<details><summary>The other {len(rows) - PENDING_SHOWN} pending "
            "thresholds</summary>"
            + table(header, rows[PENDING_SHOWN:], {5}, row_attrs=attrs[PENDING_SHOWN:])
            + "</details>"
        )
    out.append(csv_link("pending"))
    if len(data.not_evaluated):
        names = ", ".join(
            f"{r.benchmark} ({int(r.thresholds)})"
            for r in data.not_evaluated.itertuples(index=False)
        )
        out.append(
            '<p class="notice">No open model was evaluated on these benchmarks, so their '
            f"closed-only thresholds are not counted as pending: {escape(names)}.</p>"
        )
    return out


EVENTS_SHOWN = 15


def events_table(events: pd.DataFrame) -> str:
    """Alert events (report.facts.alert_events): gap_closed first, one row per model, benchmark."""
    rows = [
        [
            day(r.as_of),
            KIND_LABEL.get(str(r.kind), str(r.kind)),
            r.benchmark,
            r.model,
            day(r.released),
            r.thresholds,
            r.gap_months,
            r.accepted,
            r.scopes,
            r.delivery,
        ]
        for r in events.itertuples(index=False)
    ]
    return table(
        [
            "night",
            "event",
            "benchmark",
            "model",
            "released",
            "thresholds",
            "gap (months)",
            "accepted",
            "open scopes",
            "delivery",
        ],
        rows,
        empty="No alerts.",
        row_attrs=[
            {"class": str(r.kind), "data-benchmark": str(r.benchmark)}
            for r in events.itertuples(index=False)
        ],
    )


def alerts_table(data: ReportData) -> list[str]:
    """Every alert, grouped into events: gaps closed first, then newest night first."""
    events = data.events
    count = int(events["alerts"].sum()) if len(events) else 0
    heading = f"Alerts: {len(events)} events ({count} alerts)" if len(events) else "Alerts"
    return [
        '<section id="alerts-section">',
        f'<h3 id="alerts">{escape(heading)}</h3>',
        "<p>One row per night, kind, model and benchmark: the thresholds and gaps it spans, "
        "the model's release date, whether the datapoint is accepted, and how it was "
        "delivered (<em>log only</em>: no channel is configured).</p>"
        if len(events)
        else "",
        events_table(events.head(EVENTS_SHOWN))
        if len(events)
        else table(
            [],
            [],
            empty="No alerts have been raised yet (the first refresh of a warehouse records a "
            "baseline and raises none).",
        ),
        f"<details><summary>The other {len(events) - EVENTS_SHOWN} events</summary>"
        + events_table(events.iloc[EVENTS_SHOWN:])
        + "</details>"
        if len(events) > EVENTS_SHOWN
        else "",
        csv_link("alert-events"),
        "</section>",
    ]


def _lineage_note(row: Any) -> str:
    """Which version of its lineage a benchmark is (versions are never one series)."""
    raw = getattr(row, "version", None)
    version = 1 if raw is None or pd.isna(raw) else int(raw)
    successor = getattr(row, "superseded_by", None)
    if isinstance(successor, str) and successor:
        return f" (v{version}; superseded by {successor}, the current version)"
    if version > 1:
        return f" (v{version} of {row.lineage_id}, current)"
    return ""


def benchmark_table(data: ReportData) -> list[str]:
    """Per benchmark: access, evaluator, provenance, and its accepted and rejected points."""
    rows = [
        [
            (r.name if bool(r.is_loaded) else f"{r.name} (not in the current bundle)")
            + _lineage_note(r),
            "yes" if bool(r.tracked) else "no (own series)",
            r.access or "",
            r.category or "",
            r.evaluator or "",
            r.provenance or "",
            _count(r.accepted),
            _count(r.rejected),
            _count(r.pending),
        ]
        for r in data.benchmarks.itertuples(index=False)
    ]
    return [
        "<h3>Benchmarks</h3>",
        "<p>Counts are thresholds in the all-open-models scope: accepted datapoints, rejected "
        "ones (both groups crossed, a rule said no), and pending ones.</p>",
        table(
            [
                "benchmark",
                "tracked",
                "access",
                "category",
                "evaluator",
                "provenance",
                "accepted",
                "rejected",
                "pending",
            ],
            rows,
            {6, 7, 8},
            "No benchmarks in the catalog.",
        ),
        csv_link("benchmarks"),
    ]


def method() -> list[str]:
    """Section 7: the method and its caveats, in plain words."""
    items = [
        "<strong>What the gap is.</strong> For each benchmark and score threshold, the first "
        "closed (API-only) model and the first open-weight model to reach it are found; the "
        "gap is the months between their release dates. It is <em>backward-looking</em>: a "
        "datapoint exists only once an open model has caught up, and it sits at that open "
        "model's release date. Thresholds no open model has reached yet are pending; their "
        "waits are a lower bound on the gap ahead.",
        "<strong>Which datapoints count.</strong> A threshold is rejected when it lies below "
        "the benchmark's validity floor (near the bottom, the first crosser shows who was "
        "tested first, not who was able first); when an earlier model of the same group was "
        "never evaluated on the benchmark but is at least as capable on Epoch's Capabilities "
        "Index (it would probably have crossed first); and when the same closed–open pair "
        "already counts at a higher threshold (one datapoint per pair). Manual overrides, with "
        "their reason, win over the rules. Every rejected row shows its reason.",
        "<strong>Winner's curse.</strong> The first model above a threshold is often a lucky "
        "run rather than a typical one: a first crossing comes earlier than the group's real "
        "capability would put it. Both groups carry this bias, but not equally (the group with "
        "more models tested near a threshold gets more lucky draws), so it need not cancel in "
        "the gap.",
        "<strong>Private benchmarks and provider degradation.</strong> Private test sets resist "
        "training on the test, but their evaluators run open models through third-party "
        "providers, whose quantization or settings can score lower than the released weights "
        "would: that makes open models look later, and the private gap larger, than they are. "
        "Closed models may also change behind a stable name. Self-reported results are less "
        "comparable than independent ones (see the provenance column).",
        "<strong>Smoothing.</strong> Trends are Gaussian-kernel averages (60-day bandwidth) "
        "with 90% bootstrap bands; with few datapoints the band is wide, and where no datapoint "
        "is near the page draws no trend at all.",
    ]
    return [
        "<h2>7. Method and caveats</h2>",
        '<ul class="method">',
        *(f"<li>{item}</li>" for item in items),
        "</ul>",
    ]


def credit_line(source: str) -> str:
    """A source's credit as extractors/attribution.py words it (verbatim: some publishers
    require their wording), linked to its site."""
    found = credit(source)
    text = escape(found.text.rstrip("."))
    if not found.url:
        return f"{text}."
    shown = found.url.removeprefix("https://").removeprefix("http://").rstrip("/")
    return f'{text} (<a href="{escape(found.url)}">{escape(shown)}</a>).'


def attribution(data: ReportData) -> list[str]:
    """Credit every source whose data is in the warehouse, and only those."""
    sources = data.sources()
    lines = [credit_line(source) for source in sources]
    if not lines:
        lines = ["No source's data is in this warehouse yet."]
    if PRIMARY_SOURCE in sources:
        lines.append(
            "Open/closed status and organizations come from Epoch's Capabilities Index, with "
            "gapwatch's documented overrides."
        )
    return [
        "<h2>Data and attribution</h2>",
        '<div class="attribution">',
        *(f"<p>{line}</p>" for line in lines),
        "</div>",
    ]


def table(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    numeric: set[int] | None = None,
    empty: str = "Nothing to show.",
    row_attrs: Sequence[dict[str, str]] | None = None,
) -> str:
    """An HTML table with every cell escaped; a sentence instead of an empty table."""
    body = list(rows)
    if not body:
        return f"<p>{escape(empty)}</p>"
    numeric = numeric or set()
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    lines = []
    for k, row in enumerate(body):
        cells = "".join(
            f'<td{_cell_class(i in numeric, v)} data-label="{escape(header[i])}">'
            f"{escape(_text(v))}</td>"
            for i, v in enumerate(row)
        )
        attrs = "".join(
            f' {key}="{escape(value)}"'
            for key, value in (row_attrs[k] if row_attrs else {}).items()
        )
        lines.append(f"<tr{attrs}>{cells}</tr>")
    return (
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(lines)}</tbody></table></div>"
    )


DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _cell_class(numeric: bool, value: Any) -> str:
    """Numbers right-aligned; dates never broken at their hyphens."""
    if numeric:
        return " class=num"
    return " class=date" if DATE_TEXT.match(_text(value)) else ""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and pd.isna(value):
        return ""
    return str(value)


def _count(value: Any) -> str:
    return "" if value is None or pd.isna(value) else str(int(value))


def _timestamp(value: Any) -> str:
    if value is None or pd.isna(value):
        return ""
    stamp = pd.Timestamp(value)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return str(stamp.strftime("%Y-%m-%d %H:%M UTC"))
