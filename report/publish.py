"""Publish the night's report and its data: reports/<as_of>/ and a `latest` copy, each whole.

Beside report.html and figures/, data/ holds every mart as Parquet and CSV plus data.json
(warehouse/export.py), so what a reader sees and what an analyst downloads are one night's;
data-docs/ holds the Great Expectations Data Docs of the gx/ project (validation/docs.py).

A reader (a person, a web server) never sees a half-written report: each directory is
written under a temporary name beside its target and then renamed into place. Where the
kernel offers it (Linux renameat2 RENAME_EXCHANGE) an existing directory is exchanged with
the new one in a single step; elsewhere the old one is moved aside first, a window of two
renames.
"""

from __future__ import annotations

import argparse
import ctypes
import errno
import os
import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from warehouse.collector import paused_then_frozen
from warehouse.where import Warehouse, parse

if TYPE_CHECKING:
    from report.build import ReportFiles

LATEST = "latest"
DATA = "data"
DATA_DOCS = "data-docs"
AT_FDCWD = -100
RENAME_EXCHANGE = 2


def publish(
    database: Warehouse | Path,
    reports_dir: Path,
    as_of: date,
    workers: int | None = None,
    gx_root: Path | None = None,
) -> ReportFiles:
    """Write the report, data/ and (with gx_root, the data dir) data-docs/ to
    reports_dir/<as_of>/; refresh reports_dir/latest/ from it."""
    # imported here: `python -m report.publish` loads them with the collector off (main)
    from report.build import PAGE_NAME, ReportFiles, write_report
    from validation.docs import build_data_docs
    from warehouse.export import export_marts

    reports_dir.mkdir(parents=True, exist_ok=True)
    dated = reports_dir / as_of.isoformat()
    fresh = _temporary_dir(reports_dir, dated.name)
    try:
        files = write_report(database, fresh, workers=workers, png=True)
        export_marts(database, fresh / DATA)
        if gx_root is not None:
            build_data_docs(gx_root, fresh / DATA_DOCS)
        copy = _temporary_dir(reports_dir, LATEST)
        try:
            shutil.copytree(fresh, copy, dirs_exist_ok=True)
            swap_in(fresh, dated)
            swap_in(copy, reports_dir / LATEST)
        finally:
            shutil.rmtree(copy, ignore_errors=True)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    pngs = tuple(dated / p.relative_to(fresh) for p in files.pngs)
    csvs = tuple(dated / p.relative_to(fresh) for p in files.csvs)
    return ReportFiles(html=dated / PAGE_NAME, pngs=pngs, csvs=csvs)


def _temporary_dir(parent: Path, name: str) -> Path:
    """A hidden directory beside its target (same file system, so a rename can move it)."""
    path = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=parent))
    path.chmod(0o755)  # mkdtemp's 0700 would hide the published report from other readers
    return path


def swap_in(new: Path, target: Path) -> None:
    """Put directory new at target, replacing whatever is there; new is gone afterwards."""
    if not target.exists():
        os.rename(new, target)
        return
    if _exchange(new, target):  # new now holds the old report
        shutil.rmtree(new, ignore_errors=True)
        return
    aside = target.with_name(f".{target.name}.old-{os.getpid()}")
    os.rename(target, aside)
    os.rename(new, target)
    shutil.rmtree(aside, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux renameat2); False where that is not available."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    renameat2.restype = ctypes.c_int
    result = renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def main(argv: list[str] | None = None) -> int:
    """Entry point of the nightly flow's report step: publish, print the page's path."""
    parser = argparse.ArgumentParser(
        prog="python -m report.publish",
        description="Write <reports-dir>/<as-of>/ and refresh <reports-dir>/latest/.",
    )
    parser.add_argument(
        "--db", type=Path, required=True, help="the warehouse file (GAPWATCH_WAREHOUSE: a lake)"
    )
    parser.add_argument("--reports-dir", type=Path, required=True, help="e.g. data/reports")
    parser.add_argument("--as-of", type=date.fromisoformat, required=True, help="YYYY-MM-DD")
    parser.add_argument(
        "--gx-root", type=Path, help="the data dir holding gx/: its Data Docs go to data-docs/"
    )
    args = parser.parse_args(argv)
    # a DuckLake warehouse comes from the environment (its catalog may hold a password)
    warehouse = parse(
        os.environ.get("GAPWATCH_WAREHOUSE"),
        args.db,
        os.environ.get("GAPWATCH_WAREHOUSE_DATA") or str(args.db.parent / "lake"),
    )
    with paused_then_frozen():  # a process of its own that exits right after
        from report.build import default_workers

        files = publish(
            warehouse, args.reports_dir, args.as_of, workers=default_workers(), gx_root=args.gx_root
        )
    print(files.html)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
