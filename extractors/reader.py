"""Read the files a source needs from its location: a URL, a local file, or a directory."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from urllib.parse import urljoin

import requests

from extractors.base import SourceError
from extractors.http import WaitBudget, deadline, download
from extractors.limits import DEFAULT_LIMITS
from extractors.locations import is_url


class Reader:
    """Gives a source's fetch() the bytes of its files, wherever the location points.

    `main(name)` is the location itself when it names a file (or a URL), else `name` inside the
    location's directory; `sibling(name)` is a file next to it (same folder or URL base).
    """

    def __init__(
        self,
        source: str,
        location: str,
        session: requests.Session,
        timeout: float,
        max_bytes: int,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.source, self.location, self.session = source, location, session
        self.timeout, self.max_bytes = timeout, max_bytes
        self.headers = dict(headers or {})
        # one source, one deadline and one retry-wait budget, across all the files it reads
        self.limits = replace(DEFAULT_LIMITS, timeout_seconds=timeout, max_payload_bytes=max_bytes)
        self._deadline = time.monotonic() + self.limits.source_seconds
        self._budget = WaitBudget(self.limits.retry_wait_seconds)

    @property
    def is_directory(self) -> bool:
        return not is_url(self.location) and Path(self.location).expanduser().is_dir()

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

    def _read(self, where: str) -> tuple[str, bytes]:
        if not is_url(where):
            path = Path(where).expanduser()
            if not path.is_file():
                raise SourceError(f"{self.source}: {where} does not exist")
            if path.stat().st_size > self.max_bytes:
                raise SourceError(f"{self.source}: {where} is over the {self.max_bytes} byte limit")
            return path.name, path.read_bytes()
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise SourceError(
                f"{self.source}: the source's {self.limits.source_seconds:g} s deadline passed "
                f"before GET {where}; nothing was loaded"
            )
        with deadline(left, self.source, self._budget):
            got = download(self.session, self.source, where, self.limits, self.headers)
        if got.status == 401:
            raise SourceError(f"{self.source}: {where} refused the credentials (HTTP 401)")
        if got.status != 200 or got.body is None:
            raise SourceError(f"{self.source}: GET {where} answered HTTP {got.status}")
        return where.rsplit("/", 1)[-1].split("?")[0], got.body
