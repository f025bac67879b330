"""Who published each source's data, in plain text: credited wherever gapwatch shares its data.

The export's data.json embeds these lines for every source whose scores it holds. Epoch AI
licenses its data CC BY 4.0; Artificial Analysis requires "Data provided by Artificial
Analysis" wherever its data is shown; each leaderboard is credited to its publisher (their
licences are not all stated: check before republishing).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Credit:
    publisher: str
    text: str
    url: str
    licence: str | None = None
    # what the source's numbers are, as the report's sentences name them
    label: str = ""


CREDITS: dict[str, Credit] = {
    "epoch": Credit(
        "Epoch AI",
        "Benchmark data: Epoch AI, Benchmarking Hub and Epoch Capabilities Index, "
        "licensed CC BY 4.0.",
        "https://epoch.ai/benchmarks",
        "CC BY 4.0",
        label="Epoch AI benchmarks",
    ),
    "epoch_ai_models": Credit(
        "Epoch AI",
        "Model accessibility: Epoch AI, Data on AI Models, licensed CC BY 4.0.",
        "https://epoch.ai/data/ai-models",
        "CC BY 4.0",
    ),
    "artificial_analysis": Credit(
        "Artificial Analysis",
        "Data provided by Artificial Analysis.",
        "https://artificialanalysis.ai/",
        label="Artificial Analysis evaluations",
    ),
    "aider": Credit(
        "Aider",
        "Aider Polyglot leaderboard: Aider (Apache-2.0).",
        "https://aider.chat/docs/leaderboards/",
        "Apache-2.0",
        label="the Aider Polyglot leaderboard",
    ),
    "metr": Credit("METR", "Time horizons: METR.", "https://metr.org/", label="METR time horizons"),
    "weirdml": Credit(
        "Håvard Tveit Ihle",
        "WeirdML: Håvard Tveit Ihle.",
        "https://htihle.github.io/weirdml.html",
        label="WeirdML",
    ),
    "livebench": Credit(
        "LiveBench", "LiveBench: the LiveBench team.", "https://livebench.ai/", label="LiveBench"
    ),
    "lmarena": Credit("LMArena", "Arena ratings: LMArena.", "https://lmarena.ai/", label="LMArena"),
    "arc_prize": Credit(
        "ARC Prize Foundation",
        "ARC-AGI leaderboard: ARC Prize Foundation.",
        "https://arcprize.org/leaderboard",
        label="ARC Prize",
    ),
}


def credit(source: str) -> Credit:
    """The credit of a source; one not listed is named as it is, never left out."""
    return CREDITS.get(source, Credit(source, f"Data from the source {source}.", "", label=source))


def label(source: str) -> str:
    """How the report's sentences name a source's numbers (the source's name when unlisted)."""
    return credit(source).label or source
