"""ShopRenter-style opaque ids: base64 of `<entity>-<key>=<value>`.

Clients must treat them as opaque; the simulator mints them the way the real API appears to.
"""

from __future__ import annotations

import base64
import binascii


def encode_id(entity: str, key: str, inner_id: int) -> str:
    """The resource id of row `inner_id` of an entity, e.g. order-order_id=172."""
    return base64.b64encode(f"{entity}-{key}={inner_id}".encode()).decode()


def decode_id(resource_id: str, entity: str, key: str) -> int | None:
    """The inner id inside a resource id of this entity; None if it is not one."""
    try:
        padded = resource_id + "=" * (-len(resource_id) % 4)
        text = base64.b64decode(padded, validate=True).decode()
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    prefix = f"{entity}-{key}="
    if not text.startswith(prefix):
        return None
    try:
        return int(text[len(prefix):])
    except ValueError:
        return None
