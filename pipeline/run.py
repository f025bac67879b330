"""One refresh: every source through pipeline.steps.SOURCE_STEPS, then the NIGHT_STEPS.

`run()` is the whole night; flows/nightly.py runs the same steps, each as a Prefect task, by
passing its own `call`. A source's failure at any step is caught here, recorded in raw.fetches
and refresh_runs with one line, and leaves that source's last good data in place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from alerts.channels import Channel
from extractors.base import SourceSkipped
from pipeline.night import RefreshResult, Run, SourceOutcome, SourceRun
from pipeline.settings import Settings
from pipeline.steps import NIGHT_STEPS, SOURCE_STEPS, Step

if TYPE_CHECKING:
    import requests

__all__ = ["RefreshResult", "Run", "SourceOutcome", "SourceRun", "direct", "refresh", "run"]

# how a step is executed: directly (`direct`) or as a Prefect task (flows/nightly.py)
Call = Callable[..., Any]


def direct(step: Step, *args: Any) -> Any:
    return step.action(*args)


def run(
    settings: Settings,
    as_of: date,
    sources: Sequence[str] | None = None,
    session: requests.Session | None = None,
    channels: Sequence[Channel] | None = None,
    setup_problems: Sequence[str] = (),
    call: Call = direct,
    flow_run_id: str | None = None,
) -> RefreshResult:
    """The night: every source through SOURCE_STEPS, then NIGHT_STEPS; returns the outcome."""
    with Run(settings, as_of, sources, session, channels, setup_problems, flow_run_id) as night:
        for state in night.source_runs:
            run_source(night, state, call)
        for step in NIGHT_STEPS:
            call(step, night)
        return night.result()


refresh = run  # the name the CLI and the tests have always used


def run_source(night: Run, state: SourceRun, call: Call = direct) -> SourceOutcome | None:
    """One source through its steps; whatever one step raises ends this source only.

    None: the source is queued, its outcome decided by the night's validate-together step.
    """
    for step in SOURCE_STEPS:
        if state.outcome is not None:
            break
        if step.prepared:
            night.prepare()  # a seed that can't be used ends the night, not just this source
        try:
            call(step, night, state)
        except SourceSkipped as reason:
            night.skip(state, str(reason))
        except Exception as error:
            night.fail(state, step.name, error)
    assert state.outcome is not None or state.queued, f"{state.source}: ended without an outcome"
    return state.outcome
