"""Rendering pages: the jinja2 environment (autoescaped), the per-request context, flash messages."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from backoffice.i18n import translator
from backoffice.security import csrf_token
from backoffice.services import SERVICE_NAMES, ServiceError

TEMPLATES = Path(__file__).parent / "templates"


def environment() -> jinja2.Environment:
    """Every template autoescaped, whatever its file name."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.ChainableUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(money=money, qty=qty)
    return env


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def money(value: Any, currency: str = "Ft") -> str:
    """12345.6 -> '12 345,60 Ft' (whole amounts without decimals)."""
    number = _decimal(value)
    if number is None:
        return "–"
    text = f"{number:,.0f}" if number == number.to_integral_value() else f"{number:,.2f}"
    return text.replace(",", "\u00a0").replace(".", ",") + (f"\u00a0{currency}" if currency else "")


def qty(value: Any) -> str:
    """A quantity without trailing zeros: 3.000 -> '3', 2.50 -> '2,5'."""
    number = _decimal(value)
    if number is None:
        return "–"
    text = format(number.normalize(), "f") if number != 0 else "0"
    return text.replace(".", ",")


class Pages:
    """Renders templates with what every page needs: language, user, CSRF token, flashes."""

    def __init__(self, timezone: str) -> None:
        self.env = environment()
        self.tz = ZoneInfo(timezone)
        self.env.filters["when"] = self.when

    def when(self, value: Any) -> str:
        """An ISO timestamp in the back office's time zone, to the minute."""
        if not value:
            return "–"
        try:
            moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        except ValueError:
            return str(value)
        if moment.tzinfo is not None:
            moment = moment.astimezone(self.tz)
        return moment.strftime("%Y-%m-%d %H:%M")

    def render(self, request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        lang = language(request)
        session = request.session
        flashes = session.pop("flash", [])
        html = self.env.get_template(name).render(
            request=request, _=translator(lang), lang=lang, user=session.get("user"),
            csrf_token=csrf_token(session), flashes=flashes, path=request.url.path, **context)
        return HTMLResponse(html, status_code=status)


def language(request: Request) -> str:
    lang = request.session.get("lang") or request.app.state.settings.default_language
    return lang if lang in ("hu", "en") else "hu"


def flash(request: Request, kind: str, text: str) -> None:
    """A message shown once on the next page (kind: ok, error, info)."""
    request.session.setdefault("flash", []).append({"kind": kind, "text": text})


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site paths are followed after login or a form."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def explain(request: Request, error: ServiceError) -> str:
    """A service failure in words a shop operator understands, in the user's language."""
    _ = translator(language(request))
    service = _(SERVICE_NAMES.get(error.service, error.service))
    if error.kind == "unreachable":
        return _("The {service} service cannot be reached right now. Check that polc is running, then try again.",
                 service=service)
    if error.kind == "not_found":
        return _("Not found in the {service} service.", service=service) + (f" ({error.detail})" if error.detail else "")
    if error.kind == "refused":
        return _("The {service} service did not accept this: {detail}", service=service, detail=error.detail)
    return _("The {service} service ran into an error. Try again; if it keeps failing, look at its log.",
             service=service) + (f" ({error.detail})" if error.detail else "")
