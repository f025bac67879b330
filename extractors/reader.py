"""The one way a source reads its files: from a URL, a local file, or a directory.

Every source's fetch() gets a Reader; the pipeline builds it with the run's HTTP session, limits
and the source's credential header, and turns what fetch() returns into one Payload
(extractors.locations.fetch_payload). URLs are read with a conditional GET against what the
warehouse remembers of the location, so an unchanged bundle is not downloaded again.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from extractors.base import HTTPStatusError, NotModified, Previous, SourceError
from extractors.limits import DEFAULT_LIMITS, Limits

if TYPE_CHECKING:  # requests is imported by the first download: local reads never pay for it
    import requests

    from extractors.http import WaitBudget


def is_url(location: str) -> bool:
    return location.startswith(("http://", "https://"))


class Reader:
    """Gives a source's fetch() the bytes of its files, wherever the location points.

    `main(name)` is the location itself when it names a file (or a URL), else `name` inside the
    location's directory; `sibling(name)` is a file next to it (same folder or URL base);
    `tree()` every file under a directory location, by relative name.
    """

    def __init__(
        self,
        source: str,
        location: str,
        session: requests.Session,
        timeout: float,
        max_bytes: int,
        headers: Mapping[str, str] | None = None,
        previous: Previous | None = None,
        limits: Limits | None = None,
    ) -> None:
        self.source, self.location, self.session = source, location, session
        self.timeout, self.max_bytes = timeout, max_bytes
        self.headers = dict(headers or {})
        self.previous = previous or Previous()
        # one source, one deadline and one retry-wait budget, across all the files it reads
        self.limits = replace(
            limits or DEFAULT_LIMITS, timeout_seconds=timeout, max_payload_bytes=max_bytes
        )
        self._deadline = time.monotonic() + self.limits.source_seconds
        self._budget: WaitBudget | None = None  # made by the first download (imports requests)
        # what the server said about the location itself (for the next conditional request)
        self.http_status: int | None = None
        self.etag: str | None = None
        self.last_modified: str | None = None

    @property
    def is_directory(self) -> bool:
        return not is_url(self.location) and Path(self.location).expanduser().is_dir()

    def _waited(self, headers: Mapping[str, str]) -> str:
        """Why the retries stopped, when the server asked to wait past the source's budget."""
        asked = headers.get("Retry-After")
        if not asked or self._budget is None or self._budget.left > 0:
            return ""
        budget = self.limits.retry_wait_seconds
        return (
            f"; it asked to wait {asked.strip()[:40]!r}, past the {budget:g} s retry-wait "
            "budget (GAPWATCH_HTTP_RETRY_WAIT_MAX)"
        )

    def main(self, default_name: str) -> tuple[str, bytes]:
        if self.is_directory:
            return self.sibling(default_name)
        return self._read(self.location)

    def sibling(self, name: str) -> tuple[str, bytes]:
        if is_url(self.location):
            base = (
                self.location
                if self.location.endswith("/")
                else self.location.rsplit("/", 1)[0] + "/"
            )
            return self._read(urljoin(base, name))
        path = Path(self.location).expanduser()
        folder = path if path.is_dir() else path.parent
        return self._read(str(folder / name))

    def listing(self) -> list[str] | None:
        """File names in the location's folder, for local locations (None for URLs)."""
        if is_url(self.location):
            return None
        path = Path(self.location).expanduser()
        folder = path if path.is_dir() else path.parent
        return sorted(p.name for p in folder.iterdir() if p.is_file())

    def tree(self) -> dict[str, bytes]:
        """Every file under a directory location, by its relative POSIX name (size-capped)."""
        folder = Path(self.location).expanduser()
        files, total = {}, 0
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                total += path.stat().st_size
                if total > self.max_bytes:
                    raise SourceError(
                        f"{self.source}: {folder} is larger than the {self.max_bytes} byte limit"
                        " (GAPWATCH_MAX_PAYLOAD_BYTES)"
                    )
                files[path.relative_to(folder).as_posix()] = path.read_bytes()
        return files

    def _read(self, where: str) -> tuple[str, bytes]:
        if not is_url(where):
            path = Path(where).expanduser()
            if not path.is_file():
                raise SourceError(
                    f"{self.source}: location {where!r} is neither a URL, a file nor a directory"
                )
            if path.stat().st_size > self.max_bytes:
                raise SourceError(
                    f"{self.source}: {where} is larger than the {self.max_bytes} byte limit"
                    " (GAPWATCH_MAX_PAYLOAD_BYTES)"
                )
            return path.name, path.read_bytes()
        return where.rsplit("/", 1)[-1].split("?")[0], self._get(where)

    def _get(self, url: str) -> bytes:
        itself = url == self.location
        headers = dict(self.headers)
        if itself and self.previous.etag:
            headers["If-None-Match"] = self.previous.etag
        if itself and self.previous.last_modified:
            headers["If-Modified-Since"] = self.previous.last_modified
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise SourceError(
                f"{self.source}: the source's {self.limits.source_seconds:g} s deadline passed "
                f"before GET {url}; nothing was loaded"
            )
        from extractors.http import RETRY_STATUSES, WaitBudget, deadline, download

        if self._budget is None:
            self._budget = WaitBudget(self.limits.retry_wait_seconds)
        with deadline(left, self.source, self._budget):
            got = download(self.session, self.source, url, self.limits, headers)
        if itself:
            self.http_status = got.status
        if got.status == 304 and itself:
            raise NotModified(url)
        if got.status == 401:
            raise HTTPStatusError(
                f"{self.source}: {url} refused the credentials (HTTP 401)", got.status
            )
        if got.status != 200 or got.body is None:
            # only 429 and 5xx are retried: a 404 is an answer, and its line says no more
            retried = (
                f" (after retries for 429 and 5xx{self._waited(got.headers)})"
                if got.status in RETRY_STATUSES
                else ""
            )
            raise HTTPStatusError(
                f"{self.source}: GET {url} answered HTTP {got.status}{retried}; nothing was loaded",
                got.status,
            )
        if itself:
            self.etag = got.headers.get("ETag")
            self.last_modified = got.headers.get("Last-Modified")
        return got.body
