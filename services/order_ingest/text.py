"""Shop text to plain text: HTML removed, entities decoded, whitespace tidied; matching keys."""

from __future__ import annotations

import html
import re

_TAG = re.compile(r"<[^>]*>")
_CODE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_BREAK = re.compile(r"<\s*(br|/p|/div|/li)\s*/?\s*>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v]+")


def plain_text(value: str | None) -> str:
    """What a person reads from shop text: tags and scripts dropped, line breaks kept, entities decoded.

    Shops store product names and customer comments as HTML; the back office keeps text only,
    so a ``<script>`` in a comment is just characters on the order document.
    """
    if not value:
        return ""
    text = _CODE.sub("", value)
    text = _BREAK.sub("\n", text)
    text = _TAG.sub("", text)
    text = html.unescape(text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line).strip()


def match_key(name: str, email: str) -> str:
    """The key guests are matched on (M8): name and e-mail, case and surrounding spaces ignored."""
    return f"{normalise(name)}|{normalise(email)}"


def normalise(value: str | None) -> str:
    """Case-folded, trimmed, inner whitespace collapsed."""
    return " ".join((value or "").split()).casefold()


def clip(value: str, limit: int) -> str:
    """``value`` cut to ``limit`` characters, marked with an ellipsis when cut."""
    return value if len(value) <= limit else value[: limit - 1] + "…"
