"""Warehouses built once per session from the real snapshots, for tests that only read them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from pipeline.run import refresh
from pipeline.settings import Settings
from tests.conftest import epoch_dir
from tests.warehouse.bundles import Built, make_settings


@pytest.fixture(scope="session")
def snapshot_warehouse(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], Built]:
    """snapshot -> a fresh warehouse holding just that snapshot, refreshed as of its date.

    Built on first use and shared: a refresh of a real snapshot costs about a second.
    Tests must not write to it; copy it with bundles.copy_warehouse first.
    """
    built: dict[str, Built] = {}

    def build(snapshot: str) -> Built:
        if snapshot not in built:
            data_dir = tmp_path_factory.mktemp(f"warehouse-{snapshot}") / "data"
            settings = make_settings(data_dir).with_location(
                "epoch", str(epoch_dir(shared_data, snapshot))
            )
            built[snapshot] = Built(settings, refresh(settings, date.fromisoformat(snapshot)))
        return built[snapshot]

    return build


@pytest.fixture(scope="session")
def all_sources_warehouse(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    """Every source's real sample refreshed once per session; tests only read it."""
    from tests.warehouse.test_sources import AS_OF, all_sources

    settings = all_sources(tmp_path_factory.mktemp("sources") / "data", shared_data)
    result = refresh(settings, AS_OF)
    assert result.ok, result.problems()
    yield settings
