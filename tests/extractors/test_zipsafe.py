"""extractors.zipsafe: archives are read without trusting their names or sizes."""

from __future__ import annotations

import io
import zipfile

import pytest

from extractors.base import SourceError
from extractors.zipsafe import iter_members

LIMIT = 1_000


def make_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    return buffer.getvalue()


def read_all(body: bytes, member_limit: int = LIMIT, total_limit: int = 10 * LIMIT) -> dict:
    return dict(iter_members("epoch", body, member_limit, total_limit))


def test_members_come_back_with_their_content() -> None:
    body = make_zip({"a.csv": b"x,y\n1,2\n", "sub/b.csv": b"z\n"})

    assert read_all(body) == {"a.csv": b"x,y\n1,2\n", "sub/b.csv": b"z\n"}


@pytest.mark.parametrize(
    "name",
    ["../evil.csv", "data/../../evil.csv", "/etc/evil.csv", "C:/evil.csv", "..\\evil.csv"],
    ids=["parent", "nested-parent", "absolute", "drive-letter", "backslash-parent"],
)
def test_member_escaping_the_archive_is_refused(name: str) -> None:
    body = make_zip({"good.csv": b"x\n", name: b"x\n"})

    with pytest.raises(SourceError, match="path traversal") as error:
        read_all(body)

    assert str(error.value).startswith("epoch: zip member ")
    assert repr(name) in str(error.value)


def test_nothing_is_yielded_before_every_member_is_checked() -> None:
    members = iter_members(
        "epoch", make_zip({"good.csv": b"x\n", "../evil.csv": b"x\n"}), LIMIT, LIMIT
    )

    with pytest.raises(SourceError, match="path traversal"):
        next(members)  # the good member comes first in the archive, yet is never handed out


def test_oversized_member_is_refused() -> None:
    body = make_zip({"small.csv": b"x" * 10, "big.csv": b"x" * (LIMIT + 1)})

    with pytest.raises(SourceError, match=r"'big.csv' declares 1001 bytes, over the 1000 byte"):
        read_all(body)


def test_archive_expanding_past_the_total_limit_is_refused() -> None:
    body = make_zip({f"part{i}.csv": b"x" * 600 for i in range(3)})

    with pytest.raises(SourceError, match="zip expands to 1800 bytes, over 1500"):
        read_all(body, member_limit=LIMIT, total_limit=1_500)


def test_member_that_lies_about_its_size_is_not_expanded() -> None:
    body = bytearray(make_zip({"bomb.csv": b"x" * 5_000}))
    # rewrite the declared size in the central directory to look harmless
    archive = zipfile.ZipFile(io.BytesIO(bytes(body)))
    info = archive.getinfo("bomb.csv")
    central = body.rfind(b"PK\x01\x02")
    assert int.from_bytes(body[central + 24 : central + 28], "little") == info.file_size
    body[central + 24 : central + 28] = (10).to_bytes(4, "little")

    # the read stops at the declared size, and the checksum then gives the lie away
    with pytest.raises(SourceError, match=r"zip member 'bomb\.csv' is corrupt or truncated"):
        read_all(bytes(body))


@pytest.mark.parametrize(
    "body",
    [b"", b"this is not a zip at all", make_zip({"a.csv": b"x" * 500})[:100]],
    ids=["empty", "text", "truncated"],
)
def test_unreadable_archive_is_a_clear_error(body: bytes) -> None:
    with pytest.raises(SourceError, match=r"^epoch: payload is not a readable zip .*truncated"):
        read_all(body)
