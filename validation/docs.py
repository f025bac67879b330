"""Great Expectations Data Docs for the night's report, readable with no network.

GX renders Data Docs that load Bootstrap, jQuery, Font Awesome and Vega from CDNs, a logo from
GX's web server, and fill the index tables with JavaScript. Beside a report that is read
offline (and by readers who should not be tracked), each page is rewritten: the index tables
become plain HTML rows, every script and remote stylesheet is dropped, remote images point at
GX's own bundled copies, and a small local stylesheet (docs_offline.css, ours) styles the
pages. No page fetches anything from outside the site.
"""

from __future__ import annotations

import ast
import html
import os
import re
import shutil
from pathlib import Path
from typing import Any

from validation.project import SITE, open_context, project_dir

STYLESHEET = Path(__file__).with_name("docs_offline.css")
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
    from great_expectations.data_context.util import instantiate_class_from_config

    context = open_context(gx_root)
    site = dict(context.variables.data_docs_sites[SITE])
    site["site_name"] = "gapwatch"
    site["store_backend"] = {
        "class_name": "TupleFilesystemStoreBackend",
        "base_directory": str(target.resolve()),
    }
    builder: Any = instantiate_class_from_config(
        config=site,
        runtime_environment={"data_context": context, "root_directory": context.root_directory},
        config_defaults={"module_name": "great_expectations.render.renderer.site_builder"},
    )
    builder.build()
    make_offline(target)
    return target / "index.html"


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
        page.write_text(offline_page(page.read_text(encoding="utf-8"), page, site), "utf-8")
    _prune_unused(site)


def _prune_unused(site: Path) -> None:
    """Drop bundled files no page or stylesheet names (GX's how-to GIFs, unused fonts: 3 MB)."""
    texts = [p.read_text(encoding="utf-8") for p in (*site.rglob("*.html"), *site.rglob("*.css"))]
    for path in list((site / "static").rglob("*")):
        if path.is_file() and path.suffix != ".css" and not any(path.name in t for t in texts):
            path.unlink()


def offline_page(text: str, page: Path, site: Path) -> str:
    """One page with its JavaScript tables rendered and every remote reference removed."""
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
