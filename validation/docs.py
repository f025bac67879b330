"""Great Expectations Data Docs for the night's report, readable with no network.

GX renders Data Docs that load Bootstrap, jQuery, Font Awesome and Vega from CDNs, a logo from
GX's web server, and fill the index tables with JavaScript. Beside a report that is read
offline (and by readers who should not be tracked), each page is rewritten: the index tables
become plain HTML rows, every script and remote stylesheet is dropped, remote images point at
GX's own bundled copies, and a small local stylesheet (docs_offline.css, ours) styles the
pages. No page fetches anything from outside the site.

The site is kept between nights in the project (gx/uncommitted/data_docs/offline_site/): a
build renders only the results and suites that have no page yet (or whose suite changed) and
the index, drops the pages of results the index no longer lists, and copies the site to the
report. A year of nights costs one night's pages per build, not every kept result's.
"""

from __future__ import annotations

import ast
import hashlib
import html
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

from validation.project import SITE, open_context, project_dir

STYLESHEET = Path(__file__).with_name("docs_offline.css")
# the offline site kept between builds, and what each of its suite pages was rendered from
KEPT_SITE = Path("uncommitted", "data_docs", "offline_site")
KEPT_SUITES = Path("uncommitted", "data_docs", "offline_site_suites.json")
LOCAL_STYLESHEET = "static/styles/gapwatch-offline.css"
LOCAL_IMAGES = "static/images"

TABLE_SCRIPT = re.compile(
    r"\$\('#(?P<id>[^']+)'\)\.bootstrapTable\(\s*Object\.assign\(\s*\{\s*"
    r"columns: (?P<columns>\[.*?\]),\s*data: (?P<data>\[.*?\]),\s*toolbar:",
    re.DOTALL,
)
SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL | re.IGNORECASE)
REMOTE_LINK = re.compile(r"<link\b[^>]*\bhref=[\"']https?://[^>]*>", re.IGNORECASE)
REMOTE_IMAGE = re.compile(r"(<img\b[^>]*\bsrc=)[\"']https?://[^\"']*?/([\w.-]+?)(\?[^\"']*)?[\"']")
REMOTE_ANCHOR = re.compile(r"(<a\b[^>]*?)\s+href=[\"']https?://[^\"']*[\"']", re.IGNORECASE)
REMOTE_CSS_URL = re.compile(r"url\(\s*[\"']?https?://[^)\"']*?/([\w.-]+)[\"']?\s*\)")
HEAD_END = re.compile(r"</head>", re.IGNORECASE)
# GX counts a dotted suite name (epoch.score_rows) as one folder: its result pages point one
# level short of static/. Every reference to the site's static/ is made relative again.
STATIC_REFERENCE = re.compile(r"((?:src|href)=[\"'])(?:\./|\.\./)*static/")


def build_data_docs(gx_root: Path, target: Path) -> Path | None:
    """Build the gx/ project's Data Docs into target (offline); None if there is no project."""
    if not (project_dir(gx_root) / "great_expectations.yml").exists():
        return None
    site = project_dir(gx_root) / KEPT_SITE
    context = open_context(gx_root)
    builder = _site_builder(context, site)
    rendered_from = project_dir(gx_root) / KEPT_SUITES
    stale, dropped, suites = _kept_site_changes(context, builder, rendered_from)
    if not (site / "index.html").exists():
        builder.build()  # the first build: every page
    elif stale:
        builder.build(resource_identifiers=stale)  # these pages, and the index
    elif dropped:
        builder.site_index_builder.build()
    make_offline(site)
    rendered_from.write_text(json.dumps(suites, indent=1, sort_keys=True), encoding="utf-8")
    shutil.copytree(site, target, dirs_exist_ok=True)
    return target / "index.html"


def _site_builder(context: Any, site: Path) -> Any:
    """GX's builder of the project's Data Docs site, writing into site."""
    from great_expectations.data_context.util import instantiate_class_from_config

    config = dict(context.variables.data_docs_sites[SITE])
    config["site_name"] = "gapwatch"
    config["store_backend"] = {
        "class_name": "TupleFilesystemStoreBackend",
        "base_directory": str(site.resolve()),
    }
    builder: Any = instantiate_class_from_config(
        config=config,
        runtime_environment={"data_context": context, "root_directory": context.root_directory},
        config_defaults={"module_name": "great_expectations.render.renderer.site_builder"},
    )
    return builder


def _kept_site_changes(
    context: Any, builder: Any, rendered_from: Path
) -> tuple[list[Any], bool, dict[str, str]]:
    """What the kept site lacks a current page for; drops the pages the index no longer lists.

    Returns the stale results and suites, whether pages were dropped, and each saved suite's
    content sha256. Results are immutable: a page once rendered stays right. A suite page is
    stale when the saved suite differs from the one it was rendered from (rendered_from).
    """
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    on_site = set(builder.target_store.list_keys())
    # the results the index lists: the newest, as many as the site's limit (GX's own choice)
    results = sorted(
        context.validation_results_store.list_keys(),
        key=lambda key: key.run_id.run_time,
        reverse=True,
    )[: builder.site_index_builder.validation_results_limit or None]
    pages = builder.target_store.store_backends[ValidationResultIdentifier]
    dropped = [key for key in on_site - set(results) if isinstance(key, ValidationResultIdentifier)]
    for key in dropped:
        pages.remove_key(key.to_tuple())
    stale: list[Any] = [key for key in results if key not in on_site]
    try:
        kept = json.loads(rendered_from.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        kept = {}
    suites = {}
    for key in context.expectations_store.list_keys():
        content = json.dumps(context.expectations_store.get(key), sort_keys=True, default=str)
        suites[key.name] = hashlib.sha256(content.encode()).hexdigest()
        suite = ExpectationSuiteIdentifier(name=key.name)
        if suite not in on_site or kept.get(key.name) != suites[key.name]:
            stale.append(suite)
    return stale, bool(dropped), suites


def make_offline(site: Path) -> None:
    """Rewrite every page and stylesheet of a built site so it loads nothing remote."""
    styles = site / LOCAL_STYLESHEET
    styles.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(STYLESHEET, styles)
    images = site / LOCAL_IMAGES
    styles_dir = site / "static" / "styles"
    for css in styles_dir.glob("*.css"):
        text = css.read_text(encoding="utf-8")
        css.write_text(
            REMOTE_CSS_URL.sub(lambda m: _local_url(images, m.group(1), styles_dir), text),
            encoding="utf-8",
        )
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        offline = offline_page(text, page, site)
        if offline != text:
            page.write_text(offline, "utf-8")
    _prune_unused(site)


def _prune_unused(site: Path) -> None:
    """Drop bundled files no page or stylesheet names (GX's how-to GIFs, unused fonts: 3 MB)."""
    texts = [p.read_text(encoding="utf-8") for p in (*site.rglob("*.html"), *site.rglob("*.css"))]
    for path in list((site / "static").rglob("*")):
        if path.is_file() and path.suffix != ".css" and not any(path.name in t for t in texts):
            path.unlink()


def offline_page(text: str, page: Path, site: Path) -> str:
    """One page with its JavaScript tables rendered and every remote reference removed.

    A page already rewritten (it links the local stylesheet) is returned as it is.
    """
    if LOCAL_STYLESHEET in text:
        return text
    for found in TABLE_SCRIPT.finditer(text):
        text = _fill_table(text, found.group("id"), found.group("columns"), found.group("data"))
    text = SCRIPT.sub("", text)
    text = REMOTE_LINK.sub("", text)
    to_root = os.path.relpath(site, page.parent)
    images = site / LOCAL_IMAGES
    text = REMOTE_IMAGE.sub(
        lambda m: f'{m.group(1)}"{_local_url(images, m.group(2), page.parent, bare=True)}"', text
    )
    text = REMOTE_ANCHOR.sub(r"\1", text)
    text = STATIC_REFERENCE.sub(lambda m: f"{m.group(1)}{to_root}/static/", text)
    text = REMOTE_CSS_URL.sub(lambda m: _local_url(images, m.group(1), page.parent), text)
    stylesheet = f'<link rel="stylesheet" href="{to_root}/{LOCAL_STYLESHEET}">\n</head>'
    return HEAD_END.sub(lambda _: stylesheet, text, count=1)


def _local_url(images: Path, name: str, start: Path, bare: bool = False) -> str:
    """GX's bundled copy of a remote image (by file name), else nothing."""
    local = images / name
    if not local.exists():
        return "" if bare else "none"
    relative = os.path.relpath(local, start)
    return relative if bare else f"url('{relative}')"


def _fill_table(text: str, table_id: str, columns_text: str, data_text: str) -> str:
    """The rows GX's index page builds in the browser, written into its empty <table>."""
    columns = ast.literal_eval(columns_text)
    rows = ast.literal_eval(data_text)
    head = "".join(f"<th>{html.escape(str(c.get('title', c['field'])))}</th>" for c in columns)
    fields = [column["field"] for column in columns]
    linked = "run_time" if "run_time" in fields else fields[0]  # GX makes the whole row a link
    body = []
    for row in rows:
        cells = []
        for field in fields:
            cell = str(row.get(field, ""))
            link = row.get("_table_row_link_path")
            if field == linked and link:
                cell = f'<a href="{html.escape(str(link), quote=True)}">{cell}</a>'
            cells.append(f"<td>{cell}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    opening = re.compile(rf"(<table\s+id=\"{re.escape(table_id)}\"[^>]*>)\s*</table>")
    rendered = f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody>"
    return opening.sub(lambda m: f"{m.group(1)}{rendered}</table>", text, count=1)
