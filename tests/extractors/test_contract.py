"""Every registered source satisfies the Source contract (extractors/contract.py)."""

from __future__ import annotations

import inspect

import pytest

from extractors import (
    OBSERVATION_SOURCES,
    PRIMARY_SOURCE,
    REQUIRED_CREDITS,
    SOURCES,
    required_credits,
)
from extractors.base import OBSERVATIONS, Attribution, Credential, RawTable
from extractors.contract import Source


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_source_declares_the_contract(name: str) -> None:
    source = SOURCES[name]
    assert source.name == name
    assert isinstance(source.DEFAULT_LOCATION, str) and source.DEFAULT_LOCATION.startswith(
        "https://"
    )
    assert isinstance(source.ATTRIBUTION, Attribution)
    assert source.ATTRIBUTION.text and source.ATTRIBUTION.url.startswith("https://")
    assert source.CREDENTIAL is None or isinstance(source.CREDENTIAL, Credential)
    assert isinstance(source.RAW_TABLE, RawTable) and "row_number" in source.RAW_TABLE.columns
    assert source.POST_PARSE is None or callable(source.POST_PARSE)
    for function in ("fetch", "parse"):
        parameters = inspect.signature(getattr(source, function)).parameters
        assert len(parameters) == 1, f"{name}.{function} takes one argument"
    missing = [member for member in Source.__annotations__ if not hasattr(source, member)]
    assert missing == []


def test_the_registry_names_the_primary_source_and_the_observation_sources() -> None:
    assert PRIMARY_SOURCE in SOURCES
    assert set(OBSERVATION_SOURCES) == {
        name for name, source in SOURCES.items() if source.RAW_TABLE == OBSERVATIONS
    }
    assert PRIMARY_SOURCE not in OBSERVATION_SOURCES  # it keeps its richer raw table


def test_a_credential_is_needed_only_where_its_source_says() -> None:
    credentials = {name: s.CREDENTIAL for name, s in SOURCES.items() if s.CREDENTIAL is not None}
    assert set(credentials) == {"artificial_analysis"}
    key = credentials["artificial_analysis"]
    assert key.needed_for("https://artificialanalysis.ai/api/v2/data/llms/models")
    assert not key.needed_for("/srv/saved/llms.json")
    assert key.missing_reason("artificial_analysis").endswith(f"(set {key.setting}); skipped")


def test_the_required_credits_are_the_sources_own_attribution_lines() -> None:
    required = {n: s.ATTRIBUTION.line() for n, s in SOURCES.items() if s.ATTRIBUTION.required}
    assert required == REQUIRED_CREDITS


def test_required_credits_name_only_sources_that_ask_for_them() -> None:
    assert required_credits({"epoch", "weirdml"}) == []
    assert required_credits({"artificial_analysis", "epoch"}) == [
        "Data provided by Artificial Analysis (https://artificialanalysis.ai)"
    ]
