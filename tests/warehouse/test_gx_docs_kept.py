"""Data Docs are kept between builds: a build renders only the new results' pages and the index.

Hand-written frames (two files, three rows), not a snapshot: what is under test is which pages
a build writes, drops and publishes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from validation import expectations
from validation.docs import KEPT_SITE, LOCAL_STYLESHEET, build_data_docs
from validation.project import SITE, open_context, project_dir, run_checkpoint, saved_checkpoints

NAME = "demo.collapsed_scores"
REMOTE = re.compile(r"https?://", re.IGNORECASE)


def night(root: Path, run_name: str) -> None:
    frame = pd.DataFrame(
        {
            "file": ["a.csv", "b.csv", "b.csv"],
            "benchmark_id": ["a", "b", "b"],
            "model_version": ["m1", "m2", "m3"],
        }
    )
    checks = expectations.collapsed_score_checks()
    (checkpoint,) = saved_checkpoints(open_context(root), {NAME: checks}).values()
    run_checkpoint(checkpoint, frame, run_name)


def pages(site: Path) -> dict[str, int]:
    return {str(p.relative_to(site)): p.stat().st_mtime_ns for p in site.rglob("*.html")}


def result_pages(site: Path) -> set[str]:
    return {page for page in pages(site) if page.startswith("validations")}


def test_a_build_renders_only_what_is_new_and_drops_what_the_index_no_longer_lists(
    tmp_path: Path,
) -> None:
    root = tmp_path / "data"
    night(root, "night-1")
    first = build_data_docs(root, tmp_path / "r1")
    assert first is not None
    kept = project_dir(root) / KEPT_SITE
    before = pages(kept)
    assert len(result_pages(tmp_path / "r1")) == 1

    night(root, "night-2")
    build_data_docs(root, tmp_path / "r2")
    after = pages(kept)
    # the first night's result and the unchanged suite were not rendered again; the index was
    changed = {page for page in before if after[page] != before[page]}
    assert changed == {"index.html"}
    (new,) = set(after) - set(before)
    assert "night-2" in new
    published = tmp_path / "r2"
    assert set(pages(published)) == set(after)
    index = (published / "index.html").read_text(encoding="utf-8")
    assert "night-1" in index and "night-2" in index
    for page in published.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not REMOTE.search(text), page
        assert text.count(LOCAL_STYLESHEET) == 1, page  # each page made offline once

    # the index keeps the newest result only: the older page leaves the site and the report
    context = open_context(root)
    site = dict(context.variables.data_docs_sites[SITE])
    site["site_index_builder"] = {**site["site_index_builder"], "validation_results_limit": 1}
    context.update_data_docs_site(SITE, site)
    night(root, "night-3")
    build_data_docs(root, tmp_path / "r3")
    (only,) = result_pages(tmp_path / "r3")
    assert "night-3" in only and result_pages(kept) == {only}
