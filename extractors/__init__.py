"""Sources gapwatch reads, listed by hand (no auto-discovery): name -> module.

Each module satisfies extractors.base.Source. Adding one: write the module, list it here, add
its catalog seed row and its credit (see README, "Adding a source").
"""

from __future__ import annotations

from typing import cast

from extractors import (
    aider,
    arc_prize,
    artificial_analysis,
    epoch,
    epoch_ai_models,
    livebench,
    lmarena,
    metr,
    weirdml,
)
from extractors.base import OBSERVATIONS
from extractors.contract import Source

SOURCES: dict[str, Source] = {
    module.name: cast(Source, module)
    for module in (
        epoch,
        artificial_analysis,
        aider,
        metr,
        weirdml,
        livebench,
        lmarena,
        arc_prize,
        epoch_ai_models,
    )
}
# the source the report and the CLI prefer when several measure the same thing: its bundle
# carries the model registry (open weights vs API) every other source is matched against
PRIMARY_SOURCE = epoch.name
# sources that load the long observation record (raw.<source>__observations)
OBSERVATION_SOURCES = tuple(
    name for name, source in SOURCES.items() if source.RAW_TABLE == OBSERVATIONS
)


def required_credits(sources: list[str] | tuple[str, ...] | set[str]) -> list[str]:
    """The attribution lines that must be shown with these sources' numbers."""
    return [
        SOURCES[name].ATTRIBUTION.line()
        for name in sorted(sources)
        if name in SOURCES and SOURCES[name].ATTRIBUTION.required
    ]
