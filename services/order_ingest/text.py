"""Shop text to plain text: HTML removed, entities decoded, whitespace tidied; matching keys."""

from __future__ import annotations

import html
import json
import re

_TAG = re.compile(r"<[^>]*>")
_CODE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_BREAK = re.compile(r"<\s*(br|/p|/div|/li)\s*/?\s*>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v]+")
# Characters no text column can hold or no person can read: NUL and the other C0 controls
# (tab and line breaks aside), DEL, and lone UTF-16 surrogates (bytes that were not UTF-8).
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# Invisible characters that change how text reads without showing themselves: the bidirectional
# embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) and marks (U+200E, U+200F,
# U+061C), which can make "gpj.exe" show as "exe.jpg", and the zero-width space, joiners, word
# joiner and byte order mark. Letters with accents are ordinary characters and stay.
_INVISIBLE = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b-\u200d\u2060\ufeff]")
# Text that plain_text would return unchanged: no markup or entity, no invisible character, no
# line break or tab-like space; single spaces only, none at either end (checked apart). Most shop
# text is like this, and a page of orders holds thousands of such strings.
_ALREADY_PLAIN = re.compile("[^<&\n\t\r\f\v\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b-\u200d\u2060\ufeff]*")
# How a C0 control character looks in JSON, which escapes every one of them (\b, \f or \u00XX);
# DEL and lone surrogates stay as they are. A match that is no such character (an escaped
# backslash before a "b") only means the slow, exact walk.
_ESCAPED_CONTROL = re.compile(r"\\(?:[bf]|u00[01])")


def plain_text(value: str | None) -> str:
    """What a person reads from shop text: tags and scripts dropped, line breaks kept, entities decoded.

    Shops store product names and customer comments as HTML; the back office keeps text only,
    so a ``<script>`` in a comment is just characters on the order document. Bidirectional
    control and zero-width characters are removed, so stored text reads the way it displays.
    """
    if not value:
        return ""
    if (_ALREADY_PLAIN.fullmatch(value) and "  " not in value and not value[0].isspace()
            and not value[-1].isspace()):
        return value
    return _to_plain_text(value)


def _to_plain_text(value: str) -> str:
    text = _CODE.sub("", value)
    text = _BREAK.sub("\n", text)
    text = _TAG.sub("", text)
    text = _INVISIBLE.sub("", html.unescape(text))
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


def storable(value: object) -> object:
    """``value`` with every string in it (recursively) made storable: unreadable characters
    become U+FFFD, so an identifier that contained one no longer matches anything and the order
    is held for review with that identifier shown, instead of failing the whole poll.

    Data with nothing to change (nearly all) is returned as it is, found so in one pass over its
    JSON form instead of a walk through every string of it."""
    return value if _clean(value) else _storable(value)


def _clean(value: object) -> bool:
    """True when ``value`` certainly holds no unstorable character."""
    try:
        text = json.dumps(value, ensure_ascii=False)
        text.encode()  # lone surrogates do not encode
    except (TypeError, ValueError):  # not JSON data, or a lone surrogate (UnicodeEncodeError)
        return False
    return "\x7f" not in text and not _ESCAPED_CONTROL.search(text)


def _storable(value: object) -> object:
    if isinstance(value, str):
        return _UNSTORABLE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_storable(v) for v in value]
    return value
