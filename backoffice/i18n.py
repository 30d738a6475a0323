"""Hungarian UI with an English switch: texts are written in English and looked up in ``HU``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from backoffice.hu import HU


def translator(lang: str) -> Callable[..., str]:
    """``_("Moved {n} orders", n=3)`` in ``lang``; a text without a translation is shown in English."""

    def _(text: str, **values: Any) -> str:
        out = HU.get(text, text) if lang == "hu" else text
        return out.format(**values) if values else out

    return _
