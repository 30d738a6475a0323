"""Shops: add and configure ShopRenter shops (credentials, series, warehouse, interval) and how
the back office's stock reaches them."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backoffice.pages.common import action, gather_soft, services, t
from backoffice.services import ServiceError
from backoffice.web import Pages, explain, flash, redirect

TEXT_FIELDS = ("name", "api_base_url", "token_url", "client_id", "username", "secret_env", "warehouse_id",
               "series_id", "series_prefix")
SECRET_FIELDS = ("client_secret", "password")
#: Back-office events whose shop order status webshop_push writes (docs/status-writeback.md).
STATUS_TRIGGERS = ("invoiced", "packed", "shipped", "cancelled")


def shop_body(form: Any, *, creating: bool) -> dict[str, Any]:
    """The order_ingest shop fields from the form; empty fields are left out (secrets are never shown,
    so an empty secret keeps the stored one)."""
    body: dict[str, Any] = {}
    for field in TEXT_FIELDS + SECRET_FIELDS:
        value = str(form.get(field) or "").strip()
        if value:
            body[field] = value
    if creating:
        body["shop_id"] = str(form.get("shop_id") or "").strip()
    if form.get("auth_mode") in ("oauth", "basic"):
        body["auth_mode"] = form.get("auth_mode")
    for field, kind in (("poll_interval_s", float), ("rate_limit_per_s", int)):
        value = str(form.get(field) or "").strip()
        if value:
            try:
                body[field] = kind(value.replace(",", "."))
            except ValueError:
                body[field] = value  # the service explains what is wrong with it
    if not creating:
        body["enabled"] = form.get("enabled") == "1"
    return body


def routes(pages: Pages) -> list[Route]:
    async def list_shops(request: Request) -> Response:
        s, problems = services(request), []
        data = await gather_soft(request, problems, shops=(s.ingest.get("/shops"), {"shops": []}),
                                 push=(s.push.get("/shops"), {"shops": []}))
        push = {p["shop_id"]: p for p in data["push"]["shops"]}
        return pages.render(request, "shops.html", shops=data["shops"]["shops"], push=push, problems=problems)

    async def new_shop(request: Request) -> Response:
        return pages.render(request, "shop.html", shop=None, push=None)

    async def show_shop(request: Request) -> Response:
        s, problems = services(request), []
        shop_id = request.path_params["shop_id"]
        shop = await s.ingest.get(f"/shops/{shop_id}")
        push = await gather_soft(request, problems, settings=(s.push.get(f"/shops/{shop_id}/settings"), None))
        statuses = await order_statuses(request, shop_id, problems)
        return pages.render(request, "shop.html", shop=shop, push=push["settings"], statuses=statuses,
                            triggers=STATUS_TRIGGERS, problems=problems)

    async def create(request: Request, form: Any) -> Response:
        body = shop_body(form, creating=True)
        await services(request).ingest.post("/shops", body)
        flash(request, "ok", t(request)("Shop {shop} added. Its first sync starts within a few seconds.",
                                        shop=body["shop_id"]))
        return redirect(f"/shops/{body['shop_id']}")

    async def change(request: Request, form: Any) -> Response:
        shop_id = request.path_params["shop_id"]
        await services(request).ingest.patch(f"/shops/{shop_id}", shop_body(form, creating=False))
        flash(request, "ok", t(request)("Shop settings saved."))
        return redirect(f"/shops/{shop_id}")

    async def push_settings(request: Request, form: Any) -> Response:
        shop_id = request.path_params["shop_id"]
        await services(request).push.put(f"/shops/{shop_id}/settings", {
            "safety_buffer": str(form.get("safety_buffer") or "0").replace(",", "."),
            "create_missing": form.get("create_missing") or "meant", "fence": form.get("fence") or "sync"})
        flash(request, "ok", t(request)("Webshop update settings saved."))
        return redirect(f"/shops/{shop_id}")

    async def status_map(request: Request, form: Any) -> Response:
        shop_id = request.path_params["shop_id"]
        await services(request).push.put(f"/shops/{shop_id}/status-map", status_map_body(form))
        flash(request, "ok", t(request)("Order status mapping saved."))
        return redirect(f"/shops/{shop_id}")

    async def refresh_statuses(request: Request, form: Any) -> Response:
        shop_id = request.path_params["shop_id"]
        await services(request).push.post(f"/shops/{shop_id}/order-statuses/refresh", {"wait_s": 20})
        flash(request, "ok", t(request)("The shop's order statuses were downloaded."))
        return redirect(f"/shops/{shop_id}")

    def back(request: Request) -> str:
        return f"/shops/{request.path_params['shop_id']}"

    return [
        Route("/shops", list_shops, methods=["GET"]),
        Route("/shops", action(create, "/shops/new"), methods=["POST"]),
        Route("/shops/new", new_shop, methods=["GET"]),
        Route("/shops/{shop_id}", show_shop, methods=["GET"]),
        Route("/shops/{shop_id}", action(change, back), methods=["POST"]),
        Route("/shops/{shop_id}/push", action(push_settings, back), methods=["POST"]),
        Route("/shops/{shop_id}/status-map", action(status_map, back), methods=["POST"]),
        Route("/shops/{shop_id}/order-statuses", action(refresh_statuses, back), methods=["POST"]),
    ]


def status_map_body(form: Any) -> dict[str, str | None]:
    """Event -> chosen shop status id from the form; an empty choice writes nothing for that event."""
    return {trigger: (str(form.get(f"status_{trigger}") or "").strip() or None) for trigger in STATUS_TRIGGERS}


async def order_statuses(request: Request, shop_id: str, problems: list[str]) -> dict[str, Any] | None:
    """The shop's order statuses and mapping; None (and no complaint) where webshop_push has none."""
    try:
        return await services(request).push.get(f"/shops/{shop_id}/order-statuses")
    except ServiceError as error:
        if error.kind != "not_found":
            problems.append(explain(request, error))
        return None
