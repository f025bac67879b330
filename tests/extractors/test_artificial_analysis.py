"""extractors.artificial_analysis: API and page payloads, index versions, the key."""

from __future__ import annotations

import hashlib
import http.server
import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from extractors import artificial_analysis as aa
from extractors.base import OBSERVATION_FIELDS, SourceError, SourceSkipped
from extractors.http import make_session
from extractors.reader import Reader
from pipeline.settings import USER_AGENT
from tests.conftest import SHARED_DATA, quiet_handler

Starter = Callable[[type[http.server.BaseHTTPRequestHandler]], str]
FOLDER = SHARED_DATA / "artificial_analysis"
API_DATES = ("2026-07-09", "2026-07-23")
PAGE_DATES = ("2026-04-10", "2026-06-01", "2026-07-09", "2026-07-10")
KEY = "aa-test-key-5f1c2d9e"  # made up; must never show up in a message or a log line
API_PATH = "/api/v2/data/llms/models"


def api_sample(date: str) -> bytes:
    return (FOLDER / "api_v2" / date / "llms_models.json").read_bytes()


def page_sample(date: str) -> bytes:
    return (FOLDER / "leaderboard_page_payload" / date / "llms.json").read_bytes()


def numeric_evaluations(models: list[dict[str, Any]]) -> int:
    return sum(
        1
        for model in models
        for value in model["evaluations"].values()
        if isinstance(value, int | float) and not isinstance(value, bool)
    )


def fingerprint(models: list[dict[str, Any]]) -> str:
    keys = {key for model in models for key in model["evaluations"]}
    components = sorted(
        k for k in keys if not k.endswith("_is_estimated") and not k.endswith("_index")
    )
    return hashlib.sha256("\n".join(components).encode()).hexdigest()[:8]


def by_key(records: list[dict[str, str | None]]) -> dict[tuple[str, str], dict[str, str | None]]:
    return {(r["model"] or "", r["metric"] or ""): r for r in records}


def test_every_snapshot_is_covered(shared_data: Path) -> None:
    assert tuple(sorted(p.name for p in (FOLDER / "api_v2").iterdir())) == API_DATES
    found = tuple(sorted(p.name for p in (FOLDER / "leaderboard_page_payload").iterdir()))
    assert found == PAGE_DATES


@pytest.mark.parametrize("date", API_DATES)
def test_api_payload(date: str) -> None:
    doc = json.loads(api_sample(date))

    records = aa.parse({aa.API_FILE: api_sample(date), aa.FETCHED_ON: date.encode()})

    assert len(records) == numeric_evaluations(doc["data"])
    version = f"evals-{fingerprint(doc['data'])}@{date}"
    for record in records:
        assert tuple(record) == OBSERVATION_FIELDS
        assert record["open_weights"] is record["country"] is None  # the API has neither
        if record["unit"] == "index":
            assert record["metric"].startswith("artificial_analysis_")  # type: ignore[union-attr]
            assert record["metric_version"] == version
        else:
            assert (record["unit"], record["metric_version"]) == ("fraction", None)


def test_api_values_checked_by_hand() -> None:
    records = aa.parse({aa.API_FILE: api_sample("2026-07-09"), aa.FETCHED_ON: b"2026-07-09"})
    found = by_key(records)

    # data[0] of the 2026-07-09 response: gpt-oss-120b (high)
    index = found[("gpt-oss-120b", "artificial_analysis_intelligence_index")]
    assert index == {
        **index,
        "model_display": "gpt-oss-120b (high)",
        "value": "23.8",
        "unit": "index",
        "release_date": "2025-08-05",
        "organization": "OpenAI",
    }
    assert found[("gpt-oss-120b", "gpqa")]["value"] == "0.782"
    assert found[("gpt-oss-120b", "artificial_analysis_math_index")]["value"] == "93.4"
    assert ("gpt-oss-120b", "math_500") not in found  # null in the response: no observation


@pytest.mark.parametrize("date", PAGE_DATES)
def test_page_payload(date: str) -> None:
    doc = json.loads(page_sample(date))

    records = aa.parse({aa.PAGE_FILE: page_sample(date)})

    assert len(records) == numeric_evaluations(doc["models"])
    flags = {
        m["slug"]: {True: "true", False: "false"}[m["open_weights"]["is_open_weights"]]
        for m in doc["models"]
    }
    version = f"evals-{fingerprint(doc['models'])}@{date}"  # the date of meta.fetched_at
    for record in records:
        assert record["open_weights"] == flags[record["model"] or ""]
        assert record["metric_version"] == (version if record["unit"] == "index" else None)
    assert {r["unit"] for r in records if r["metric"] == "aa_omniscience"} == {"points"}


def test_page_values_checked_by_hand() -> None:
    found = by_key(aa.parse({aa.PAGE_FILE: page_sample("2026-07-10")}))

    # models[0] of the 2026-07-10 payload: GLM-4.5V, an estimated index and a negative score
    index = found[("glm-4-5v", "artificial_analysis_intelligence_index")]
    assert index == {
        **index,
        "model_display": "GLM-4.5V (Non-reasoning)",
        "value": "6.99849110680714",
        "release_date": "2025-08-11",
        "organization": "Z AI",
        "country": "cn",
        "open_weights": "true",
    }
    extra = json.loads(index["extra"] or "")
    assert (extra["is_estimated"], extra["license_name"], extra["layout"]) == (
        True,
        "MIT",
        "page_payload",
    )
    omniscience = found[("glm-4-5v", "aa_omniscience")]
    assert (omniscience["value"], omniscience["unit"]) == ("-53.5166666666667", "points")
    assert found[("glm-4-5v", "aa_lcr")]["value"] == "0"  # an integer zero is a score
    assert ("glm-4-5v", "artificial_analysis_intelligence_index_is_estimated") not in found


def test_a_rescale_with_the_same_keys_still_gets_a_new_version() -> None:
    june = by_key(aa.parse({aa.PAGE_FILE: page_sample("2026-06-01")}))
    july = by_key(aa.parse({aa.PAGE_FILE: page_sample("2026-07-09")}))
    key = ("gpt-oss-120b", "artificial_analysis_intelligence_index")

    # AA rescaled the index between these payloads (33.27 -> 23.83 for the same model) while
    # the evaluation keys stayed the same: only the date part tells the versions apart
    assert (june[key]["value"], july[key]["value"]) == ("33.2656574231208", "23.8309678073278")
    june_version, july_version = june[key]["metric_version"], july[key]["metric_version"]
    assert june_version != july_version
    assert (june_version or "").split("@")[0] == (july_version or "").split("@")[0]


def test_api_payload_without_a_fetch_date_is_versioned_by_keys_alone() -> None:
    doc = json.loads(api_sample("2026-07-23"))

    records = aa.parse({aa.API_FILE: api_sample("2026-07-23")})

    versions = {r["metric_version"] for r in records if r["unit"] == "index"}
    assert versions == {f"evals-{fingerprint(doc['data'])}"}


def test_unknown_format_and_drift_are_named() -> None:
    with pytest.raises(SourceError, match=r"^artificial_analysis: x\.json is neither an API v2"):
        aa.parse({"x.json": b'{"rows": []}'})
    doc = json.loads(page_sample("2026-04-10"))
    del doc["models"][2]["slug"]
    with pytest.raises(
        SourceError, match=r"^artificial_analysis: llms\.json model 3 has no `slug`"
    ):
        aa.parse({aa.PAGE_FILE: json.dumps(doc).encode()})
    doc = json.loads(api_sample("2026-07-09"))
    del doc["data"][0]["evaluations"]
    with pytest.raises(SourceError, match=r"model 1 \(gpt-oss-120b\) has no `evaluations` object"):
        aa.parse({aa.API_FILE: json.dumps(doc).encode()})
    with pytest.raises(SourceError, match=r"_fetched_on is 'yesterday', not a YYYY-MM-DD date"):
        aa.parse({aa.API_FILE: api_sample("2026-07-09"), aa.FETCHED_ON: b"yesterday"})


def api_handler(answers: list[tuple[int, dict[str, str], bytes]], seen: list[str | None]) -> type:
    """Answers in order (the last one repeats); 401 whenever the key is wrong."""

    class Api(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.headers.get("x-api-key"))
            status, headers, body = answers[min(len(seen), len(answers)) - 1]
            if self.path != API_PATH or self.headers.get("x-api-key") != KEY:
                status, headers, body = 401, {}, b'{"error": "invalid api key"}'
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return quiet_handler(Api)


def api_reader(base: str, key: str | None, retries: int = 0) -> Reader:
    headers = {"x-api-key": key} if key is not None else None
    session = make_session(USER_AGENT, retries, 0.01)
    return Reader(aa.name, base + API_PATH, session, 5, 10**8, headers)


def test_api_key_goes_in_the_header_and_nowhere_else(
    loopback_server: Starter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    seen: list[str | None] = []
    base = loopback_server(api_handler([(200, {}, api_sample("2026-07-23"))], seen))

    files = aa.fetch(api_reader(base, KEY))

    assert files == {aa.API_FILE: api_sample("2026-07-23")}
    assert seen == [KEY]
    with pytest.raises(SourceError) as refused:
        aa.fetch(api_reader(base, KEY + "-wrong"))
    assert "refused the credentials (HTTP 401)" in str(refused.value)
    assert API_PATH in caplog.text  # the HTTP client did log its requests...
    assert KEY not in caplog.text  # ...but never the key
    assert KEY not in str(refused.value)


def test_rate_limit_waits_for_retry_after(loopback_server: Starter) -> None:
    seen: list[str | None] = []
    answers = [(429, {"Retry-After": "1"}, b"slow down"), (200, {}, api_sample("2026-07-09"))]
    base = loopback_server(api_handler(answers, seen))

    started = time.monotonic()
    files = aa.fetch(api_reader(base, KEY, retries=2))
    waited = time.monotonic() - started

    assert files == {aa.API_FILE: api_sample("2026-07-09")}
    assert seen == [KEY, KEY]  # asked twice, the key both times
    assert waited >= 0.9  # Retry-After honoured, not the 0.01 s backoff


def test_rate_limit_without_retry_after_backs_off(loopback_server: Starter) -> None:
    # urllib3 retries a 429 that carries Retry-After on its own; one without it is retried
    # (after the session's short backoff) only because 429 is among the retried statuses
    seen: list[str | None] = []
    answers: list[tuple[int, dict[str, str], bytes]] = [
        (429, {}, b"slow down"),
        (200, {}, api_sample("2026-07-09")),
    ]
    base = loopback_server(api_handler(answers, seen))

    assert aa.fetch(api_reader(base, KEY, retries=2)) == {aa.API_FILE: api_sample("2026-07-09")}
    assert seen == [KEY, KEY]


def test_no_key_skips_the_source_before_any_request() -> None:
    for headers in (None, {"x-api-key": ""}):
        reader = Reader(aa.name, aa.DEFAULT_LOCATION, make_session(USER_AGENT, 0, 0), 5, 10**8)
        reader.headers = dict(headers or {})
        with pytest.raises(aa.MissingKey) as missing:
            aa.fetch(reader)
        assert str(missing.value) == (
            "artificial_analysis: no API key (set GAPWATCH_AA_API_KEY); skipped"
        )
        assert isinstance(missing.value, SourceSkipped)


def test_saved_payloads_need_no_key() -> None:
    folder = FOLDER / "leaderboard_page_payload" / "2026-07-10"
    reader = Reader(aa.name, str(folder), make_session(USER_AGENT, 0, 0), 5, 10**8)

    assert aa.fetch(reader) == {aa.PAGE_FILE: page_sample("2026-07-10")}
