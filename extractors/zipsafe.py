"""Read zip members without trusting the archive: no path traversal, bounded sizes.

Sizes are bounded twice: by what the archive declares (checked before anything is read) and
by what it actually expands to while reading (declared sizes can lie), per member and in total.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import PurePosixPath

from extractors.base import SourceError


def iter_members(
    source: str, body: bytes, max_member_bytes: int, max_total_bytes: int
) -> Iterator[tuple[str, bytes]]:
    """Yield (name, content) of each file member, refusing unsafe or oversized archives.

    Every member is checked before any is read, so a bad archive loads nothing at all.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
    except zipfile.BadZipFile as error:
        raise SourceError(
            f"{source}: payload is not a readable zip ({error}); truncated download or not a zip"
        ) from error
    with archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        total = 0
        for info in infos:
            _check_name(source, info.filename)
            if info.file_size > max_member_bytes:
                raise SourceError(
                    f"{source}: zip member {info.filename!r} declares {info.file_size} bytes, "
                    f"over the {max_member_bytes} byte limit (GAPWATCH_MAX_MEMBER_BYTES)"
                )
            total += info.file_size
        if total > max_total_bytes:
            raise SourceError(
                f"{source}: zip expands to {total} bytes, over {max_total_bytes}"
                " (GAPWATCH_MAX_EXPANDED_BYTES)"
            )
        expanded = 0
        for info in infos:
            room = min(max_member_bytes, max_total_bytes - expanded)
            content = _read_member(source, archive, info, room)
            expanded += len(content)
            yield info.filename, content


def _check_name(source: str, name: str) -> None:
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        raise SourceError(f"{source}: zip member {name!r} escapes the archive (path traversal)")


def _read_member(source: str, archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    # the declared size can lie (zip bombs), so the read itself is capped too
    try:
        with archive.open(info) as member:
            content = member.read(limit + 1)
    except (zipfile.BadZipFile, EOFError, OSError) as error:
        raise SourceError(
            f"{source}: zip member {info.filename!r} is corrupt or truncated ({error})"
        ) from error
    if len(content) > limit:
        raise SourceError(
            f"{source}: zip member {info.filename!r} expands past {limit} bytes (the member or "
            "the archive's total size limit); nothing was loaded"
        )
    return content
