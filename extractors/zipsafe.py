"""Read zip members without trusting the archive: no path traversal, bounded sizes.

Sizes are bounded twice: by what the archive declares (checked before anything is read) and
by what it actually expands to while reading (declared sizes can lie), per member and in total.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import PurePosixPath

from extractors.base import SourceError


def iter_members(
    source: str, body: bytes, max_member_bytes: int, max_total_bytes: int
) -> Iterator[tuple[str, bytes]]:
    """Yield (name, content) of each file member, refusing unsafe or oversized archives.

    Every member is checked before any is read, so a bad archive loads nothing at all.
    """
    members = ZipMembers(source, body, max_member_bytes, max_total_bytes)
    for name in members:
        yield name, members[name]


def _open_archive(source: str, body: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(body))
    except zipfile.BadZipFile as error:
        raise SourceError(
            f"{source}: payload is not a readable zip ({error}); truncated download or not a zip"
        ) from error


def _check_declared(
    source: str, infos: list[zipfile.ZipInfo], max_member_bytes: int, max_total_bytes: int
) -> None:
    """Names and declared sizes, all checked before any member is read."""
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


class ZipMembers(Mapping[str, bytes]):
    """The archive's files by name, each expanded only when asked for (and not kept).

    Names and declared sizes are checked up front, like iter_members, so an unsafe archive is
    refused before anything loads; the expanded sizes are capped as each member is read. A
    bundle many times today's size then never sits in memory expanded all at once: a parser
    that reads file by file holds one file at a time.
    """

    def __init__(
        self, source: str, body: bytes, max_member_bytes: int, max_total_bytes: int
    ) -> None:
        self.source, self.max_member_bytes, self.max_total_bytes = (
            source,
            max_member_bytes,
            max_total_bytes,
        )
        self._archive = _open_archive(source, body)
        infos = self._archive.infolist()
        self._infos = {info.filename: info for info in infos if not info.is_dir()}
        _check_declared(source, list(self._infos.values()), max_member_bytes, max_total_bytes)
        self._expanded: dict[str, int] = {}  # what each member read so far expanded to

    def __getitem__(self, name: str) -> bytes:
        info = self._infos[name]
        room = min(
            self.max_member_bytes,
            self.max_total_bytes - sum(v for k, v in self._expanded.items() if k != name),
        )
        content = _read_member(self.source, self._archive, info, room)
        self._expanded[name] = len(content)
        return content

    def head(self, name: str, size: int) -> bytes:
        """The member's first `size` bytes (a header), without expanding the rest."""
        info = self._infos[name]
        try:
            with self._archive.open(info) as member:
                return member.read(min(size, self.max_member_bytes))
        except (zipfile.BadZipFile, EOFError, OSError) as error:
            raise SourceError(
                f"{self.source}: zip member {name!r} is corrupt or truncated ({error})"
            ) from error

    def __iter__(self) -> Iterator[str]:
        return iter(self._infos)

    def __len__(self) -> int:
        return len(self._infos)

    def __contains__(self, name: object) -> bool:
        return name in self._infos


def head_of(members: Mapping[str, bytes], name: str, size: int) -> bytes:
    """A member's first bytes: read lazily from a ZipMembers, sliced from anything else."""
    if isinstance(members, ZipMembers):
        return members.head(name, size)
    return members[name][:size]
