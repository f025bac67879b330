"""A bundle fetch's files in chunks of bounded rows, for the per-row suites.

Validating every score row of a fetch as one pandas frame makes the night's peak memory grow
with the bundle (each row costs its frame, DuckDB's result and GX's work on it). The per-row
checks judge a row alone and the collapsed-score checks a (benchmark, model version), so the
frames are built and validated a chunk of whole files at a time, a benchmark's files always
together: every check sees exactly the rows it would see in one frame, and a failure is still
attributed to the files its rows come from. A fetch below the limit is one chunk.
"""

from __future__ import annotations

from collections.abc import Iterable

# rows of one chunk: about 30 MiB of frame; today's bundle (about 4,400 rows) is one chunk
CHUNK_ROWS = 50_000


def file_chunks(files: Iterable[tuple[str, str, int]], limit: int | None = None) -> list[list[str]]:
    """(file, benchmark, rows) -> lists of files, each at most `limit` rows unless one
    benchmark alone holds more; files sharing a benchmark are never split. In file order."""
    limit = CHUNK_ROWS if limit is None else limit
    groups: dict[str, list[str]] = {}
    rows: dict[str, int] = {}
    for file, benchmark, count in sorted(files):
        key = benchmark or file
        groups.setdefault(key, []).append(file)
        rows[key] = rows.get(key, 0) + int(count or 0)
    chunks: list[list[str]] = []
    size = 0
    for key, members in groups.items():  # dicts keep insertion order: by each group's first file
        if not chunks or (size and size + rows[key] > limit):
            chunks.append([])
            size = 0
        chunks[-1].extend(members)
        size += rows[key]
    return chunks
