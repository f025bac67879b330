"""Live canaries: each source's real public location, fetched and checked for its layout.

Off by default (the suite is offline); run them by hand or on a schedule:

    .venv/bin/python -m pytest -m live tests/live

Each canary does what `gapwatch sources check NAME` does against the configured default
location: it fails when the source is unreachable or its layout is no longer understood.
Artificial Analysis is skipped without GAPWATCH_AA_API_KEY.
"""

from __future__ import annotations

import pytest

from cli.sources import check_source
from extractors import SOURCES
from pipeline.settings import from_env

pytestmark = pytest.mark.live


@pytest.fixture(autouse=True)
def no_network() -> None:
    """Canaries are the one place the real network is allowed (overrides the offline guard)."""


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_source_layout_is_understood(name: str) -> None:
    check = check_source(from_env(), name)
    if check.status == "skipped":
        pytest.skip(" ".join(check.lines))
    assert check.status == "understood", "\n".join([check.location, *check.lines])
