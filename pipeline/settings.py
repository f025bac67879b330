"""Settings read once at the edges (CLI, flow) from the environment and passed down."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from extractors import SOURCES
from transforms.method import FRONTIER_LAG_MIN_BENCHMARKS

# every registered source reads from its live default unless settings point it elsewhere
DEFAULT_LOCATIONS: dict[str, str] = {
    name: module.DEFAULT_LOCATION for name, module in SOURCES.items()
}

# the settings (environment variables) that hold a source's credential, e.g. its API key
CREDENTIAL_SETTINGS = tuple(
    module.CREDENTIAL.setting for module in SOURCES.values() if module.CREDENTIAL is not None
)
# retries of a URL fetch on the Prefect path, in seconds (GAPWATCH_FETCH_RETRY_DELAYS)
FETCH_RETRY_DELAYS = (30.0, 120.0, 600.0)

USER_AGENT = "gapwatch/0.1 (open-weight vs closed LLM gap tracker; python-requests)"


@dataclass(frozen=True)
class Settings:
    """Everything a refresh or a query needs to know about where things are."""

    data_dir: Path = Path("data")
    db_path: Path | None = None
    locations: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_LOCATIONS))
    # which sources a refresh runs (default: all registered)
    sources: tuple[str, ...] = tuple(DEFAULT_LOCATIONS)
    user_agent: str = USER_AGENT
    http_timeout_seconds: float = 60.0
    http_retries: int = 4
    http_backoff_seconds: float = 2.0
    max_member_bytes: int = 200 * 1024 * 1024
    max_payload_bytes: int = 500 * 1024 * 1024
    # may embed a secret token: kept out of repr, logs and the database
    webhook_url: str | None = field(default=None, repr=False)
    # setting name -> value of every source credential (API keys): sent as the source's header,
    # never logged or stored
    credentials: Mapping[str, str] = field(default_factory=dict, repr=False)
    fetch_retry_delays: tuple[float, ...] = FETCH_RETRY_DELAYS
    # frontier lag trend: months with fewer benchmarks stay out of the fit
    frontier_lag_min_benchmarks: int = FRONTIER_LAG_MIN_BENCHMARKS

    @property
    def database(self) -> Path:
        """The DuckDB file; defaults to <data dir>/gapwatch.duckdb."""
        return self.db_path if self.db_path is not None else self.data_dir / "gapwatch.duckdb"

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    def with_location(self, source: str, location: str) -> Settings:
        """A copy with one source pointed somewhere else (a URL, a file, a directory)."""
        return replace(self, locations={**self.locations, source: location})

    def with_credential(self, setting: str, value: str) -> Settings:
        """A copy with one credential set (an API key resolved at the edge)."""
        return replace(self, credentials={**self.credentials, setting: value})

    def only(self, *sources: str) -> Settings:
        """A copy that refreshes just these sources."""
        return replace(self, sources=tuple(sources))


def from_env(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from GAPWATCH_* variables; unset ones keep their defaults."""
    env = os.environ if environ is None else environ
    locations = dict(DEFAULT_LOCATIONS)
    for source in DEFAULT_LOCATIONS:
        value = env.get(f"GAPWATCH_{source.upper()}_LOCATION")
        if value:
            locations[source] = value
    db = env.get("GAPWATCH_DB")
    only = tuple(s.strip() for s in env.get("GAPWATCH_SOURCES", "").split(",") if s.strip())
    return Settings(
        data_dir=Path(env.get("GAPWATCH_DATA_DIR", "data")),
        db_path=Path(db) if db else None,
        locations=locations,
        sources=only or tuple(DEFAULT_LOCATIONS),
        http_timeout_seconds=float(env.get("GAPWATCH_HTTP_TIMEOUT", "60")),
        http_retries=int(env.get("GAPWATCH_HTTP_RETRIES", "4")),
        http_backoff_seconds=float(env.get("GAPWATCH_HTTP_BACKOFF", "2")),
        webhook_url=env.get("GAPWATCH_WEBHOOK_URL") or None,
        credentials={name: env[name] for name in CREDENTIAL_SETTINGS if env.get(name)},
        fetch_retry_delays=tuple(
            float(d) for d in env.get("GAPWATCH_FETCH_RETRY_DELAYS", "").split()
        )
        or FETCH_RETRY_DELAYS,
        frontier_lag_min_benchmarks=int(
            env.get("GAPWATCH_FRONTIER_LAG_MIN_BENCHMARKS", str(FRONTIER_LAG_MIN_BENCHMARKS))
        ),
    )
