"""The Great Expectations project a GX user opens: `<data dir>/gx/`, a file-backed context.

A refresh saves its suites (`<source>.<suite>`, e.g. `epoch.score_rows`), one validation
definition and one checkpoint per suite (once, and again only when a suite changes), and
stores every validation result under `gx/uncommitted/validations/`.
`gx.get_context(project_root_dir="<data dir>")` opens it;
`context.checkpoints.get("epoch.score_rows")` is the checkpoint the night ran. Data Docs are
built from it by `build_data_docs` (validation/docs.py makes them readable offline).

Without a root (a unit test of one suite) the context is ephemeral: nothing is written.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from validation.expectations import Check
from validation.gx_import import import_great_expectations

GX_DIR = "gx"  # GX's own name for the project folder under the project root
DATASOURCE = "gapwatch"
BATCH = "whole"  # each suite validates one whole frame from the warehouse
# every unexpected row's index: a failure is attributed to the files its rows come from
RESULT_FORMAT = {"result_format": "COMPLETE"}
SITE = "local_site"
# the Data Docs index lists the newest results only: a year of nights would make it megabytes
DOCS_RESULTS_KEPT = 200


def project_dir(root: Path) -> Path:
    """Where the GX project of a data dir lives."""
    return root / GX_DIR


def open_context(root: Path | None) -> Any:
    """The file-backed GX context under root/gx (created on first use), or an ephemeral one."""
    import_great_expectations()
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    if root is None:
        context = gx.get_context(mode="ephemeral")
    else:
        new = not (project_dir(root) / "great_expectations.yml").exists()
        root.mkdir(parents=True, exist_ok=True)
        context = gx.get_context(mode="file", project_root_dir=str(root))
        if new:
            _configure(context)
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def _configure(context: Any) -> None:
    """A new project: no usage statistics, and a Data Docs site without links to GX's web."""
    context.variables.analytics_enabled = False
    context.variables.save()
    site = dict(context.variables.data_docs_sites[SITE])
    site["show_how_to_buttons"] = False
    site["site_index_builder"] = {
        "class_name": "DefaultSiteIndexBuilder",
        "validation_results_limit": DOCS_RESULTS_KEPT,
    }
    context.update_data_docs_site(SITE, site)


def run_checkpoint(checkpoint: Any, frame: pd.DataFrame, run_name: str) -> dict[int, Any]:
    """Run a saved checkpoint (one suite) over frame and store its result under run_name.

    Returns each check's result by its position in the suite's checks (GX does not keep order).
    """
    from great_expectations.core.run_identifier import RunIdentifier

    result = checkpoint.run(
        batch_parameters={"dataframe": frame},
        run_id=RunIdentifier(run_name=run_name, run_time=datetime.now().astimezone()),
    )
    (validation,) = result.run_results.values()
    return {int(o.expectation_config.meta["check"]): o for o in validation.results}


def saved_checkpoints(context: Any, suites: Mapping[str, Sequence[Check]]) -> dict[str, Any]:
    """Checkpoint `name` of each suite, with its validation definition, as saved in the project.

    Saved once, and again only when the suite in code differs from the saved one (or a GX user
    changed it): a night with the same suites writes nothing to gx/ but its results. The data
    assets they validate are added together, in one write of great_expectations.yml.
    """
    import great_expectations as gx

    checkpoints: dict[str, Any] = {}
    stale: dict[str, list[Any]] = {}
    for name, checks in suites.items():
        expectations = numbered(checks)
        saved = _saved(context, name)
        if saved is not None and _current(saved, name, expectations):
            checkpoints[name] = saved
        else:
            stale[name] = expectations
    batches = batch_definitions(context, list(stale))
    for name, expectations in stale.items():
        suite = gx.ExpectationSuite(name=name, expectations=expectations)
        definition = gx.ValidationDefinition(name=name, data=batches[name], suite=suite)
        # GX saves the suite and the validation definition with the checkpoint
        checkpoints[name] = context.checkpoints.add_or_update(
            gx.Checkpoint(
                name=name, validation_definitions=[definition], result_format=RESULT_FORMAT
            )
        )
    return checkpoints


def numbered(checks: Sequence[Check]) -> list[Any]:
    """The checks' expectations, each carrying its position and its note in meta."""
    for index, check in enumerate(checks):
        check.expectation.meta = {"check": index, "notes": check.describe}
    return [check.expectation for check in checks]


def _saved(context: Any, name: str) -> Any:
    from great_expectations.exceptions import DataContextError

    try:
        return context.checkpoints.get(name)
    except (DataContextError, KeyError, ValueError):
        return None


def _current(checkpoint: Any, name: str, expectations: Sequence[Any]) -> bool:
    """The saved checkpoint runs exactly this suite, over the whole-frame batch of asset `name`."""
    if checkpoint.result_format != RESULT_FORMAT or checkpoint.actions:
        return False
    if len(checkpoint.validation_definitions) != 1:
        return False
    (definition,) = checkpoint.validation_definitions
    suite, data = definition.suite, definition.data
    if (definition.name, suite.name, data.name, data.data_asset.name) != (name, name, BATCH, name):
        return False
    saved = sorted((_comparable(e) for e in suite.expectations), key=_position)
    return saved == [_comparable(e) for e in expectations]


def _comparable(expectation: Any) -> dict[str, Any]:
    """An expectation as configured: without the id GX gives it when saved."""
    return dict(expectation.dict(exclude={"rendered_content", "id"}))


def _position(expectation: dict[str, Any]) -> int:
    return int((expectation.get("meta") or {}).get("check", -1))


def batch_definitions(context: Any, assets: Sequence[str]) -> dict[str, Any]:
    """The whole-frame batch definition of each named pandas asset of the gapwatch data source.

    Missing assets are added in one update of the data source: GX's add_dataframe_asset and
    add_batch_definition each rewrite great_expectations.yml (two writes per suite).
    """
    from great_expectations.datasource.fluent import PandasDatasource

    try:
        config = json.loads(context.data_sources.get(DATASOURCE).json())
    except KeyError:
        config = {"name": DATASOURCE, "type": "pandas", "assets": []}
    present = {a["name"]: a for a in config.setdefault("assets", [])}
    changed = False
    for name in assets:
        asset = present.get(name)
        if asset is None:
            asset = {"name": name, "type": "dataframe", "batch_definitions": []}
            config["assets"].append(asset)
        definitions = asset.setdefault("batch_definitions", [])
        if not any(d.get("name") == BATCH for d in definitions):
            definitions.append({"name": BATCH})  # no partitioner: the whole frame
            changed = True
    if changed:
        context.data_sources.add_or_update_pandas(datasource=PandasDatasource.parse_obj(config))
    source = context.data_sources.get(DATASOURCE)
    return {name: source.get_asset(name).get_batch_definition(BATCH) for name in assets}
