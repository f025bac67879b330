"""Prefect notification blocks as alert channels: found by bare name or `type/name`, one digest.

Prefect's own Block.load needs `block-type-slug/name` (a bare `gw-notify` fails with "not
enough values to unpack"); people name blocks by their name, so a bare name is looked up among
the saved blocks and must match exactly one that can notify. The channel sends a night's
alerts as one message with a subject, not one message per alert.
"""

from __future__ import annotations

from typing import Any

from alerts.channels import DigestChannel


class BlockNotFound(LookupError):
    """No notification block by that name, or several of different types."""


def block_slug(name: str) -> str:
    """`type/name` for a block given as `type/name` or by its bare name."""
    if "/" in name:
        return name
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        documents = client.read_block_documents(include_secrets=False)
    types = sorted(
        {
            d.block_type.slug
            for d in documents
            if d.name == name and not d.is_anonymous and d.block_type is not None
        }
    )
    notifying = [slug for slug in types if _can_notify(slug)]
    if len(notifying) == 1:
        return f"{notifying[0]}/{name}"
    if not notifying:
        raise BlockNotFound(
            f"no notification block named {name!r}"
            + (f" (blocks of other types: {', '.join(types)})" if types else "")
        )
    raise BlockNotFound(
        f"several notification blocks are named {name!r} ({', '.join(notifying)}): "
        f"name one as type/name, e.g. {notifying[0]}/{name}"
    )


def _can_notify(slug: str) -> bool:
    from prefect.blocks.core import Block

    try:
        block_class = Block.get_block_class_from_key(slug)
    except (KeyError, ValueError):  # a block type this installation does not know
        return False
    return callable(getattr(block_class, "notify", None))


def notification_channel(name: str) -> DigestChannel:
    """The alert channel of a saved Prefect notification block (bare name or type/name)."""
    from prefect.blocks.core import Block

    slug = block_slug(name)
    block: Any = Block.load(slug)

    def notify(subject: str, body: str) -> None:
        block.notify(body, subject=subject)

    return DigestChannel(f"prefect-block:{slug}", notify)
