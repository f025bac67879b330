"""The one HTTP session every extractor uses: a named User-Agent, timeouts, retries with backoff."""

from __future__ import annotations

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

RETRY_STATUSES = (429, 500, 502, 503, 504)


def make_session(user_agent: str, retries: int, backoff_seconds: float) -> requests.Session:
    """A session that retries 429, 5xx, connection errors and timeouts with exponential backoff.

    Epoch answers 403 to python-requests' default User-Agent, hence the explicit one.
    """
    retry = Retry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        backoff_factor=backoff_seconds,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "HEAD"}),
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = user_agent
    return session
