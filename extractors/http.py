"""The one HTTP session every extractor uses: a named User-Agent, timeouts, bounded retries.

Every wait is bounded. A socket read times out after `timeout_seconds`; a whole download (and a
whole source) has a wall-clock deadline enforced by a watchdog that shuts the sockets opened
inside it, so a server that drips one byte at a time still ends; and the waits between retries
(backoff or the server's Retry-After, which may ask for a day) come out of one budget per
source. The waits are plain sleeps in the calling thread, so a signal ends them at once.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.util.retry import Retry

from extractors.base import SourceError
from extractors.limits import DEFAULT_LIMITS, Limits

RETRY_STATUSES = (429, 500, 502, 503, 504)


class WaitBudget:
    """Seconds left for waiting between retries, shared by every request of one source."""

    def __init__(self, seconds: float) -> None:
        self.left = max(0.0, seconds)
        self._guard = threading.Lock()

    def take(self, wanted: float) -> float:
        with self._guard:
            granted = min(max(0.0, wanted), self.left)
            self.left -= granted
            return granted


class Window:
    """A wall-clock deadline. When it passes, every socket used inside it is shut down."""

    def __init__(
        self, seconds: float, what: str, parent: Window | None, budget: WaitBudget | None
    ) -> None:
        self.what, self.parent = what, parent
        self.budget: WaitBudget | None = budget or (parent.budget if parent else None)
        self.deadline = time.monotonic() + max(0.0, seconds)
        if parent is not None:
            self.deadline = min(self.deadline, parent.deadline)
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._guard = threading.Lock()
        self._timer = threading.Timer(self.remaining(), self._expire)
        self._timer.daemon = True

    def remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def spent(self) -> bool:
        """Deadline passed (here or above), or nothing left to wait with."""
        if self.expired or self.remaining() <= 0:
            return True
        return self.parent.spent() if self.parent is not None else False

    def watch(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._guard:
            if self.expired:
                _shut(sock)
            else:
                self._sockets.append(sock)
        if self.parent is not None:
            self.parent.watch(sock)

    def _expire(self) -> None:
        with self._guard:
            self.expired = True
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    with suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked reading it


_current: ContextVar[Window | None] = ContextVar("gapwatch_http_window", default=None)


@contextmanager
def deadline(seconds: float, what: str, budget: WaitBudget | None = None) -> Iterator[Window]:
    """Everything inside must end within `seconds` (and within any enclosing deadline)."""
    window = Window(seconds, what, _current.get(), budget)
    token = _current.set(window)
    window._timer.start()
    try:
        yield window
    finally:
        window._timer.cancel()
        _current.reset(token)


class BoundedRetry(Retry):
    """urllib3's Retry, with every wait drawn from the current window's budget and deadline."""

    def sleep(self, response: Any = None) -> None:
        wait = None
        if self.respect_retry_after_header and response is not None:
            wait = self.get_retry_after(response)
        if wait is None:
            wait = self.get_backoff_time()
        window = _current.get()
        if window is None:
            wait = min(wait, DEFAULT_LIMITS.retry_wait_seconds)
        else:
            wait = min(wait, window.remaining())
            wait = window.budget.take(wait) if window.budget is not None else wait
        if wait > 0:
            time.sleep(wait)

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        return super().is_retry(method, status_code, has_retry_after) and not _waits_spent()

    def is_exhausted(self) -> bool:
        return super().is_exhausted() or _waits_spent()


def _waits_spent() -> bool:
    window = _current.get()
    if window is None:
        return False
    if window.spent():
        return True
    return window.budget is not None and window.budget.left <= 0


class _WatchedHTTPConnection(HTTPConnection):
    def request(self, *args: Any, **kwargs: Any) -> None:
        super().request(*args, **kwargs)
        window = _current.get()
        if window is not None:
            window.watch(self.sock)


class _WatchedHTTPSConnection(HTTPSConnection):
    def request(self, *args: Any, **kwargs: Any) -> None:
        super().request(*args, **kwargs)
        window = _current.get()
        if window is not None:
            window.watch(self.sock)


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class WatchedAdapter(HTTPAdapter):
    """An adapter whose connections are watched by the current deadline."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _WatchedHTTPPool,
            "https": _WatchedHTTPSPool,
        }


def make_session(user_agent: str, retries: int, backoff_seconds: float) -> requests.Session:
    """A session that retries 429, 5xx, connection errors and timeouts with bounded backoff.

    Epoch answers 403 to python-requests' default User-Agent, hence the explicit one.
    """
    retry = BoundedRetry(
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
    adapter = WatchedAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = user_agent
    return session


@dataclass(frozen=True)
class Downloaded:
    """One GET: its status and headers, and the body when it answered 200."""

    status: int
    headers: Mapping[str, str]
    body: bytes | None


def download(
    session: requests.Session,
    source: str,
    url: str,
    limits: Limits,
    headers: Mapping[str, str] | None = None,
) -> Downloaded:
    """GET url within the download deadline and the byte limit; raises SourceError."""
    with deadline(limits.download_seconds, f"GET {url}") as window:
        body_started = False
        try:
            response = session.get(
                url, headers=dict(headers or {}), timeout=limits.timeout_seconds, stream=True
            )
            with response:
                if response.status_code != 200:
                    return Downloaded(response.status_code, dict(response.headers), None)
                body_started = True
                body = _read_capped(response, limits.max_payload_bytes, source, url, window)
                return Downloaded(200, dict(response.headers), body)
        except requests.RequestException as error:
            if window.spent():
                raise SourceError(_overtime(source, url, window, limits)) from None
            if body_started:
                # a connection cut mid-body (IncompleteRead) or a read timeout: urllib3 does
                # not retry those once the status line is in; never a traceback
                raise SourceError(
                    f"{source}: GET {url} broke off during the download "
                    f"({type(error).__name__}); nothing was loaded"
                ) from None
            raise SourceError(
                f"{source}: GET {url} failed after retries ({type(error).__name__}); "
                "nothing was loaded"
            ) from None


def _overtime(source: str, url: str, window: Window, limits: Limits) -> str:
    enclosing = window.parent is not None and window.parent.spent()
    if enclosing:
        return (
            f"{source}: GET {url} stopped: the source's {limits.source_seconds:g} s deadline "
            "passed; nothing was loaded"
        )
    return (
        f"{source}: GET {url} took longer than the {limits.download_seconds:g} s download "
        "deadline (GAPWATCH_HTTP_DOWNLOAD_DEADLINE); nothing was loaded"
    )


def _read_capped(
    response: requests.Response, max_bytes: int, source: str, url: str, window: Window
) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(chunk_size=1 << 16):
        chunks.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            raise SourceError(
                f"{source}: {url} is larger than the {max_bytes} byte limit"
                " (GAPWATCH_MAX_PAYLOAD_BYTES)"
            )
        if window.spent():
            raise requests.ConnectionError("deadline passed")
    return b"".join(chunks)
