"""Screenshots of the report for the README: headline, main figure and alerts, at two widths.

Builds a warehouse from the real shared snapshots (tests/report/nights.py, nights replayed in
order), writes the report, opens it in headless Chromium (no network) at 1400 and 390 pixels
and saves the three sections under docs/screenshots/. Run from the repository root:

    .venv/bin/python docs/make_screenshots.py
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from report import write_report  # noqa: E402
from tests.report.browser import Tab, chromium_path  # noqa: E402
from tests.report.nights import build  # noqa: E402

WIDTHS = {"desktop": 1400, "phone": 390}
SECTIONS = {"headline": "#headline", "gap-over-time": "#gap-over-time", "alerts": "#alerts-section"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PROJECT / "docs" / "screenshots")
    parser.add_argument("--keep", type=Path, help="build the warehouse and report here")
    args = parser.parse_args(argv)
    binary = chromium_path()
    if binary is None:
        raise SystemExit("Chromium is not installed (Debian: apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="gapwatch-shots-") as scratch:
        base = args.keep or Path(scratch)
        database = build(base / "data")
        files = write_report(database, base / "report")
        args.out.mkdir(parents=True, exist_ok=True)
        for device, width in WIDTHS.items():
            with Tab(binary, files.html, width) as tab:
                for section, selector in SECTIONS.items():
                    path = tab.screenshot(selector, args.out / f"{section}-{device}.png")
                    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
