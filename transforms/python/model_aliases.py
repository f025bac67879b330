"""intermediate.int_model_aliases (marts.model_aliases): one model identity across sources.

Precision over recall.

Every (source, name) gets the model_id of an Epoch model version when, and only when, one rule
matches it unambiguously:
- exact: the name is an Epoch model version;
- alias file: a person mapped it in transforms/seeds/model_aliases.csv;
- normalized: after stripping a provider prefix (`fireworks/`) and a reasoning-effort or token-
  budget marker (`_high`, `:max`, ` (xhigh)`, `_16K`), lower-casing and folding everything but
  letters and digits to `-`, the name equals an Epoch model id; or it is an undated name whose
  family holds exactly one dated snapshot (`gpt-4o-mini` -> `gpt-4o-mini-2024-07-18`); or it
  equals the normalized Epoch model name of exactly one id. An undated name whose family holds
  several snapshots (`claude-3-5-sonnet`: -20240620 and -20241022) matches nothing: the vendor
  may have moved the name to a newer snapshot.
Dates and variant words stay in the key, so gpt-4o / gpt-4o-mini, o1 / o1-preview,
claude-3-5-sonnet-20240620 / -20241022 and DeepSeek-R1 / DeepSeek-R1-0528 never merge. A wrong
join would corrupt every gap; a missing one only costs a row, and lands in unresolved_models
with its nearest candidates for a person to add to the alias file.
"""

from __future__ import annotations

import difflib
import heapq
import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from warehouse.queries import query

NAME = "int_model_aliases"
LAYER = "intermediate"
# what build() reads: the runner orders the models by it
READS = (
    "intermediate.int_models",
    "intermediate.int_observations_collapsed",
    "intermediate.int_batches_current",
    "staging.stg_seeds__model_aliases",
    "staging.stg_seeds__sources",
)
SCHEMA = {
    "source": "varchar",
    "source_name": "varchar",
    "display_name": "varchar",
    "model_id": "varchar",
    "effort": "varchar",
    "method": "varchar",
    "candidates": "varchar",
}
EFFORTS = "minimal|low|medium|high|xhigh|max|none|unknown"
# "_high", ":max" or " (xhigh)" at the very end; never a bare word ("Qwen3 Max" is a model)
_EFFORT = re.compile(rf"(?:[_:](?P<a>{EFFORTS}|\d+k)|\s\((?P<b>{EFFORTS}|\d+k)\))$", re.IGNORECASE)
_SEPARATORS = re.compile(r"[^a-z0-9]+")
_DASHES = re.compile(r"-{2,}")
# a dated snapshot id: family name, then a full date (2024-07-18, 20240620). Short tags like
# -0528 or -2507 are not taken as dates: DeepSeek-R1-0528 is a model of its own, not "R1"
_SNAPSHOT = re.compile(r"^(?P<family>.+?)-(?:\d{4}-\d{2}-\d{2}|\d{8})$")

OBSERVED_NAMES_SQL = query("transforms.python", "model_aliases_observed_names")


def split_effort(name: str) -> tuple[str, str | None]:
    """'o3-2025-04-16_high' -> ('o3-2025-04-16', 'high'); '(16K)' budgets count as effort."""
    match = _EFFORT.search(name.strip())
    if not match:
        return name.strip(), None
    return name[: match.start()].strip(), (match.group("a") or match.group("b")).lower()


def normalize(name: str) -> str:
    """Provider prefix off, lower case, anything but letters and digits folded to one dash."""
    bare = name.strip().rsplit("/", 1)[-1]
    return _DASHES.sub("-", _SEPARATORS.sub("-", bare.lower())).strip("-")


class Matcher:
    """The Epoch side of identity: model ids, and which normalized names point at one id."""

    def __init__(self, versions: list[tuple[str, str | None]], aliases: dict[tuple[str, str], str]):
        self.version_ids: dict[str, str] = {}
        self.efforts: dict[str, str | None] = {}
        by_name: dict[str, set[str]] = defaultdict(set)
        for version, model_name in versions:
            base, effort = split_effort(version)
            model_id = normalize(base)
            self.version_ids[version] = model_id
            self.efforts[version] = effort
            if model_name:
                by_name[normalize(model_name)].add(model_id)
        self.ids = set(self.version_ids.values())
        self.names = {name: next(iter(ids)) for name, ids in by_name.items() if len(ids) == 1}
        self.snapshots: dict[str, set[str]] = defaultdict(set)
        for model_id in self.ids:
            family = _SNAPSHOT.match(model_id)
            if family:
                self.snapshots[family.group("family")].add(model_id)
        self.aliases = aliases
        self._nearest: Nearest | None = None

    def match(self, source: str, name: str, display: str | None) -> dict[str, Any]:
        base, effort = split_effort(name)
        if effort is None and display:
            effort = split_effort(display)[1]
        found = self._find(source, name, display)
        row: dict[str, Any] = {
            "source": source,
            "source_name": name,
            "display_name": display,
            "model_id": None,
            "effort": effort,
            "method": None,
            "candidates": None,
        }
        if found:
            row["model_id"], row["method"] = found
        else:
            key = normalize(base)
            # an ambiguous undated name: its snapshots are the candidates a person picks from
            family = sorted(self.snapshots.get(key, set()))
            row["candidates"] = ", ".join(family or self.nearest(key)) or None
        return row

    def _find(self, source: str, name: str, display: str | None) -> tuple[str, str] | None:
        if (source, name) in self.aliases:
            return self.aliases[(source, name)], "alias file"
        if name in self.version_ids:
            return self.version_ids[name], "exact"
        for text in (name, display):
            if not text:
                continue
            key = normalize(split_effort(text)[0])
            if key in self.ids:
                return key, "normalized"
            dated = self.snapshots.get(key, set())
            if len(dated) > 1:
                return None  # several snapshots share this undated name: ambiguous
            if len(dated) == 1:
                return next(iter(dated)), "normalized"
            if key in self.names:
                return self.names[key], "normalized"
        return None

    def nearest(self, key: str) -> list[str]:
        """The (up to) 3 closest ids, exactly difflib.get_close_matches(key, ids, 3, 0.6)."""
        if self._nearest is None:
            self._nearest = Nearest(sorted(self.ids))
        return self._nearest.get(key)


class Nearest:
    """difflib.get_close_matches over many ids without comparing a name with every one of them.

    difflib's own cheap bound (`quick_ratio`: shared characters, counted with multiplicity) is
    computed for all ids at once from per-character count rows (only the rows of the name's own
    characters are read), ids whose bound is under the cutoff are dropped, and the rest are
    scored best bound first, stopping as soon as no bound left can reach the n-th best score
    (kept in a heap of n); an id whose longest common subsequence with the name bounds its
    score under that is skipped too. Same answer, ties included; the slow
    SequenceMatcher.ratio() runs on a handful of ids instead of all of them.
    """

    def __init__(self, ids: list[str], n: int = 3, cutoff: float = 0.6) -> None:
        self.ids, self.n, self.cutoff = ids, n, cutoff
        self.lengths = np.array([len(text) for text in ids], dtype=np.int64)
        # every character of every id as a code point, and the id it belongs to
        codes = np.frombuffer("".join(ids).encode("utf-32-le"), dtype=np.uint32)
        alphabet, columns = np.unique(codes, return_inverse=True)
        self.column = {chr(code): index for index, code in enumerate(alphabet.tolist())}
        owners = np.repeat(np.arange(len(ids)), self.lengths)
        # counts[character, id]: one contiguous row per character
        flat = np.bincount(columns * len(ids) + owners, minlength=len(alphabet) * len(ids))
        self.counts = flat.reshape(len(alphabet), len(ids)).astype(np.int32)
        self.cache: dict[str, list[str]] = {}

    def get(self, key: str) -> list[str]:
        if key not in self.cache:
            self.cache[key] = self._search(key)
        return self.cache[key]

    def _search(self, key: str) -> list[str]:
        if not self.ids:
            return []
        shared = np.zeros(len(self.ids), dtype=np.int64)
        for char, wanted in Counter(key).items():
            if char in self.column:
                shared += np.minimum(self.counts[self.column[char]], wanted)
        # difflib's quick_ratio, to the same float: 2.0 * matches / (len(a) + len(b)), 1.0 if 0
        total = self.lengths + len(key)
        bound = np.ones(len(self.ids))
        np.divide(2.0 * shared, total, out=bound, where=total > 0)
        hopeful = np.flatnonzero(bound >= self.cutoff)
        order = hopeful[np.argsort(-bound[hopeful], kind="stable")]
        matcher = difflib.SequenceMatcher()
        matcher.set_seq2(key)
        positions = _positions(key)
        best: list[tuple[float, str]] = []  # the n best (score, id) so far, smallest first
        for index in order.tolist():
            if len(best) >= self.n and bound[index] < best[0][0]:
                break  # no id left can reach the top n, not even as a tie
            text = self.ids[index]
            lengths = len(text) + len(key)
            # a second, tighter bound: difflib's matching blocks are a common subsequence, so
            # ratio() <= 2 * LCS / lengths; an id under the cutoff or the n-th best is skipped
            floor = best[0][0] if len(best) >= self.n else self.cutoff
            if lengths and 2.0 * _common_subsequence(text, positions, len(key)) / lengths < floor:
                continue
            matcher.set_seq1(text)
            if matcher.real_quick_ratio() >= self.cutoff:
                score = matcher.ratio()
                if score >= self.cutoff:
                    scored = (score, self.ids[index])
                    if len(best) < self.n:
                        heapq.heappush(best, scored)
                    elif scored > best[0]:
                        heapq.heapreplace(best, scored)
        return [text for _, text in sorted(best, reverse=True)]


def _positions(key: str) -> dict[str, int]:
    """Each character of key -> a bit mask of where it occurs in key."""
    masks: dict[str, int] = {}
    for position, char in enumerate(key):
        masks[char] = masks.get(char, 0) | (1 << position)
    return masks


def _common_subsequence(text: str, positions: Mapping[str, int], length: int) -> int:
    """The length of the longest common subsequence of text and the key of `positions`.

    Bit-parallel (one pass over text, a few integer operations per character): far cheaper
    than the SequenceMatcher.ratio() it bounds.
    """
    row = (1 << length) - 1
    for char in text:
        matched = row & positions.get(char, 0)
        row = (row + matched) | (row - matched)
    return length - (row & ((1 << length) - 1)).bit_count()


@dataclass(frozen=True)
class Inputs:
    """What the matching reads from the warehouse (load())."""

    versions: list[tuple[Any, Any]]  # (model_version, model_name) of every model
    aliases: dict[tuple[str, str], str]  # (source, source name) -> model id, from the seed
    registry: str  # the registry source: its own names are the model versions
    observed: list[tuple[Any, Any, Any]]  # (source, name, display name) the sources use


def build(con: duckdb.DuckDBPyConnection, params: Mapping[str, Any]) -> pd.DataFrame:
    return compute(load(con, params), params)


def load(con: duckdb.DuckDBPyConnection, params: Mapping[str, Any]) -> Inputs:
    versions = con.execute(
        "select model_version, model_name from intermediate.int_models as models"
    ).fetchall()
    aliases = {
        (str(s).strip(), str(n).strip()): str(m).strip()
        for s, n, m in con.execute(
            "select source, source_name, model_id from staging.stg_seeds__model_aliases"
        ).fetchall()
    }
    [(registry,)] = con.execute(
        "select source from staging.stg_seeds__sources as sources where role = 'registry'"
    ).fetchall()
    return Inputs(versions, aliases, registry, con.execute(OBSERVED_NAMES_SQL).fetchall())


def compute(inputs: Inputs, params: Mapping[str, Any]) -> pd.DataFrame:
    """The matching, without the connection (the runner runs it on a worker thread while the
    connection builds other tables)."""
    versions, registry = inputs.versions, inputs.registry
    matcher = Matcher(versions, inputs.aliases)
    # the registry's own names match exactly: they are the model versions themselves
    rows = [
        {
            "source": registry,
            "source_name": version,
            "display_name": None,
            "model_id": matcher.version_ids[version],
            "effort": matcher.efforts[version],
            "method": "exact",
            "candidates": None,
        }
        for version, _ in versions
    ]
    for source, name, display in inputs.observed:
        rows.append(matcher.match(source, name, display))
    frame = pd.DataFrame(rows, columns=list(SCHEMA))
    return frame.drop_duplicates(["source", "source_name"]).reset_index(drop=True)
