"""Artificial Analysis (https://artificialanalysis.ai): model evaluations and capability indices.

Data provided by Artificial Analysis (attribution required). Two JSON formats, told apart by
their shape:
(a) the API v2 response, `GET /api/v2/data/llms/models` with the key in the `x-api-key` header:
    {"status", "prompt_options", "data": [model...]}; no open-weights flag;
(b) the leaderboard page payload: {"meta": {..., "fetched_at"}, "models": [model...]}, with
    `open_weights.is_open_weights` and `creator.country`.
One observation per model x evaluation: every key of `evaluations` with a numeric value
(`<key>_is_estimated` flags are not metrics; they go to the extra of `<key>`). model = `slug`,
model_display = `name`, organization = the creator's name, open_weights from format (b) only.
Units: the `artificial_analysis_*_index` values are `index` (0-100), `aa_omniscience` is `points`
(-100..100, can be negative), every other evaluation is a `fraction`.

Index versions. AA has rescaled its Intelligence Index several times (each time changing which
evaluations it combines), and values from different versions must never form one series. The
payloads name no version, so index observations get metric_version `evals-<fp>@<date>`:
- `<fp>`: the first 8 hex digits of the sha256 of the sorted evaluation keys present in the
  payload, without the indices themselves and the `_is_estimated` flags. The key set is what the
  payload says about the index's components; a rescale has so far come with new or dropped
  evaluations, which changes the fingerprint;
- `<date>`: the payload's fetch date, because a rescale that keeps the key set would otherwise go
  unseen: `meta.fetched_at` in format (b); in format (a) the caller passes it as the `_fetched_on`
  pseudo-file (YYYY-MM-DD). Without it the version is `evals-<fp>` alone and the loader should
  add the date. fetch() does not stamp it itself: a date inside the payload would change the
  payload's sha256 every day and defeat the warehouse's "unchanged since last load" check.
Non-index evaluations carry no version (None).

Also here: `parse_table_html`, a BeautifulSoup reader for the leaderboard table as rendered HTML
(the scraped-table fixtures), kept for pages that are scraped rather than fetched as data.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlparse

from bs4 import BeautifulSoup
from bs4.element import Tag

from extractors.base import Record, SourceError, SourceSkipped, observation
from extractors.locations import is_url
from extractors.parsing import as_text, read_json
from extractors.reader import Reader

name = "artificial_analysis"
DEFAULT_LOCATION = "https://artificialanalysis.ai/api/v2/data/llms/models"
API_FILE = "llms_models.json"
PAGE_FILE = "llms.json"
KNOWN_FILES = (API_FILE, PAGE_FILE)
FETCHED_ON = "_fetched_on"
KEY_HEADER = "x-api-key"
KEY_VARIABLE = "GAPWATCH_AA_API_KEY"
INDEX = re.compile(r"artificial_analysis_\w+_index")
POINTS = frozenset({"aa_omniscience"})
ESTIMATED = "_is_estimated"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# the scraped table: the column group holding the index and the per-benchmark scores
SCORE_GROUP = "Model Intelligence"
MODEL_LINK = re.compile(r"/models/([^/?#]+)/?$")


class MissingKey(SourceSkipped):
    """The API needs a key and none is configured: the source is skipped, not failed."""


def fetch(reader: Reader) -> dict[str, bytes]:
    """Network or disk I/O only: the API response, or a saved payload file (or two)."""
    api = is_url(reader.location) and urlparse(reader.location).path.startswith("/api/")
    if api and not any(k.lower() == KEY_HEADER and v for k, v in reader.headers.items()):
        raise MissingKey(f"{name}: no API key (set {KEY_VARIABLE}); skipped")
    if reader.is_directory:
        present = [file for file in reader.listing() or [] if file in KNOWN_FILES]
        if not present:
            raise SourceError(f"{name}: none of {list(KNOWN_FILES)} in {reader.location}")
        return {file: reader.sibling(file)[1] for file in present}
    file, body = reader.main(API_FILE)
    return {API_FILE if api else file: body}


def parse(files: dict[str, bytes]) -> list[Record]:
    """One observation per (model, numeric evaluation) of every payload file."""
    fetched_on = _fetched_on(files)
    payloads = {file: body for file, body in files.items() if not file.startswith("_")}
    if not payloads:
        raise SourceError(f"{name}: payload has no JSON file (got {sorted(files)})")
    records = []
    for file, body in sorted(payloads.items()):
        records.extend(_parse_payload(file, read_json(name, file, body), fetched_on))
    return records


def index_version(evaluation_keys: Iterable[str], fetched_on: str | None) -> str:
    """`evals-<fingerprint of the index components>@<fetch date>` (see the module docstring)."""
    components = sorted(
        {key for key in evaluation_keys if not key.endswith(ESTIMATED) and not INDEX.fullmatch(key)}
    )
    fingerprint = hashlib.sha256("\n".join(components).encode()).hexdigest()[:8]
    return f"evals-{fingerprint}@{fetched_on}" if fetched_on else f"evals-{fingerprint}"


def unit_of(metric: str) -> str:
    """The unit AA publishes an evaluation in."""
    if INDEX.fullmatch(metric):
        return "index"
    return "points" if metric in POINTS else "fraction"


def _parse_payload(file: str, doc: Any, fetched_on: str | None) -> list[Record]:
    if isinstance(doc, dict) and isinstance(doc.get("data"), list):
        if doc.get("status") not in (None, 200):
            raise SourceError(f"{name}: {file} is an API answer with status {doc['status']!r}")
        models, layout, date = doc["data"], "api_v2", fetched_on
    elif isinstance(doc, dict) and isinstance(doc.get("meta"), dict) and "models" in doc:
        if not isinstance(doc["models"], list):
            raise SourceError(f"{name}: {file} `models` is not a list; the layout changed")
        fetched_at = doc["meta"].get("fetched_at")
        page_date = fetched_at[:10] if isinstance(fetched_at, str) else ""
        models, layout = doc["models"], "page_payload"
        date = page_date if ISO_DATE.fullmatch(page_date) else fetched_on
    else:
        raise SourceError(
            f"{name}: {file} is neither an API v2 answer (a `data` list) nor a leaderboard page "
            "payload (`meta` and `models`); the format changed"
        )
    for number, model in enumerate(models, start=1):
        _check_model(file, number, model)
    keys = {key for model in models for key in model["evaluations"]}
    version = index_version(keys, date)
    records = []
    for model in models:
        records.extend(_model_records(model, layout, version))
    if not records:
        raise SourceError(f"{name}: {file} has no numeric evaluation in any model")
    return records


def _check_model(file: str, number: int, model: Any) -> None:
    if not isinstance(model, dict):
        raise SourceError(f"{name}: {file} model {number} is not an object")
    if not isinstance(model.get("slug"), str) or not model["slug"]:
        raise SourceError(f"{name}: {file} model {number} has no `slug`; the layout changed")
    if not isinstance(model.get("evaluations"), dict):
        raise SourceError(
            f"{name}: {file} model {number} ({model['slug']}) has no `evaluations` object"
        )


def _model_records(model: Mapping[str, Any], layout: str, version: str) -> list[Record]:
    evaluations: Mapping[str, Any] = model["evaluations"]
    creator = model.get("creator") or model.get("model_creator")
    if not isinstance(creator, dict):
        creator = {}
    weights = model.get("open_weights") if layout == "page_payload" else None
    common = {"layout": layout, "id": model.get("id"), "creator_slug": creator.get("slug")}
    if isinstance(weights, dict):
        common["license_name"] = weights.get("license_name")
    for key in ("reasoning_model", "deprecated"):
        if model.get(key) is not None:
            common[key] = model[key]
    records = []
    for metric, value in evaluations.items():
        if metric.endswith(ESTIMATED) or not _numeric(value):
            continue
        extra = {k: v for k, v in common.items() if v is not None}
        if f"{metric}{ESTIMATED}" in evaluations:
            extra["is_estimated"] = evaluations[f"{metric}{ESTIMATED}"]
        unit = unit_of(metric)
        records.append(
            observation(
                model=model["slug"],
                model_display=as_text(model.get("name")),
                metric=metric,
                metric_version=version if unit == "index" else None,
                value=as_text(value),
                unit=unit,
                release_date=as_text(model.get("release_date")),
                organization=as_text(creator.get("name")),
                country=as_text(creator.get("country")),
                open_weights=as_text(weights.get("is_open_weights"))
                if isinstance(weights, dict)
                else None,
                extra=json.dumps(extra, sort_keys=True),
            )
        )
    return records


def parse_table_html(
    headers_html: str, rows_html: str, *, fetched_on: str | None = None
) -> list[Record]:
    """Records from the rendered leaderboard table: its <thead> and its <tr> rows, as HTML.

    Header cells name the columns by position. A row with more cells than there are column
    headers had the score group ("Model Intelligence") expanded when it was captured and the
    header had not (the real 2025-08-14 fragments are exactly that): the headers before the
    group's end then map from the left, those after it from the right, and the surplus cells,
    which no header names, are kept in extra as `unlabelled_cells` rather than guessed.
    Score cells ("87%" -> "87", percent; an "...Index" column -> index) become observations;
    the other columns go to extra. The creator comes from the model cell's logo alt text, the
    model id from the row's /models/<slug> link (else the displayed name). Index values are
    versioned like the payloads', fingerprinting the score group's column names, with
    `fetched_on` (YYYY-MM-DD) as the date when the caller knows it.
    """
    columns, groups = _table_headers(headers_html)
    rows = [
        tr
        for tr in BeautifulSoup(rows_html, "html.parser").find_all("tr")
        if tr.find("td", recursive=False)
    ]
    if not rows:
        raise SourceError(f"{name}: the table HTML has no data row (<tr> with <td>)")
    group = next((g for g in groups if g[0] == SCORE_GROUP), None)
    score_columns = set(columns[group[1] : group[2]]) if group else set(columns)
    version = index_version(columns[group[1] : group[2]] if group else columns, fetched_on)
    records = []
    for number, row in enumerate(rows, start=1):
        cells = row.find_all("td", recursive=False)
        mapped, unlabelled = _map_cells(columns, group, cells, number)
        records.extend(_table_records(row, mapped, unlabelled, score_columns, version))
    return records


def _table_headers(html: str) -> tuple[list[str], list[tuple[str, int, int]]]:
    """Column names (last header row, colspans expanded) and the groups of the first row."""
    header_rows = [tr for tr in BeautifulSoup(html, "html.parser").find_all("tr") if tr.find("th")]
    if not header_rows:
        raise SourceError(f"{name}: the table header HTML has no header row (<tr> of <th>)")
    columns = []
    for th in header_rows[-1].find_all("th", recursive=False):
        columns.extend([_cell_text(th)] * _span(th))
    if "Model" not in columns:
        raise SourceError(f"{name}: the table header has no `Model` column (got {columns})")
    groups = []
    if len(header_rows) > 1:
        start = 0
        for th in header_rows[0].find_all("th", recursive=False):
            groups.append((_cell_text(th), start, start + _span(th)))
            start += _span(th)
        if start != len(columns):
            groups = []  # the group row does not line up with the columns: ignore it
    return columns, groups


def _map_cells(
    columns: list[str], group: tuple[str, int, int] | None, cells: list[Tag], number: int
) -> tuple[dict[str, Tag], list[Tag]]:
    if len(cells) == len(columns):
        return dict(zip(columns, cells, strict=True)), []
    if len(cells) < len(columns) or group is None:
        raise SourceError(
            f"{name}: table row {number} has {len(cells)} cells for {len(columns)} header "
            "columns; the table layout changed"
        )
    end, surplus = group[2], len(cells) - len(columns)
    mapped = dict(zip(columns[:end], cells[:end], strict=True))
    mapped.update(zip(columns[end:], cells[end + surplus :], strict=True))
    return mapped, cells[end : end + surplus]


def _table_records(
    row: Tag,
    mapped: dict[str, Tag],
    unlabelled: list[Tag],
    score_columns: set[str],
    version: str,
) -> list[Record]:
    model_cell = mapped["Model"]
    display = _cell_text(model_cell)
    link = next(
        (
            m.group(1)
            for a in row.find_all("a", href=True)
            if (m := MODEL_LINK.search(str(a["href"])))
        ),
        None,
    )
    extra: dict[str, Any] = {"layout": "table_html"}
    if "API Provider" in mapped:
        extra["api_provider"] = _logo_name(mapped["API Provider"]) or _cell_text(
            mapped["API Provider"]
        )
    scores: list[tuple[str, str, str]] = []
    for column, cell in mapped.items():
        text = _cell_text(cell)
        if column in ("Model", "API Provider") or not text:
            continue
        if column in score_columns and text.endswith("%"):
            scores.append((column, text.removesuffix("%").strip(), "percent"))
        elif column in score_columns and "index" in column.lower():
            scores.append((column, text, "index"))
        else:
            extra[column] = text
    if unlabelled:
        extra["unlabelled_cells"] = [_cell_text(cell) for cell in unlabelled]
    return [
        observation(
            model=link or display,
            model_display=display,
            metric=column,
            metric_version=version if unit == "index" else None,
            value=value,
            unit=unit,
            organization=_logo_name(model_cell),
            extra=json.dumps(extra, sort_keys=True),
        )
        for column, value, unit in scores
    ]


def _logo_name(cell: Tag) -> str | None:
    """ "OpenAI" from <img alt="OpenAI logo">."""
    img = cell.find("img", alt=True)
    if not isinstance(img, Tag):
        return None
    alt = " ".join(str(img["alt"]).split())
    return alt.removesuffix(" logo").strip() or None


def _cell_text(cell: Tag) -> str:
    return " ".join(cell.get_text(" ", strip=True).split())


def _span(cell: Tag) -> int:
    try:
        return max(1, int(str(cell.get("colspan") or 1)))
    except ValueError:
        return 1


def _fetched_on(files: dict[str, bytes]) -> str | None:
    if FETCHED_ON not in files:
        return None
    text = files[FETCHED_ON].decode("ascii", "replace").strip()
    if not ISO_DATE.fullmatch(text):
        raise SourceError(f"{name}: {FETCHED_ON} is {text!r}, not a YYYY-MM-DD date")
    return text


def _numeric(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
