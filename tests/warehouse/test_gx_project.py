"""The Great Expectations project a refresh leaves in <data dir>/gx, opened as a GX user would.

The warehouse holds every source's real sample (the session's all-sources refresh), so the
project has every source's suites, checkpoints and stored results. Its Data Docs are built
the way the nightly report builds them and must load nothing from outside the site.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipeline.settings import Settings
from validation.docs import build_data_docs

REMOTE = re.compile(r"https?://", re.IGNORECASE)
LOCAL_REFERENCE = re.compile(r"(?:src|href)=\"([^\"#?]+)[^\"]*\"")


@pytest.fixture(scope="module")
def context(all_sources_warehouse: Settings) -> Any:
    import great_expectations as gx

    return gx.get_context(mode="file", project_root_dir=str(all_sources_warehouse.data_dir))


EPOCH = {f"epoch.{name}" for name in ("score_rows", "collapsed_scores", "registry")}
# the one-payload sources (leaderboards, the status source) are validated together
TOGETHER = {f"observations.{name}" for name in ("score_rows", "collapsed_scores")}


def test_every_source_has_saved_suites_and_checkpoints_with_stored_results(
    context: Any, all_sources_warehouse: Settings
) -> None:
    suites = {suite.name for suite in context.suites.all()}
    checkpoints = {checkpoint.name for checkpoint in context.checkpoints.all()}
    results = context.validation_results_store.list_keys()
    stored = {key.expectation_suite_identifier.name for key in results}
    # every suite that ran on data is saved, has its checkpoint and a stored result: Epoch's
    # score, collapsed and registry suites; the score and collapsed suites of the others, run
    # once over all of them (a first night has no earlier load to count rows against)
    assert stored == suites and suites <= checkpoints
    assert stored == EPOCH | TOGETHER
    # each result is named by the night's run id, as history.refresh_runs records it
    with duckdb.connect(str(all_sources_warehouse.database), read_only=True) as con:
        (run_id,) = con.execute("select distinct run_id from history.refresh_runs").fetchone()
        # and every source's payload was checked: its checks counted in raw.validations
        checked = con.execute(
            "select source from raw.validations where suite = 'all' and expectation like "
            "'% checks run'"
        ).fetchall()
        loaded = con.execute("select distinct source from raw.batches").fetchall()
    assert {key.run_id.run_name for key in results} == {run_id}
    assert sorted(checked) == sorted(loaded) and len(loaded) >= 8


def test_saved_suites_carry_gx_severity_and_condition_objects(context: Any) -> None:
    severities: set[str] = set()
    conditioned = 0
    for suite in context.suites.all():
        for expectation in suite.expectations:
            severities.add(str(expectation.severity.value))
            assert expectation.meta["notes"], f"{suite.name}: an expectation without its note"
            if expectation.row_condition is not None:
                conditioned += 1
                assert not isinstance(expectation.row_condition, str), suite.name
                assert expectation.condition_parser is None, suite.name
    assert severities == {"critical", "warning"}
    assert conditioned >= 5


def test_data_docs_list_every_result_and_load_nothing_remote(
    context: Any, all_sources_warehouse: Settings, tmp_path: Path
) -> None:
    index = build_data_docs(all_sources_warehouse.data_dir, tmp_path / "docs")
    assert index == tmp_path / "docs" / "index.html"
    pages = sorted((tmp_path / "docs").rglob("*.html"))
    results = context.validation_results_store.list_keys()
    assert len(pages) == 1 + len(context.suites.all()) + len(results)
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not REMOTE.search(text), f"{page}: {REMOTE.search(text)}"
        assert "<script" not in text, page
        for target in LOCAL_REFERENCE.findall(text):
            assert (page.parent / target).exists(), f"{page}: {target} is missing"
    for css in (tmp_path / "docs").rglob("*.css"):
        assert not REMOTE.search(css.read_text(encoding="utf-8")), css
    # the index's tables are rows in the page itself (GX fills them with JavaScript)
    text = index.read_text(encoding="utf-8")
    rows = re.findall(r"<tr><td>", text)
    assert len(rows) == len(results) + len(context.suites.all())
    for key in results:
        assert key.expectation_suite_identifier.name in text
