"""Sources gapwatch reads, listed by hand (no auto-discovery): name -> module.

Each module satisfies extractors.base.Source. Adding one: write the module, list it here, add
its catalog seed row and its credit (see README, "Adding a source").

The modules load on the first use of SOURCES (or OBSERVATION_SOURCES), not with the package:
a read command (`gapwatch sql`) that imports a helper of this package (redact, limits) never
pays for the parsers.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from extractors.contract import Source

# each source's module is extractors.<its name>, in the order a night runs them
SOURCE_NAMES: tuple[str, ...] = (
    "epoch",
    "artificial_analysis",
    "aider",
    "metr",
    "weirdml",
    "livebench",
    "lmarena",
    "arc_prize",
    "epoch_ai_models",
)
# the source the report and the CLI prefer when several measure the same thing: its bundle
# carries the model registry (open weights vs API) every other source is matched against
PRIMARY_SOURCE = "epoch"

SOURCES: dict[str, Source]  # loaded by __getattr__ on first use
OBSERVATION_SOURCES: tuple[str, ...]  # sources that load raw.<source>__observations


def _sources() -> dict[str, Source]:
    sources = {}
    for name in SOURCE_NAMES:
        module = import_module(f"{__name__}.{name}")
        if module.name != name:
            raise ImportError(f"extractors.{name} declares the name {module.name!r}")
        sources[name] = cast("Source", module)
    return sources


def __getattr__(attribute: str) -> Any:
    if attribute == "SOURCES":
        if "SOURCES" not in globals():
            globals()["SOURCES"] = _sources()
        return globals()["SOURCES"]
    if attribute == "OBSERVATION_SOURCES":
        from extractors.base import OBSERVATIONS

        observations = tuple(
            name
            for name, source in __getattr__("SOURCES").items()
            if source.RAW_TABLE == OBSERVATIONS
        )
        globals()["OBSERVATION_SOURCES"] = observations
        return observations
    raise AttributeError(f"module {__name__!r} has no attribute {attribute!r}")


# the attribution line of each source whose terms ask for it wherever its numbers are shown
# (its ATTRIBUTION.line() with `required`; tests/extractors/test_contract.py keeps them equal):
# here so that a read command (`gapwatch gaps`) prints it without loading the source's parser
REQUIRED_CREDITS: dict[str, str] = {
    "artificial_analysis": "Data provided by Artificial Analysis (https://artificialanalysis.ai)",
}


def required_credits(sources: list[str] | tuple[str, ...] | set[str]) -> list[str]:
    """The attribution lines that must be shown with these sources' numbers."""
    return [REQUIRED_CREDITS[name] for name in sorted(sources) if name in REQUIRED_CREDITS]
