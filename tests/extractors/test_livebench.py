"""extractors.livebench: release discovery, then table + categories in, category means out."""

from __future__ import annotations

import csv
import http.server
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from extractors import livebench
from extractors.base import OBSERVATION_FIELDS, SourceError
from extractors.http import make_session
from extractors.reader import Reader
from pipeline.settings import USER_AGENT
from tests.conftest import SHARED_DATA, quiet_handler

Starter = Callable[[type[http.server.BaseHTTPRequestHandler]], str]
SNAPSHOTS = ("2026-03-06", "2026-07-01")
FOLDER = SHARED_DATA / "leaderboards" / "livebench"
TABLE, CATEGORIES = "table_2026_01_08.csv", "categories_2026_01_08.json"


def sample_files(snapshot: str) -> dict[str, bytes]:
    return {file: (FOLDER / snapshot / file).read_bytes() for file in (TABLE, CATEGORIES)}


def reader_for(location: str) -> Reader:
    return Reader(livebench.name, location, make_session(USER_AGENT, 0, 0), 5, 10**8)


def test_every_snapshot_is_covered(shared_data: Path) -> None:
    assert tuple(sorted(p.name for p in FOLDER.iterdir())) == SNAPSHOTS


@pytest.mark.parametrize("snapshot", SNAPSHOTS)
def test_global_average_and_one_mean_per_category(snapshot: str) -> None:
    files = sample_files(snapshot)
    rows = list(csv.DictReader(io.StringIO(files[TABLE].decode())))
    categories = json.loads(files[CATEGORIES])

    records = livebench.parse(files)

    assert len(records) == len(rows) * (1 + len(categories))
    for record in records:
        assert tuple(record) == OBSERVATION_FIELDS
        assert (record["unit"], record["metric_version"]) == ("percent", "2026-01-08")
        assert record["release_date"] is record["organization"] is None
    by_key = {(r["model"], r["metric"]): float(r["value"] or "nan") for r in records}
    for row in rows:  # recomputed independently: mean of present tasks, then of categories
        means = []
        for category, tasks in categories.items():
            scores = [float(row[t]) for t in tasks if row[t] not in ("", None)]
            means.append(sum(scores) / len(scores))
            assert by_key[(row["model"], f"category:{category}")] == pytest.approx(
                means[-1], abs=1e-4
            )
        assert by_key[(row["model"], "global_average")] == pytest.approx(
            sum(means) / len(means), abs=1e-4
        )


def test_values_checked_by_hand() -> None:
    records = livebench.parse(sample_files("2026-03-06"))
    by_key = {(r["model"], r["metric"]): r for r in records}

    # first data row, arcee-trinity-large-preview: Reasoning = theory_of_mind 26.923,
    # zebra_puzzle 7.5, spatial 46.0, logic_with_navigation 2.0 -> 82.423 / 4
    reasoning = by_key[("arcee-trinity-large-preview", "category:Reasoning")]
    assert reasoning["value"] == "20.6058"
    assert json.loads(reasoning["extra"] or "") == {
        "tasks": {
            "logic_with_navigation": "2.0",
            "spatial": "46.0",
            "theory_of_mind": "26.923",
            "zebra_puzzle": "7.5",
        }
    }
    # Coding = (code_generation 70.423 + code_completion 60.87) / 2
    assert by_key[("arcee-trinity-large-preview", "category:Coding")]["value"] == "65.6465"
    assert by_key[("arcee-trinity-large-preview", "global_average")]["value"] == "32.741"


def test_blank_task_cells_are_left_out_and_listed() -> None:
    records = livebench.parse(sample_files("2026-07-01"))
    # the nemotron-3-super-120b-a12b row stops before its typescript, typos and zebra_puzzle cells
    nemotron = {r["metric"]: r for r in records if r["model"] == "nemotron-3-super-120b-a12b"}

    agentic = nemotron["category:Agentic Coding"]  # javascript 0.0, python 46.0, typescript ""
    assert agentic["value"] == "23.0"
    assert json.loads(agentic["extra"] or "")["missing_tasks"] == ["typescript"]
    extra = json.loads(nemotron["global_average"]["extra"] or "")
    assert sorted(extra["missing_tasks"]) == ["typescript", "typos", "zebra_puzzle"]


def test_discovery_in_the_shared_directory() -> None:
    files = livebench.fetch(reader_for(str(FOLDER / "2026-07-01")))

    assert files == sample_files("2026-07-01")


def test_directory_discovery_takes_the_newest_date(tmp_path: Path) -> None:
    real = FOLDER / "2026-07-01"
    # the current release links to the real files; an older one is a stub that must not be read
    (tmp_path / TABLE).symlink_to(real / TABLE)
    (tmp_path / CATEGORIES).symlink_to(real / CATEGORIES)
    (tmp_path / "table_2025_12_23.csv").write_text("model\nold,1\n")
    (tmp_path / "categories_2025_12_23.json").write_text("{}")
    (tmp_path / "cost_2026_06_30.csv").write_text("not a table\n")

    files = livebench.fetch(reader_for(str(tmp_path)))

    assert sorted(files) == [CATEGORIES, TABLE]
    assert len(livebench.parse(files)) == 127 * 8


def site_handler(routes: dict[str, bytes], seen: list[str]) -> type:
    class Site(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            body = routes.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

    return quiet_handler(Site)


def test_discovery_follows_the_page_scripts(loopback_server: Starter) -> None:
    real = FOLDER / "2026-07-01"
    page = (
        b'<!doctype html><html><head><script defer="defer" src="/static/js/main.1a2b.js">'
        b'</script><script src="https://www.googletagmanager.com/gtag/js"></script>'
        b'</head><body><div id="root"></div></body></html>'
    )
    bundle = (
        b'fetch("/table_2025_12_23.csv");var r={a:"table_2026_01_08.csv",'
        b'b:"categories_2026_01_08.json"};'
    )
    seen: list[str] = []
    routes = {
        "/": page,
        "/static/js/main.1a2b.js": bundle,
        f"/{TABLE}": (real / TABLE).read_bytes(),
        f"/{CATEGORIES}": (real / CATEGORIES).read_bytes(),
    }
    base = loopback_server(site_handler(routes, seen))

    files = livebench.fetch(reader_for(base + "/"))

    assert files == sample_files("2026-07-01")
    assert seen == ["/", "/static/js/main.1a2b.js", f"/{TABLE}", f"/{CATEGORIES}"]


def test_page_without_a_table_name_is_a_clear_error(loopback_server: Starter) -> None:
    routes = {"/": b"<html><script src='/app.js'></script></html>", "/app.js": b"var x=1;"}
    base = loopback_server(site_handler(routes, []))

    with pytest.raises(SourceError, match=r"^livebench: no table_YYYY_MM_DD\.csv mentioned in"):
        livebench.fetch(reader_for(base + "/"))


def test_discovery_helpers() -> None:
    assert livebench.release_dates("a table_2024_11_25.csv b /table_2026_01_08.csv") == {
        "2024_11_25",
        "2026_01_08",
    }
    html = '<script src="/a.js"></script><script>inline()</script><script src="b.js"></script>'
    assert livebench.script_sources(html) == ["/a.js", "b.js"]


def test_table_missing_a_task_column_is_named() -> None:
    files = sample_files("2026-03-06")
    rows = list(csv.reader(io.StringIO(files[TABLE].decode())))
    drop = rows[0].index("zebra_puzzle")
    out = io.StringIO()
    csv.writer(out).writerows([cell for i, cell in enumerate(row) if i != drop] for row in rows)
    files[TABLE] = out.getvalue().encode()

    with pytest.raises(SourceError, match=r"^livebench: table_2026_01_08\.csv lacks columns "):
        livebench.parse(files)


def test_missing_categories_file_is_named() -> None:
    files = sample_files("2026-03-06")
    del files[CATEGORIES]

    with pytest.raises(SourceError, match=r"but no categories_2026_01_08\.json"):
        livebench.parse(files)
