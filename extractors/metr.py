"""METR time horizons (https://metr.org/time-horizons/): the benchmark_results YAML METR publishes.

Per model, the task length (in minutes of human expert time) at which the model succeeds 50% and
80% of the time: metrics `p50_horizon_length` and `p80_horizon_length`, each with a confidence
interval (kept in extra). Horizons are only comparable within one task suite, so metric_version
is the file's `benchmark_name` (METR-Horizon-v1, METR-Horizon-v1.1, ...).

Two layouts are read:
- v1.1 and the re-issued v1.0: `results.<model>.metrics.<metric>.{estimate,ci_low,ci_high}`.
- the older v1 file: `results.<model>.agents.<agent>.<metric>...`. A model may list several agent
  scaffolds there; we keep the one with the highest p50 estimate (both metrics come from that same
  agent) and record it in extra as `agent`, with the others' p50 estimates as `other_agents`.
  Why the best rather than one row per agent: METR's headline horizon for a model is its
  best-scaffold result, the newer layout already publishes one merged estimate per model, and one
  value per (model, metric, version) is what the warehouse collapses to anyway. Nothing is lost:
  the other agents' values stay in extra. (No published file seen so far lists two agents.)

Location: a file (URL or local), or a local directory holding several `benchmark_results*.yaml`;
from a directory we read the newest by the version in the name: `_1_1` over `_1_0` over the
unversioned `benchmark_results.yaml` (which METR used before it versioned the suite).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from extractors.base import OBSERVATIONS, Attribution, Record, SourceError, observation
from extractors.parsing import read_yaml
from extractors.reader import Reader

name = "metr"
DEFAULT_LOCATION = "https://metr.org/assets/benchmark_results_1_1.yaml"
ATTRIBUTION = Attribution("Time horizons: METR", "https://metr.org/")
CREDENTIAL = None
RAW_TABLE = OBSERVATIONS
POST_PARSE = None
FILE = "benchmark_results_1_1.yaml"
HEADLINE = "p50_horizon_length"
METRICS = (HEADLINE, "p80_horizon_length")
FILE_NAME = re.compile(r"^benchmark_results(?:_(\d+(?:_\d+)*))?\.ya?ml$")
YamlMap = dict[str, Any]  # a YAML mapping, scalars kept as text


def fetch(reader: Reader) -> dict[str, bytes]:
    """Network or disk I/O only; from a directory, the newest benchmark_results file."""
    if reader.is_directory:
        file = newest_file(reader.listing() or [])
        if file is None:
            raise SourceError(f"{name}: no benchmark_results*.yaml in {reader.location}")
        return {file: reader.sibling(file)[1]}
    file, body = reader.main(FILE)
    return {file: body}


def newest_file(names: list[str]) -> str | None:
    """The benchmark_results file with the highest version in its name (unversioned lowest)."""
    versions = {}
    for file in names:
        match = FILE_NAME.match(file)
        if match:
            digits = match.group(1)
            versions[file] = tuple(int(part) for part in digits.split("_")) if digits else ()
    return max(versions, key=lambda file: (versions[file], file)) if versions else None


def parse(files: Mapping[str, bytes]) -> list[Record]:
    """p50 and p80 horizons (minutes) per model, versioned by the file's benchmark_name."""
    payloads = {file: body for file, body in files.items() if not file.startswith("_")}
    if not payloads:
        raise SourceError(f"{name}: payload has no benchmark_results file")
    records = []
    for file, body in sorted(payloads.items()):
        records.extend(_parse_file(file, _load(file, body)))
    return records


def _parse_file(file: str, doc: YamlMap) -> list[Record]:
    results = doc.get("results")
    if not isinstance(results, dict) or not results:
        raise SourceError(f"{name}: {file} has no `results` mapping; the layout changed")
    records = []
    for model, result in results.items():
        if not isinstance(result, dict):
            raise SourceError(f"{name}: {file} result {model!r} is not a mapping")
        version = doc.get("benchmark_name") or result.get("benchmark_name")
        if not version:
            raise SourceError(f"{name}: {file} names no benchmark_name (the metric version)")
        metrics, context = _metrics(file, str(model), result)
        for metric in METRICS:
            block = metrics.get(metric)
            if block is None and metric != HEADLINE:
                continue
            if not isinstance(block, dict) or block.get("estimate") in (None, ""):
                raise SourceError(
                    f"{name}: {file} result {model!r} lacks {metric}.estimate; the layout changed"
                )
            extra = {
                **{bound: block[bound] for bound in ("ci_low", "ci_high") if bound in block},
                **context,
            }
            records.append(
                observation(
                    model=str(model),
                    metric=metric,
                    metric_version=str(version),
                    value=str(block["estimate"]),
                    unit="minutes",
                    release_date=_text(result.get("release_date")),
                    extra=json.dumps(extra, sort_keys=True),
                )
            )
    return records


def _metrics(file: str, model: str, result: YamlMap) -> tuple[YamlMap, dict[str, Any]]:
    """The model's metrics block, and what to keep beside each value (agent, score, sota...)."""
    context: dict[str, Any] = {}
    if isinstance(result.get("metrics"), dict):
        metrics: YamlMap = result["metrics"]
        if result.get("scaffolds") is not None:
            context["scaffolds"] = result["scaffolds"]
    elif isinstance(result.get("agents"), dict):
        agent, metrics, others = _best_agent(file, model, result["agents"])
        context["agent"] = agent
        if others:
            context["other_agents"] = others
    else:
        raise SourceError(
            f"{name}: {file} result {model!r} has neither `metrics` nor `agents`; layout changed"
        )
    average = metrics.get("average_score")
    if isinstance(average, dict) and average.get("estimate") is not None:
        context["average_score"] = average["estimate"]
    for key in ("is_sota", "usage"):
        if metrics.get(key) is not None:
            context[key] = metrics[key]
    return metrics, context


def _best_agent(file: str, model: str, agents: YamlMap) -> tuple[str, YamlMap, dict[str, str]]:
    """The agent with the highest p50 estimate (ties: first by name), and the others' p50s."""
    estimates: dict[str, tuple[float, str]] = {}
    for agent, metrics in agents.items():
        block = metrics.get(HEADLINE) if isinstance(metrics, dict) else None
        estimate = block.get("estimate") if isinstance(block, dict) else None
        if estimate in (None, ""):
            continue
        try:
            estimates[str(agent)] = (float(estimate), str(estimate))
        except ValueError:
            raise SourceError(
                f"{name}: {file} result {model!r} agent {agent!r} has a non-numeric "
                f"{HEADLINE} estimate {estimate!r}"
            ) from None
    if not estimates:
        raise SourceError(f"{name}: {file} result {model!r} has no agent with {HEADLINE}.estimate")
    best = min(estimates, key=lambda agent: (-estimates[agent][0], agent))
    others = {agent: text for agent, (_, text) in sorted(estimates.items()) if agent != best}
    return best, agents[best], others


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _load(file: str, body: bytes) -> YamlMap:
    doc = read_yaml(name, file, body)  # no aliases, bounded depth
    if not isinstance(doc, dict):
        raise SourceError(f"{name}: {file} is not a YAML mapping; the layout changed")
    return doc
