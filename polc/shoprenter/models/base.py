"""The base of the typed resource views.

Field names are snake_case versions of the API's camelCase. Unknown fields are ignored
(customer password hashes, for one, are never kept). Links are reduced to their href;
`*_id` properties give the opaque id at the end of a link.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict
from pydantic.alias_generators import to_camel

from polc.shoprenter.models.types import SrText, is_empty


def _as_list(value: Any) -> Any:
    """Embedded arrays arrive as a list, a lone object, a link or an empty marker."""
    if is_empty(value):
        return []
    if isinstance(value, dict):
        return [] if set(value) <= {"href"} else [value]
    return value


class SrModel(BaseModel):
    """Base of every resource view: camelCase aliases, tolerant of unknown fields."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")

    id: str | None = None
    href: SrText = None


def embedded_list(model: type) -> Any:
    return Annotated[list[model], BeforeValidator(_as_list)]  # type: ignore[valid-type]
