"""The sentences a reader quotes, computed from the marts: the headline, the night's changes,
alert events and the pending thresholds.

No matplotlib here: the CLI (`gapwatch gaps`, `gapwatch changes`, `gapwatch alerts`) prints
the same facts the page shows, from the same queries, so the two never disagree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb
import pandas as pd

from extractors import PRIMARY_SOURCE
from extractors.attribution import label as source_label
from warehouse.queries import query

# the headline reads the registry source: the one every other source is matched against
HEADLINE_SOURCE = PRIMARY_SOURCE
# an estimate read at a grid date this long before the as-of date is stale: it says how far
# behind open models were then, not now
STALE_DAYS = 90
# "widest since ..." is said only when the streak is at least this long
SINCE_MIN_DAYS = 180
KIND_ORDER = {"gap_closed": 0, "gap_opened": 1, "open_frontier": 2}
KIND_LABEL = {
    "gap_closed": "gap closed",
    "gap_opened": "gap opened",
    "open_frontier": "new open best",
}


@dataclass(frozen=True)
class Estimate:
    """One series' gap estimate as gap_summary states it."""

    series: str
    gap: float | None
    low: float | None
    high: float | None
    at: date | None
    points: int

    @property
    def present(self) -> bool:
        return self.gap is not None

    def band(self) -> str:
        if self.low is None or self.high is None:
            return "no band"
        return f"90% band {self.low:.1f}–{self.high:.1f}"

    def overlaps(self, other: Estimate) -> bool | None:
        if None in (self.low, self.high, other.low, other.high):
            return None
        return bool(self.low <= other.high and other.low <= self.high)  # type: ignore[operator]


@dataclass(frozen=True)
class Headline:
    """The gap now, how it moved, private vs public, and what is still open."""

    source: str
    as_of: date | None
    now: Estimate
    private: Estimate
    public: Estimate
    benchmarks: int
    previous_night: date | None = None
    previous_gap: float | None = None
    months_ago: dict[int, float] = field(default_factory=dict)
    extreme: str = ""  # "widest" or "narrowest"
    extreme_since: date | None = None
    pending: int = 0
    pending_benchmarks: int = 0
    # other sources' own "all" estimates: (source, gap or None, datapoints)
    others: tuple[tuple[str, float | None, int], ...] = ()

    @property
    def age_days(self) -> int | None:
        if self.as_of is None or self.now.at is None:
            return None
        return (self.as_of - self.now.at).days

    @property
    def stale(self) -> bool:
        age = self.age_days
        return age is not None and age > STALE_DAYS

    def sentences(self) -> list[str]:
        """The headline as plain sentences, each true on its own."""
        scope = source_label(self.source)
        if not self.now.present:
            return [
                f"On {scope} there is no gap estimate yet: {self.now.points} accepted "
                "datapoint(s), too few for a smoothed estimate."
            ]
        age = self.age_days
        when = f"estimated at {_day(self.now.at)}"
        if age is not None and self.as_of is not None:
            when += f", {age} days before the as-of date {_day(self.as_of)}"
            if self.stale:
                when += f" (STALE: older than {STALE_DAYS} days)"
        out = [
            f"On {scope} ({self.now.points} accepted datapoints across {self.benchmarks} "
            f"benchmarks), open-weight models trail the closed frontier by "
            f"{self.now.gap:.1f} months ({self.now.band()}), {when}."
        ]
        out.append(self._trend())
        out.append(self._access())
        if self.pending:
            out.append(
                f"{self.pending} thresholds that a closed model reached are still open (no "
                f"open model yet) on {self.pending_benchmarks} benchmarks where open models "
                "were evaluated."
            )
        else:
            out.append("No threshold reached by a closed model is still open.")
        if self.others:
            said = [
                f"{source_label(source)} {gap:.1f} months ({n} datapoints)"
                if gap is not None
                else f"{source_label(source)} no estimate ({n} datapoints)"
                for source, gap, n in self.others
            ]
            out.append("Other sources, each on its own metrics: " + "; ".join(said) + ".")
        return [s for s in out if s]

    def _trend(self) -> str:
        parts = []
        gap = self.now.gap
        assert gap is not None
        if self.previous_night is not None and self.previous_gap is not None:
            if round(self.previous_gap, 1) == round(gap, 1):
                parts.append(f"is unchanged since the previous night ({_day(self.previous_night)})")
            else:
                parts.append(
                    f"moved {self.previous_gap:.1f} → {gap:.1f} since the previous night "
                    f"({_day(self.previous_night)})"
                )
        if self.months_ago:
            oldest = max(self.months_ago)
            text = (
                f"{_direction(self.months_ago[oldest], gap)} {self.months_ago[oldest]:.1f} "
                f"{SPELLED.get(oldest, str(oldest))} months earlier"
            )
            others = [m for m in sorted(self.months_ago) if m != oldest]
            if others:
                text += (
                    " ("
                    + ", ".join(
                        f"{self.months_ago[m]:.1f} {SPELLED.get(m, str(m))} months earlier"
                        for m in others
                    )
                    + ")"
                )
            parts.append(text)
        if self.extreme and self.extreme_since is not None:
            parts.append(f"is the {self.extreme} since {self.extreme_since:%B %Y}")
        elif self.extreme:
            parts.append(f"is the {self.extreme} on record")
        if not parts:
            return ""
        return "It " + "; ".join(parts) + "."

    def _access(self) -> str:
        p, q = self.private, self.public
        if not (p.present and q.present):
            missing = "private" if not p.present else "public"
            return f"No estimate for {missing} test sets alone."
        assert p.gap is not None and q.gap is not None
        overlap = p.overlaps(q)
        verdict = (
            "their bands overlap, so the difference is not clear"
            if overlap
            else "their bands do not overlap"
        )
        return (
            f"Private test sets: {p.gap:.1f} months ({p.band()}); public: {q.gap:.1f} "
            f"({q.band()}); {verdict}."
        )

    def text(self) -> str:
        return " ".join(self.sentences())


SPELLED = {6: "six", 12: "twelve"}


def _direction(before: float, now: float) -> str:
    if round(before, 1) == round(now, 1):
        return "is level with"
    return "has widened from" if now > before else "has narrowed from"


def _day(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(pd.Timestamp(value).strftime("%Y-%m-%d"))


def _opt(value: Any) -> float | None:
    if value is None or pd.isna(value):
        return None
    return float(value)


def _date(value: Any) -> date | None:
    if value is None or pd.isna(value):
        return None
    result: date = pd.Timestamp(value).date()
    return result


ESTIMATES = query("report", "facts_estimates")

OTHERS = query("report", "facts_others")

POINT_BENCHMARKS = query("report", "facts_point_benchmarks")

# the night before the newest one, and its estimate of the same series
PREVIOUS_NIGHT = query("report", "facts_previous_night")

TREND = query("report", "facts_trend")

# the one definition of "pending": a closed model reached the threshold, no open model has, it
# lies at or above the benchmark's validity floor, and at least one open model was evaluated
# on the benchmark (else "no open model yet" says nothing about open models' ability)
PENDING = query("report", "facts_pending")

# benchmarks with thresholds a closed model reached but no open model evaluated at all
NOT_EVALUATED = query("report", "facts_not_evaluated")


def pending(con: duckdb.DuckDBPyConnection, source: str | None = None) -> pd.DataFrame:
    """The pending thresholds (one definition, see PENDING), longest wait first."""
    frame: pd.DataFrame = con.execute(PENDING).df()
    if source is not None:
        frame = frame[frame["source"] == source].reset_index(drop=True)
    return frame


def not_evaluated(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Benchmarks a closed model crossed thresholds on and no open model was evaluated on."""
    frame: pd.DataFrame = con.execute(NOT_EVALUATED).df()
    return frame


def headline(con: duckdb.DuckDBPyConnection, source: str = HEADLINE_SOURCE) -> Headline:
    """The headline of one source's evidence (Epoch's by default), from the marts."""
    rows = {r[0]: r for r in con.execute(ESTIMATES, {"source": source}).fetchall()}

    def estimate(series: str) -> Estimate:
        r = rows.get(series)
        if r is None:
            return Estimate(series, None, None, None, None, 0)
        return Estimate(series, _opt(r[1]), _opt(r[2]), _opt(r[3]), _date(r[4]), int(r[5] or 0))

    now = estimate("all")
    as_of = _date(rows["all"][6]) if "all" in rows else None
    benchmarks = int(con.execute(POINT_BENCHMARKS, {"source": source}).fetchall()[0][0])
    waiting = pending(con, source)
    result = Headline(
        source=source,
        as_of=as_of,
        now=now,
        private=estimate("private"),
        public=estimate("public"),
        benchmarks=benchmarks,
        pending=len(waiting),
        pending_benchmarks=int(waiting["benchmark_id"].nunique()) if len(waiting) else 0,
        others=tuple(
            (str(r[0]), _opt(r[1]), int(r[2] or 0))
            for r in con.execute(OTHERS, {"source": source}).fetchall()
        ),
    )
    if now.gap is None or now.at is None or as_of is None:
        return result
    previous = con.execute(PREVIOUS_NIGHT, {"source": source, "as_of": as_of}).fetchall()
    trend = con.execute(TREND, {"source": source}).df()
    ago = _months_ago(trend, now.at)
    extreme, since = _extreme(trend, now.at, now.gap)
    return Headline(
        **{
            **result.__dict__,
            "previous_night": _date(previous[0][0]) if previous else None,
            "previous_gap": _opt(previous[0][1]) if previous else None,
            "months_ago": ago,
            "extreme": extreme,
            "extreme_since": since,
        }
    )


def _months_ago(trend: pd.DataFrame, at: date) -> dict[int, float]:
    """The trend 6 and 12 months before the estimate's date (nearest grid date within 2 weeks)."""
    out: dict[int, float] = {}
    if trend.empty:
        return out
    dates = pd.to_datetime(trend["date"])
    for months in (6, 12):
        target = pd.Timestamp(at) - pd.Timedelta(days=round(months * 30.4375))
        distance = (dates - target).abs()
        nearest = distance.idxmin()
        if distance[nearest] <= pd.Timedelta(days=14):
            out[months] = float(trend.loc[nearest, "gap_months"])
    return out


def _extreme(trend: pd.DataFrame, at: date, gap: float) -> tuple[str, date | None]:
    """'widest' or 'narrowest' since the last earlier date the trend was at least as far out.

    Said only when the streak lasts SINCE_MIN_DAYS; ('', None) otherwise. ('widest', None)
    means the widest on record.
    """
    if trend.empty:
        return "", None
    dates = pd.to_datetime(trend["date"])
    before = trend[dates < pd.Timestamp(at)]
    if before.empty:
        return "", None
    first = pd.Timestamp(before["date"].iloc[0]).date()
    for word, beyond in (
        ("widest", before["gap_months"] >= gap),
        ("narrowest", before["gap_months"] <= gap),
    ):
        if not beyond.any():
            if (at - first).days >= SINCE_MIN_DAYS:
                return word, None
            continue
        last = pd.Timestamp(before.loc[beyond, "date"].iloc[-1]).date()
        if (at - last).days >= SINCE_MIN_DAYS:
            return word, last
    return "", None


# ---- alert events ------------------------------------------------------------------------

ALERT_ROWS = query("report", "facts_alert_rows")

EVENT_COLUMNS = [
    "as_of",
    "kind",
    "benchmark",
    "model",
    "released",
    "thresholds",
    "gap_months",
    "scopes",
    "accepted",
    "delivery",
    "alerts",
]


def _threshold(value: float, scale: Any) -> str:
    if scale == "fraction":
        return f"{value * 100:.4g}%"
    if scale == "minutes":
        return f"{value:.4g} min"
    return f"{value:.4g}"


def _span(values: list[str]) -> str:
    unique = list(dict.fromkeys(values))
    return unique[0] if len(unique) == 1 else f"{unique[0]}–{unique[-1]}"


def alert_events(con: duckdb.DuckDBPyConnection, since: date | None = None) -> pd.DataFrame:
    """Alerts grouped into events: one per night, kind, model and benchmark.

    A model crossing five thresholds of one benchmark (in scope all and chinese) is one
    event with a threshold range, not ten alerts. gap_closed events come first, then
    gap_opened, then new open bests; newest night first within each kind.
    """
    rows = con.execute(ALERT_ROWS, {"since": since}).df()
    if rows.empty:
        return pd.DataFrame(columns=EVENT_COLUMNS)
    rows["model"] = rows["open_name"].where(rows["kind"] != "gap_opened", rows["closed_name"])
    rows["released"] = rows["open_release"].where(
        rows["kind"] != "gap_opened", rows["closed_release"]
    )
    rows["model"] = rows["model"].fillna("")
    events = []
    for (as_of, kind, benchmark, model), group in rows.groupby(
        ["as_of", "kind", "benchmark", "model"], sort=False, dropna=False
    ):
        group = group.sort_values("threshold")
        scale = group["scale"].iloc[0]
        gaps = group["gap_months"].dropna()
        all_scope = group[group["open_scope"] == "all"]
        verdicts = all_scope["accepted"].dropna() if len(all_scope) else group["accepted"].dropna()
        accepted = (
            ""
            if kind != "gap_closed" or verdicts.empty
            else "yes"
            if verdicts.all()
            else "no"
            if not verdicts.any()
            else f"{int(verdicts.sum())} of {len(verdicts)}"
        )
        events.append(
            {
                "as_of": as_of,
                "kind": kind,
                "benchmark": benchmark,
                "model": model,
                "released": _date(group["released"].iloc[0]),
                "thresholds": _span([_threshold(t, scale) for t in group["threshold"]]),
                "gap_months": "" if gaps.empty else _span([f"{g:.1f}" for g in sorted(gaps)]),
                "scopes": ", ".join(sorted(set(group["open_scope"]))),
                "accepted": accepted,
                "delivery": _delivery(group),
                "alerts": len(group),
            }
        )
    frame = pd.DataFrame(events, columns=EVENT_COLUMNS)
    frame["_kind"] = frame["kind"].map(KIND_ORDER).fillna(9)
    frame = frame.sort_values(
        ["_kind", "as_of", "benchmark", "model"], ascending=[True, False, True, True]
    )
    return frame.drop(columns="_kind").reset_index(drop=True)


def _delivery(group: pd.DataFrame) -> str:
    """Truthful: sent to named channels, failed with the error, or written to the log only."""
    if group["delivered_at"].isna().any():
        errors = group["delivery_error"].dropna()
        return "not delivered: " + (str(errors.iloc[0]) if len(errors) else "pending")
    channels = sorted({c for text in group["channels"].dropna() for c in str(text).split(", ")})
    return "sent: " + ", ".join(channels) if channels else "log only"


# ---- since last night --------------------------------------------------------------------

NIGHTS = "select distinct as_of from history.gap_history order by as_of desc limit 2"


@dataclass(frozen=True)
class Changes:
    """What the newest night changed against the night before it."""

    night: date | None
    previous: date | None
    events: pd.DataFrame
    gap_before: float | None
    gap_now: float | None
    pending_before: int | None
    pending_now: int | None
    source: str = HEADLINE_SOURCE

    @property
    def scope(self) -> str:
        return "all " + source_label(self.source)

    def sentences(self) -> list[str]:
        if self.night is None:
            return ["No night has been recorded yet."]
        if self.previous is None:
            return [
                f"{_day(self.night)} is the first recorded night: a baseline, nothing to "
                "compare with."
            ]
        counts = self.events["kind"].value_counts() if len(self.events) else pd.Series()
        closed = int(counts.get("gap_closed", 0))
        opened = int(counts.get("gap_opened", 0))
        best = int(counts.get("open_frontier", 0))
        out = [
            f"Night of {_day(self.night)} against the previous one ({_day(self.previous)}): "
            f"{closed} gap(s) closed by an open model, {opened} new threshold(s) reached by a "
            f"closed model only, {best} new open best score(s)."
        ]
        if self.gap_now is not None and self.gap_before is not None:
            word = (
                "unchanged at"
                if round(self.gap_now, 1) == round(self.gap_before, 1)
                else f"{self.gap_before:.1f} →"
            )
            out.append(f"Headline gap ({self.scope}): {word} {self.gap_now:.1f} months.")
        if self.pending_now is not None and self.pending_before is not None:
            out.append(
                f"Thresholds pending above the floor ({self.scope}): {self.pending_before} → "
                f"{self.pending_now}."
            )
        return out


def changes(con: duckdb.DuckDBPyConnection, source: str = HEADLINE_SOURCE) -> Changes:
    """The newest night against the one before, from gap_history and the night's alerts."""
    nights = [_date(r[0]) for r in con.execute(NIGHTS).fetchall()]
    night = nights[0] if nights else None
    previous = nights[1] if len(nights) > 1 else None
    if night is None:
        empty = pd.DataFrame(columns=EVENT_COLUMNS)
        return Changes(None, None, empty, None, None, None, None, source)
    events = alert_events(con, night)
    events = events[events["as_of"] == pd.Timestamp(night)] if len(events) else events
    history = con.execute(
        "select as_of, gap_months, n_pending from history.gap_history "
        "where source = ? and series = 'all' and as_of in (?, ?) "
        "qualify row_number() over (partition by as_of order by run_id desc) = 1",
        [source, night, previous or night],
    ).fetchall()
    by_night = {_date(r[0]): r for r in history}
    now, before = by_night.get(night), by_night.get(previous) if previous else None
    return Changes(
        night,
        previous,
        events.reset_index(drop=True),
        _opt(before[1]) if before else None,
        _opt(now[1]) if now else None,
        int(before[2]) if before and before[2] is not None else None,
        int(now[2]) if now and now[2] is not None else None,
        source,
    )
