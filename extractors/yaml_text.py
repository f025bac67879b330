"""The YAML loader every source uses: scalars as published text, no anchors or aliases.

A module of its own so that only a parse of YAML imports PyYAML (read-only commands never do).
"""

from __future__ import annotations

import yaml


class TextLoader(yaml.SafeLoader):
    """A safe YAML loader that keeps scalars as published text and refuses anchors and aliases.

    Aliases let a few hundred bytes expand into gigabytes; no leaderboard needs them.
    """

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise yaml.composer.ComposerError(
                None, None, "anchors and aliases are not allowed", event.start_mark
            )
        return super().compose_node(parent, index)


def _scalar_text(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    assert isinstance(node, yaml.ScalarNode)
    return str(loader.construct_scalar(node))


for _tag in ("int", "float", "bool", "timestamp"):
    TextLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _scalar_text)
