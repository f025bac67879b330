"""LiveBench (https://livebench.ai/): the release table and category map the site's React app loads.

The site serves `table_<YYYY_MM_DD>.csv` (one row per model, one 0-100 column per task) and
`categories_<YYYY_MM_DD>.json` ({category: [task columns]}) for its current release; the date in
the names changes with each release, so fetch discovers it instead of hard-coding it:
- a local directory (or a file in one): the newest `table_*.csv` date among the file names;
- a URL (the site root, with its trailing slash): `table_*.csv` names mentioned in the page or in
  the same-site scripts it loads (`<script src>`), newest date wins.
Both files of that date are then read next to the location.

Metrics: `category:<name>` is the mean of the category's task scores and `global_average` the mean
of the category means, as the leaderboard shows them. Computing these means in parse is still
source-conformed: the publisher defines a category score as exactly that mean of its published
task scores (the site's Averaging.js), so nothing is typed, rescaled or judged here. Like the site,
a blank or non-numeric task cell is left out of its category mean (the omitted tasks are listed in
extra); a category with no task scores gets no value, and then neither does the global average.
metric_version is the release date (YYYY-MM-DD). LiveBench publishes no release dates or
organisations for models.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from urllib.parse import urljoin, urlparse

from extractors.base import OBSERVATIONS, Attribution, Record, SourceError, observation
from extractors.parsing import read_csv, read_json
from extractors.reader import Reader, is_url

name = "livebench"
DEFAULT_LOCATION = "https://livebench.ai/"
ATTRIBUTION = Attribution("LiveBench: the LiveBench team", "https://livebench.ai/")
CREDENTIAL = None
RAW_TABLE = OBSERVATIONS
POST_PARSE = None
TABLE = re.compile(r"table_(\d{4}_\d{2}_\d{2})\.csv")
HEADLINE = "global_average"
MAX_SCRIPTS = 20  # same-site scripts read at most (third-party ones are never fetched)


def fetch(reader: Reader) -> dict[str, bytes]:
    """Find the current release date, then read its table and categories files (I/O only)."""
    release = _current_release(reader)
    files = {}
    for file in (f"table_{release}.csv", f"categories_{release}.json"):
        files[file] = reader.sibling(file)[1]
    return files


def _current_release(reader: Reader) -> str:
    named = TABLE.fullmatch(reader.location.rstrip("/").rsplit("/", 1)[-1])
    if named:
        return named.group(1)
    try:
        listing = reader.listing()
    except OSError as error:
        raise SourceError(f"{name}: cannot list {reader.location} ({error})") from None
    if listing is not None:
        dates = release_dates(" ".join(listing))
        where = f"the file names in {reader.location}"
    else:
        _, page = reader.main("index.html")
        text = page.decode("utf-8", "replace")
        dates = release_dates(text)
        scripts = [urljoin(reader.location, src) for src in script_sources(text)]
        for script in [s for s in scripts if _same_site(reader.location, s)][:MAX_SCRIPTS]:
            dates |= release_dates(reader.sibling(script)[1].decode("utf-8", "replace"))
        where = f"{reader.location} or the scripts it loads"
    if not dates:
        raise SourceError(
            f"{name}: no table_YYYY_MM_DD.csv mentioned in {where}; the site layout changed"
        )
    return max(dates)


def release_dates(text: str) -> set[str]:
    """Release dates (YYYY_MM_DD) of every table_<date>.csv mentioned in a text."""
    return set(TABLE.findall(text))


def script_sources(html: str) -> list[str]:
    """The src of every <script src=...> in a page, in page order."""
    from bs4 import BeautifulSoup  # here, not at the top: read-only commands never parse HTML

    soup = BeautifulSoup(html, "html.parser")
    return [str(tag["src"]) for tag in soup.find_all("script", src=True)]


def _same_site(page: str, script: str) -> bool:
    return is_url(script) and urlparse(script).netloc == urlparse(page).netloc


def parse(files: Mapping[str, bytes]) -> list[Record]:
    """Per model: the global average and one mean per category (0-100), versioned by release."""
    table_file, release = _table(files)
    categories_file = f"categories_{release}.json"
    if categories_file not in files:
        raise SourceError(f"{name}: payload has {table_file} but no {categories_file}")
    categories = _categories(categories_file, files[categories_file])
    rows = _rows(table_file, files[table_file], categories)
    version = release.replace("_", "-")
    records = []
    for row in rows:
        records.extend(_model_records(row, categories, version))
    if not records:
        raise SourceError(f"{name}: {table_file} has no model rows")
    return records


def _table(files: Mapping[str, bytes]) -> tuple[str, str]:
    tables = sorted(file for file in files if TABLE.fullmatch(file))
    if len(tables) != 1:
        raise SourceError(f"{name}: expected one table_YYYY_MM_DD.csv in the payload, got {tables}")
    match = TABLE.fullmatch(tables[0])
    assert match is not None
    return tables[0], match.group(1)


def _categories(file: str, body: bytes) -> dict[str, list[str]]:
    categories = read_json(name, file, body)
    if (
        not isinstance(categories, dict)
        or not categories
        or not all(
            isinstance(tasks, list) and tasks and all(isinstance(t, str) for t in tasks)
            for tasks in categories.values()
        )
    ):
        raise SourceError(f"{name}: {file} is not a {{category: [task columns]}} map")
    return categories


def _rows(file: str, body: bytes, categories: dict[str, list[str]]) -> list[dict[str, str]]:
    columns, rows = read_csv(name, file, body.decode("utf-8-sig"))
    tasks = [task for tasks in categories.values() for task in tasks]
    missing = [column for column in ("model", *tasks) if column not in columns]
    if missing:
        raise SourceError(
            f"{name}: {file} lacks columns {missing} named by the categories file; layout changed"
        )
    return [{key: value or "" for key, value in row.items() if key is not None} for row in rows]


def _model_records(
    row: dict[str, str], categories: dict[str, list[str]], version: str
) -> list[Record]:
    model = row["model"].strip()
    if not model:
        return []
    records = []
    means: list[float] = []
    all_omitted: list[str] = []
    for category, tasks in categories.items():
        scores = {task: _number(row[task]) for task in tasks}
        present = [score for score in scores.values() if score is not None]
        if not present:
            continue
        mean = sum(present) / len(present)
        means.append(mean)
        extra: dict[str, object] = {"tasks": {task: row[task] for task in tasks}}
        omitted = [task for task, score in scores.items() if score is None]
        if omitted:
            extra["missing_tasks"] = omitted
            all_omitted.extend(omitted)
        records.append(_record(model, f"category:{category}", mean, version, extra))
    if len(means) == len(categories):
        global_average = sum(means) / len(means)
        extra = {"categories": len(means)}
        if all_omitted:
            extra["missing_tasks"] = all_omitted
        records.insert(0, _record(model, HEADLINE, global_average, version, extra))
    return records


def _record(model: str, metric: str, value: float, version: str, extra: object) -> Record:
    return observation(
        model=model,
        metric=metric,
        metric_version=version,
        value=str(round(value, 4)),
        unit="percent",
        extra=json.dumps(extra, sort_keys=True),
    )


def _number(text: str) -> float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None
