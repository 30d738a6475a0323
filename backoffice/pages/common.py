"""Helpers the screens share: services of the request, soft calls, order references, form actions."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from backoffice.i18n import translator
from backoffice.services import ServiceError, Services
from backoffice.web import explain, flash, language, redirect, safe_next


def services(request: Request) -> Services:
    return request.app.state.services


def who(request: Request) -> str:
    """How the signed-in user appears in the documents and commands they cause."""
    return f"backoffice:{request.session.get('user', '?')}"


def t(request: Request) -> Callable[..., str]:
    return translator(language(request))


async def soft(request: Request, call: Awaitable[Any], default: Any, problems: list[str]) -> Any:
    """The call's answer, or ``default`` with the failure explained in ``problems`` (the page still renders)."""
    try:
        return await call
    except ServiceError as error:
        problems.append(explain(request, error))
        return default


async def gather_soft(request: Request, problems: list[str], **calls: tuple[Awaitable[Any], Any]) -> dict[str, Any]:
    """Run independent service reads at once; a failing one gives its default and a problem line."""
    names = list(calls)
    results = await asyncio.gather(*(soft(request, calls[n][0], calls[n][1], problems) for n in names))
    return dict(zip(names, results, strict=True))


def parse_refs(values: list[str]) -> list[dict[str, str]]:
    """``shop:shop_order_id`` form values as order references (ShopRenter ids hold no colon)."""
    refs = []
    for value in values:
        shop, _, order = str(value).partition(":")
        if shop and order:
            refs.append({"shop_id": shop, "shop_order_id": order})
    return refs


def action(handler: Callable[[Request, Any], Awaitable[Response]], back: str | Callable[[Request], str] = "/"):
    """A form endpoint: a refused or failed service call is shown on the page it came from, not as a crash."""

    async def endpoint(request: Request) -> Response:
        form = await request.form()
        try:
            return await handler(request, form)
        except ServiceError as error:
            flash(request, "error", explain(request, error))
            target = back(request) if callable(back) else back
            return redirect(safe_next(str(form.get("back") or ""), target))

    return endpoint
