"""Small helpers the parsers share: values to source-conformed text, JSON and YAML reading."""

from __future__ import annotations

import json
from typing import Any

import yaml

from extractors.base import SourceError


def as_text(value: object) -> str | None:
    """A published value as text (booleans as true/false); empty and missing become None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def read_json(source: str, file: str, body: bytes) -> Any:
    """Parse JSON, naming the source and file when it isn't JSON."""
    try:
        return json.loads(body.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as error:
        raise SourceError(f"{source}: {file} is not readable JSON ({error})") from None


class TextLoader(yaml.SafeLoader):
    """A safe YAML loader that keeps numbers, booleans and dates as the text published."""


def _scalar_text(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    assert isinstance(node, yaml.ScalarNode)
    return str(loader.construct_scalar(node))


for _tag in ("int", "float", "bool", "timestamp"):
    TextLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _scalar_text)
