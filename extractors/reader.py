"""Read the files a source needs from its location: a URL, a local file, or a directory."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urljoin

import requests

from extractors.base import SourceError
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
        try:
            response = self.session.get(where, headers=self.headers, timeout=self.timeout)
        except requests.RequestException as error:
            raise SourceError(
                f"{self.source}: GET {where} failed after retries ({type(error).__name__})"
            ) from None
        if response.status_code == 401:
            raise SourceError(f"{self.source}: {where} refused the credentials (HTTP 401)")
        if response.status_code != 200:
            raise SourceError(f"{self.source}: GET {where} answered HTTP {response.status_code}")
        if len(response.content) > self.max_bytes:
            raise SourceError(f"{self.source}: {where} is over the {self.max_bytes} byte limit")
        return where.rsplit("/", 1)[-1].split("?")[0], response.content
