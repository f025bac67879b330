"""Hostile files end with one line naming source and file, in bounded memory and time."""

from __future__ import annotations

import io
import zipfile

import pytest

from extractors.base import SourceError
from extractors.parsing import read_csv, read_json, read_yaml
from extractors.zipsafe import iter_members

# a 293-byte-class "billion laughs": nine levels of nine aliases each
BILLION_LAUGHS = b'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + b"".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n".encode()
    for i in range(8)
)


def lying_zip(members: int, real_size: int) -> bytes:
    """A zip whose members each declare 1 byte but expand to real_size bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index in range(members):
            archive.writestr(f"file{index}.csv", b"0" * real_size)
    body = bytearray(buffer.getvalue())
    # patch the declared uncompressed sizes in the central directory (offset 24 of each entry)
    start = 0
    while (found := body.find(b"PK\x01\x02", start)) != -1:
        body[found + 24 : found + 28] = (1).to_bytes(4, "little")
        start = found + 4
    return bytes(body)


def test_yaml_aliases_are_refused_before_they_expand() -> None:
    with pytest.raises(SourceError) as raised:
        read_yaml("aider", "polyglot_leaderboard.yml", BILLION_LAUGHS)
    assert str(raised.value).startswith("aider: polyglot_leaderboard.yml is not readable YAML")
    assert "anchors and aliases are not allowed" in str(raised.value)
    assert "\n" not in str(raised.value)


def test_deeply_nested_json_is_refused_not_a_recursion_error() -> None:
    body = b"[" * 200_000 + b"]" * 200_000
    with pytest.raises(SourceError, match=r"lmarena: leaderboard\.json nests deeper than 64"):
        read_json("lmarena", "leaderboard.json", body)


def test_deeply_nested_yaml_is_refused() -> None:
    with pytest.raises(SourceError, match=r"metr: results\.yaml nests deeper than"):
        read_yaml("metr", "results.yaml", b"[" * 5_000 + b"]" * 5_000)


def test_a_csv_field_over_the_limit_names_file_and_line() -> None:
    text = "Model version,score\nm1,0.5\nm2," + "9" * 300_000 + "\n"
    with pytest.raises(SourceError) as raised:
        read_csv("epoch", "gpqa_diamond.csv", text, max_field_bytes=131_072)
    assert str(raised.value).startswith("epoch: gpqa_diamond.csv line 3 can't be read as CSV")


def test_a_csv_with_too_many_rows_is_refused() -> None:
    text = "a\n" + "1\n" * 101
    with pytest.raises(SourceError, match="more than 100 rows"):
        read_csv("weirdml", "weirdml.csv", text, max_rows=100)


def test_a_zip_whose_members_lie_about_their_size_is_refused() -> None:
    body = lying_zip(members=8, real_size=400_000)
    with pytest.raises(SourceError, match=r"epoch: zip member 'file0\.csv' is corrupt"):
        dict(iter_members("epoch", body, max_member_bytes=1_000_000, max_total_bytes=1_000_000))


def test_members_within_the_member_limit_stop_at_the_total_limit() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index in range(8):
            archive.writestr(f"file{index}.csv", b"0" * 400_000)
    with pytest.raises(SourceError, match="zip expands to 3200000 bytes, over 1000000"):
        dict(iter_members("epoch", buffer.getvalue(), 1_000_000, 1_000_000))


def test_an_honest_zip_within_the_limits_reads_whole() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.csv", b"x,y\n1,2\n")
    assert dict(iter_members("epoch", buffer.getvalue(), 100, 100)) == {"a.csv": b"x,y\n1,2\n"}
