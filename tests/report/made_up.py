"""A tiny hand-written bundle for report tests: MADE-UP models, scores and dates.

One benchmark (GPQA Diamond's file name, invented scores) and the capabilities index that
says which invented model is open. Nothing here is a measurement of any real model. One
display name carries HTML specials, to check the page escapes what it shows.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

MADE_UP_AS_OF = "2025-09-30"


@dataclass(frozen=True)
class MadeUpModel:
    version: str
    display: str
    released: str
    open_weights: bool
    chinese: bool
    score: float
    eci: float


MODELS = (
    MadeUpModel("closed-alpha", "Closed Alpha", "2023-03-01", False, False, 0.40, 110),
    MadeUpModel("open-one", "Open One", "2023-07-01", True, False, 0.38, 108),
    MadeUpModel("closed-beta", "Closed Beta", "2023-09-01", False, False, 0.55, 120),
    MadeUpModel("open-two", "Open <Two> & Co", "2024-02-01", True, True, 0.56, 121),
    MadeUpModel("closed-gamma", "Closed Gamma", "2024-05-01", False, False, 0.70, 132),
    MadeUpModel("open-three", "Open Three", "2024-11-01", True, True, 0.71, 133),
    MadeUpModel("closed-delta", "Closed Delta", "2025-01-15", False, False, 0.82, 145),
    MadeUpModel("open-four", "Open Four", "2025-06-01", True, False, 0.80, 143),
)


def write_bundle(directory: Path) -> Path:
    """Write the made-up bundle (two CSVs in Epoch's layout) and return its directory."""
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / "gpqa_diamond.csv").open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
                "Model version",
                "Best score (across scorers)",
                "Release date",
                "Organization",
                "Country",
                "stderr",
            ]
        )
        for m in MODELS:
            out.writerow([m.version, m.score, m.released, _org(m), _country(m), 0.02])
    with (directory / "epoch_capabilities_index.csv").open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
                "Model version",
                "ECI Score",
                "Release date",
                "Organization",
                "Country",
                "Model accessibility",
                "Training compute (FLOP)",
                "Confidence",
                "Model name",
                "Description",
                "Display name",
            ]
        )
        for m in MODELS:
            access = "Open weights (unrestricted)" if m.open_weights else "API access"
            out.writerow(
                [
                    m.version,
                    m.eci,
                    m.released,
                    _org(m),
                    _country(m),
                    access,
                    "",
                    "Made up",
                    m.display,
                    "",
                    m.display,
                ]
            )
    return directory


def _org(model: MadeUpModel) -> str:
    return "Made-Up Lab CN" if model.chinese else "Made-Up Lab US"


def _country(model: MadeUpModel) -> str:
    return "China" if model.chinese else "United States of America"
