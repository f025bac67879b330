"""Synthetic Epoch bundles N times the size of a real snapshot, for scaling measurements.

Every CSV row of the real snapshot is kept and copied N-1 times; each copy names a new model
version (`o3-2025-04-16_high` -> `o3-2025-04-16-syn7_high`: the same family, a new variant,
the effort marker kept at the end) and, where the file has one, a new model name. Scores,
dates and every other column are copied as they are, so the data stays valid and the
leaderboards' real names meet N times as many Epoch models. Written as a zip, the way the
bundle is published.

    python bench/synthetic.py FACTOR OUT.zip [--snapshot DIR]
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import zipfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
SNAPSHOT = PROJECT.parent / "shared" / "data" / "epoch" / "2026-04-19" / "benchmark_data"
VERSION_COLUMNS = ("Model version",)
NAME_COLUMNS = ("Model name",)


def variant(version: str, copy: int) -> str:
    """A new model version of the same family: the variant tag goes before the effort marker."""
    sys.path.insert(0, str(PROJECT))
    from transforms.python.model_aliases import split_effort

    base, _ = split_effort(version)
    stripped = version.strip()
    return f"{base}-syn{copy}{stripped[len(base) :]}" if base else version


def scaled_csv(text: str, factor: int) -> tuple[str, int]:
    """The CSV with every row copied factor-1 times under new model names; and its row count."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        return text, 0
    names = [c.strip() for c in header]
    versions = [i for i, c in enumerate(names) if c in VERSION_COLUMNS]
    labels = [i for i, c in enumerate(names) if c in NAME_COLUMNS]
    rows = list(reader)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    if not versions:  # not a per-model file: kept as it is
        return out.getvalue(), len(rows)
    renamed: dict[tuple[str, int], str] = {}
    for copy in range(1, factor):
        for row in rows:
            new = list(row)
            for i in versions:
                if i < len(new) and new[i].strip():
                    key = (new[i], copy)
                    if key not in renamed:
                        renamed[key] = variant(new[i], copy)
                    new[i] = renamed[key]
            for i in labels:
                if i < len(new) and new[i].strip():
                    new[i] = f"{new[i]} syn{copy}"
            writer.writerow(new)
    return out.getvalue(), len(rows) * factor


def make_bundle(factor: int, out: Path, snapshot: Path = SNAPSHOT) -> int:
    """Write the scaled bundle to `out`; returns how many CSV data rows it holds."""
    total = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in snapshot.rglob("*") if p.is_file()):
            member = path.relative_to(snapshot).as_posix()
            if path.suffix != ".csv":
                archive.write(path, member)
                continue
            text, rows = scaled_csv(path.read_text(encoding="utf-8-sig"), factor)
            archive.writestr(member, text)
            total += rows
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("factor", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--snapshot", type=Path, default=SNAPSHOT)
    args = parser.parse_args()
    rows = make_bundle(args.factor, args.out, args.snapshot)
    print(f"{args.out}: {rows} CSV rows ({args.factor}x {args.snapshot})")


if __name__ == "__main__":
    main()
