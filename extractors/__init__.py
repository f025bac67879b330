"""Sources gapwatch reads, listed by hand (no auto-discovery): name -> module."""

from __future__ import annotations

from types import ModuleType

from extractors import (
    aider,
    arc_prize,
    artificial_analysis,
    epoch,
    livebench,
    lmarena,
    metr,
    weirdml,
)

SOURCES: dict[str, ModuleType] = {
    module.name: module
    for module in (epoch, artificial_analysis, aider, metr, weirdml, livebench, lmarena, arc_prize)
}
# sources that parse into the long observation record (everything but Epoch's bundle)
OBSERVATION_SOURCES = tuple(name for name in SOURCES if name != epoch.name)
