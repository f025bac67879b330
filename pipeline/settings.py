"""Settings read once at the edges (CLI, flow) from the environment and passed down."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from alerts.channels import MAX_FAILURES, WEBHOOK_TIMEOUT_SECONDS
from extractors import SOURCE_NAMES, redact
from extractors.limits import DEFAULT_LIMITS, Limits
from transforms.method import FRONTIER_LAG_MIN_BENCHMARKS
from validation.expectations import EARLIEST_RELEASE
from warehouse.landing import MAX_UNCHANGED_DAYS
from warehouse.where import Warehouse, parse, storage_from_env


def default_locations() -> dict[str, str]:
    """Every registered source reads from its live default unless settings point it elsewhere."""
    from extractors import SOURCES

    return {name: module.DEFAULT_LOCATION for name, module in SOURCES.items()}


def credential_settings() -> tuple[str, ...]:
    """The settings (environment variables) that hold a source's credential (its API key)."""
    from extractors import SOURCES

    return tuple(
        module.CREDENTIAL.setting for module in SOURCES.values() if module.CREDENTIAL is not None
    )


def __getattr__(name: str) -> object:
    # the source modules load when these are first asked for, not with this module
    if name == "DEFAULT_LOCATIONS":
        return default_locations()
    if name == "CREDENTIAL_SETTINGS":
        return credential_settings()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# retries of a URL fetch on the Prefect path, in seconds (GAPWATCH_FETCH_RETRY_DELAYS)
FETCH_RETRY_DELAYS = (30.0, 120.0, 600.0)

USER_AGENT = "gapwatch/0.1 (open-weight vs closed LLM gap tracker; python-requests)"


@dataclass(frozen=True)
class Settings:
    """Everything a refresh or a query needs to know about where things are."""

    data_dir: Path = Path("data")
    db_path: Path | None = None
    locations: Mapping[str, str] = field(default_factory=default_locations)
    # which sources a refresh runs (default: all registered)
    sources: tuple[str, ...] = SOURCE_NAMES
    user_agent: str = USER_AGENT
    http_timeout_seconds: float = 60.0
    http_retries: int = 4
    http_backoff_seconds: float = 2.0
    max_member_bytes: int = DEFAULT_LIMITS.max_member_bytes
    max_payload_bytes: int = DEFAULT_LIMITS.max_payload_bytes
    # may embed a secret token: kept out of repr, logs and the database
    webhook_url: str | None = field(default=None, repr=False)
    # setting name -> value of every source credential (API keys): sent as the source's header,
    # never logged or stored
    credentials: Mapping[str, str] = field(default_factory=dict, repr=False)
    fetch_retry_delays: tuple[float, ...] = FETCH_RETRY_DELAYS
    # frontier lag trend: months with fewer benchmarks stay out of the fit
    frontier_lag_min_benchmarks: int = FRONTIER_LAG_MIN_BENCHMARKS
    # bounds (see extractors/limits.py and README "Under faults"): every wait and size is finite
    download_deadline_seconds: float = DEFAULT_LIMITS.download_seconds
    source_deadline_seconds: float = DEFAULT_LIMITS.source_seconds
    retry_wait_seconds: float = DEFAULT_LIMITS.retry_wait_seconds
    max_expanded_bytes: int = DEFAULT_LIMITS.max_expanded_bytes
    max_csv_field_bytes: int = DEFAULT_LIMITS.max_csv_field_bytes
    max_json_depth: int = DEFAULT_LIMITS.max_json_depth
    webhook_timeout_seconds: float = WEBHOOK_TIMEOUT_SECONDS
    webhook_max_failures: int = MAX_FAILURES
    # a server's 304 is believed for this long after its last full download
    max_unchanged_days: int = MAX_UNCHANGED_DAYS
    # release dates before this quarantine their file
    earliest_release: date = EARLIEST_RELEASE
    # --replay: an as-of before the last night is allowed, and raises no alerts
    replay: bool = False
    # DuckDB's memory during a refresh (its memory_limit): beyond it DuckDB spills to a
    # temporary directory beside the database, so a bigger bundle costs disk, not memory
    duckdb_memory_mib: int = 256

    @property
    def limits(self) -> Limits:
        """The bounds every fetch and parse of a source runs within."""
        return Limits(
            timeout_seconds=self.http_timeout_seconds,
            download_seconds=self.download_deadline_seconds,
            source_seconds=self.source_deadline_seconds,
            retry_wait_seconds=self.retry_wait_seconds,
            max_payload_bytes=self.max_payload_bytes,
            max_member_bytes=self.max_member_bytes,
            max_expanded_bytes=self.max_expanded_bytes,
            max_csv_field_bytes=self.max_csv_field_bytes,
            max_json_depth=self.max_json_depth,
        )

    # GAPWATCH_WAREHOUSE: unset/'duckdb' is the DuckDB file; 'ducklake:...' a DuckLake catalog
    # (may hold a password: kept out of repr)
    warehouse_setting: str | None = field(default=None, repr=False)
    # GAPWATCH_WAREHOUSE_DATA: a DuckLake's data files (default <data dir>/lake)
    lake_data_path: str | None = None
    # reading a DuckLake as of a past night (--night): a date or a snapshot id
    read_night: str | None = None

    @property
    def database(self) -> Path:
        """The DuckDB file; defaults to <data dir>/gapwatch.duckdb."""
        return self.db_path if self.db_path is not None else self.data_dir / "gapwatch.duckdb"

    @property
    def warehouse(self) -> Warehouse:
        """Where the warehouse lives: the DuckDB file, or the DuckLake GAPWATCH_WAREHOUSE names."""
        data_path = self.lake_data_path or str(self.data_dir / "lake")
        return parse(self.warehouse_setting, self.database, data_path, self.read_night)

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
    locations = default_locations()
    for source in locations:
        value = env.get(f"GAPWATCH_{source.upper()}_LOCATION")
        if value:
            locations[source] = value
    storage = storage_from_env(env)
    only = tuple(s.strip() for s in env.get("GAPWATCH_SOURCES", "").split(",") if s.strip())
    settings = Settings(
        data_dir=storage.data_dir,
        db_path=storage.db_path,
        locations=locations,
        sources=only or SOURCE_NAMES,
        http_timeout_seconds=float(env.get("GAPWATCH_HTTP_TIMEOUT", "60")),
        http_retries=int(env.get("GAPWATCH_HTTP_RETRIES", "4")),
        http_backoff_seconds=float(env.get("GAPWATCH_HTTP_BACKOFF", "2")),
        webhook_url=env.get("GAPWATCH_WEBHOOK_URL") or None,
        credentials={name: env[name] for name in credential_settings() if env.get(name)},
        fetch_retry_delays=tuple(
            float(d) for d in env.get("GAPWATCH_FETCH_RETRY_DELAYS", "").split()
        )
        or FETCH_RETRY_DELAYS,
        frontier_lag_min_benchmarks=int(
            env.get("GAPWATCH_FRONTIER_LAG_MIN_BENCHMARKS", str(FRONTIER_LAG_MIN_BENCHMARKS))
        ),
        download_deadline_seconds=_number(env, "GAPWATCH_HTTP_DOWNLOAD_DEADLINE", Settings),
        source_deadline_seconds=_number(env, "GAPWATCH_SOURCE_DEADLINE", Settings),
        retry_wait_seconds=_number(env, "GAPWATCH_HTTP_RETRY_WAIT_MAX", Settings),
        max_payload_bytes=int(_number(env, "GAPWATCH_MAX_PAYLOAD_BYTES", Settings)),
        max_member_bytes=int(_number(env, "GAPWATCH_MAX_MEMBER_BYTES", Settings)),
        max_expanded_bytes=int(_number(env, "GAPWATCH_MAX_EXPANDED_BYTES", Settings)),
        max_csv_field_bytes=int(_number(env, "GAPWATCH_MAX_CSV_FIELD_BYTES", Settings)),
        max_json_depth=int(_number(env, "GAPWATCH_MAX_JSON_DEPTH", Settings)),
        webhook_timeout_seconds=_number(env, "GAPWATCH_WEBHOOK_TIMEOUT", Settings),
        webhook_max_failures=int(_number(env, "GAPWATCH_WEBHOOK_MAX_FAILURES", Settings)),
        max_unchanged_days=int(_number(env, "GAPWATCH_MAX_UNCHANGED_DAYS", Settings)),
        duckdb_memory_mib=int(_number(env, "GAPWATCH_DUCKDB_MEMORY_MIB", Settings)),
        earliest_release=date.fromisoformat(
            env.get("GAPWATCH_EARLIEST_RELEASE") or EARLIEST_RELEASE.isoformat()
        ),
        warehouse_setting=storage.warehouse_setting,
        lake_data_path=storage.lake_data_path,
    )
    # secrets are masked in every log line from the moment they are read
    redact.register(settings.webhook_url)
    for value in settings.credentials.values():
        redact.register(value)
    return settings


# setting name -> the Settings field it overrides (for messages naming a bad value)
_FIELDS = {
    "GAPWATCH_HTTP_DOWNLOAD_DEADLINE": "download_deadline_seconds",
    "GAPWATCH_SOURCE_DEADLINE": "source_deadline_seconds",
    "GAPWATCH_HTTP_RETRY_WAIT_MAX": "retry_wait_seconds",
    "GAPWATCH_MAX_PAYLOAD_BYTES": "max_payload_bytes",
    "GAPWATCH_MAX_MEMBER_BYTES": "max_member_bytes",
    "GAPWATCH_MAX_EXPANDED_BYTES": "max_expanded_bytes",
    "GAPWATCH_MAX_CSV_FIELD_BYTES": "max_csv_field_bytes",
    "GAPWATCH_MAX_JSON_DEPTH": "max_json_depth",
    "GAPWATCH_WEBHOOK_TIMEOUT": "webhook_timeout_seconds",
    "GAPWATCH_WEBHOOK_MAX_FAILURES": "webhook_max_failures",
    "GAPWATCH_MAX_UNCHANGED_DAYS": "max_unchanged_days",
    "GAPWATCH_DUCKDB_MEMORY_MIB": "duckdb_memory_mib",
}


def _number(env: Mapping[str, str], name: str, defaults: type[Settings]) -> float:
    """A numeric setting from the environment, or the Settings default."""
    default = float(getattr(defaults, _FIELDS[name]))
    text = env.get(name)
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{name} must be a number, not {text!r}") from None
    if value <= 0:
        raise ValueError(f"{name} must be positive, not {text!r}")
    return value
