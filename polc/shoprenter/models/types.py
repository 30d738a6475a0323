"""Annotated field types that absorb ShopRenter's encoding quirks.

The API sends numbers as strings, empties as `{}`, `""` or `null`, zero dates such as
`0000-00-00` and `-0001-11-30T00:00:00`, and datetimes without a zone that are shop-local
(Europe/Budapest). These types turn all of that into plain Python values or None.
"""

from __future__ import annotations

import base64
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import BeforeValidator

SHOP_TZ = ZoneInfo("Europe/Budapest")


def is_empty(value: Any) -> bool:
    """True for every way ShopRenter spells "no value"."""
    # Plain strings first: most fields are, and a page of orders has tens of thousands of them.
    if type(value) is str:
        return not value.strip()
    return value is None or value == {} or value == [] or (isinstance(value, str) and value.strip() == "")


def _decimal(value: Any) -> Decimal | None:
    if is_empty(value):
        return None
    if isinstance(value, bool):
        return Decimal(int(value))
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r}") from None


def _int(value: Any) -> int | None:
    number = _decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise ValueError(f"not an integer: {value!r}")
    return int(number)


def _bool(value: Any) -> bool | None:
    if is_empty(value):
        return None
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() not in ("0", "false", "no")


def _text(value: Any) -> str | None:
    if type(value) is str:
        return value if value.strip() else None
    if is_empty(value):
        return None
    if isinstance(value, (dict, list)):
        raise ValueError("expected text")
    return str(value)


def _is_zero_date(text: str) -> bool:
    return text.startswith(("0000-00-00", "-0001-11-30"))


def _datetime(value: Any) -> datetime | None:
    if is_empty(value):
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        text = str(value).strip()
        if _is_zero_date(text):
            return None
        parsed = datetime.fromisoformat(text.replace(" ", "T", 1))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=SHOP_TZ)


def _date(value: Any) -> date | None:
    if is_empty(value):
        return None
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if _is_zero_date(text):
        return None
    return date.fromisoformat(text[:10])


def _href(value: Any) -> str | None:
    if is_empty(value):
        return None
    if isinstance(value, dict):
        return _text(value.get("href"))
    return str(value)


SrDecimal = Annotated[Decimal | None, BeforeValidator(_decimal)]
SrInt = Annotated[int | None, BeforeValidator(_int)]
SrBool = Annotated[bool | None, BeforeValidator(_bool)]
SrText = Annotated[str | None, BeforeValidator(_text)]
SrDateTime = Annotated[datetime | None, BeforeValidator(_datetime)]
SrDate = Annotated[date | None, BeforeValidator(_date)]
#: A link object `{"href": ...}` reduced to its href (None when absent).
SrLink = Annotated[str | None, BeforeValidator(_href)]


def id_from_href(href: str | None) -> str | None:
    """The last path segment of a resource href: its opaque id (query strings dropped)."""
    if not href:
        return None
    path = href.split("?", 1)[0].rstrip("/")
    return path.rsplit("/", 1)[-1] or None


def describe_id(resource_id: str) -> str | None:
    """Best-effort human reading of a base64 id, for logs only.

    ShopRenter says not to build ids yourself; polc never derives meaning from them.
    """
    try:
        padded = resource_id + "=" * (-len(resource_id) % 4)
        return base64.b64decode(padded, validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
