"""Wiring of the web back office: settings, service clients, middleware, pages; ``run(settings)``."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from backoffice import users
from backoffice.pages import auth, basket, dashboard, fulfilment, invoices, orders, review, shops, stock
from backoffice.services import ServiceError, Services
from backoffice.settings import Settings
from backoffice.web import Pages, explain

log = logging.getLogger("polc.backoffice")
STATIC = Path(__file__).parent / "static"
EXPIRED_FORM = "This form was open too long or came from elsewhere. Reload the page and try again."


async def health(request: Request) -> Response:
    """Liveness of the back office itself; ``?deep=1`` also asks every service."""
    if request.query_params.get("deep") != "1":
        return JSONResponse({"status": "ok"})
    services: Services = request.app.state.services
    result = {}
    for client in services.all():
        try:
            await client.request("GET", "/health/ready")
            result[client.name] = "ok"
        except ServiceError as error:
            result[client.name] = error.kind
    ok = all(v == "ok" for v in result.values())
    return JSONResponse({"status": "ok" if ok else "degraded", "services": result}, status_code=200 if ok else 503)


def build_app(settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None) -> Starlette:
    """The back office app; ``transport`` lets tests route service calls without sockets."""
    pages = Pages(settings.timezone)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.services = Services(settings, transport)
        try:
            yield
        finally:
            await app.state.services.aclose()

    def refuse(scope: Scope) -> Response:
        request = Request(scope)
        request.scope.setdefault("app", app)
        return pages.render(request, "error.html", status=403, title_key="The form has expired",
                            message_key=EXPIRED_FORM)

    async def service_error(request: Request, error: ServiceError) -> Response:
        log.warning("service call failed: %s", error)
        status = 404 if error.kind == "not_found" else 502
        return pages.render(request, "error.html", status=status, title_key="Something went wrong",
                            message=explain(request, error))

    from backoffice.security import CsrfProtect, RequireLogin

    routes = [
        Route("/health", health),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
        *auth.routes(pages),
        *dashboard.routes(pages),
        *orders.routes(pages),
        *fulfilment.routes(pages),
        *basket.routes(pages),
        *invoices.routes(pages),
        *stock.routes(pages),
        *review.routes(pages),
        *shops.routes(pages),
    ]
    app = Starlette(
        routes=routes, lifespan=lifespan,
        middleware=[
            Middleware(SessionMiddleware, secret_key=users.session_key(settings), session_cookie="polc_session",
                       max_age=settings.session_max_age_s, same_site="lax", https_only=settings.https_only_cookies),
            Middleware(RequireLogin),
            Middleware(CsrfProtect, refuse=refuse),
        ],
        exception_handlers={ServiceError: service_error},
    )
    app.state.settings = settings
    app.state.pages = pages
    return app


def run(settings: Settings | None = None) -> None:
    """Serve the back office until interrupted (what ``python -m backoffice`` and ``polc up`` run)."""
    import uvicorn

    settings = settings or Settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    password = users.ensure_admin(settings)
    if password:
        print(f"polc back office: created user {settings.admin_user!r} with password {password} "
              f"(shown only now; change it with `polc backoffice-user {settings.admin_user}`)", flush=True)
    print(f"polc back office: http://{settings.http_host}:{settings.http_port}/", flush=True)
    uvicorn.run(build_app(settings), host=settings.http_host, port=settings.http_port,
                log_level=settings.log_level.lower(), proxy_headers=False)
