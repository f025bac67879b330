"""Sources gapwatch reads, listed by hand (no auto-discovery): name -> module."""

from __future__ import annotations

from types import ModuleType

from extractors import epoch

SOURCES: dict[str, ModuleType] = {module.name: module for module in (epoch,)}
