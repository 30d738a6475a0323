"""Signing in and out, and the language switch."""

from __future__ import annotations

import asyncio
import secrets

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backoffice.i18n import translator
from backoffice.users import UserStore
from backoffice.web import Pages, flash, language, redirect, safe_next


def routes(pages: Pages) -> list[Route]:
    async def login_form(request: Request) -> Response:
        if request.session.get("user"):
            return redirect(safe_next(request.query_params.get("next")))
        return pages.render(request, "login.html", next=safe_next(request.query_params.get("next")))

    async def login(request: Request) -> Response:
        form = await request.form()
        name, password = str(form.get("username", "")).strip(), str(form.get("password", ""))
        target = safe_next(str(form.get("next", "")))
        store = UserStore(request.app.state.settings.users_file)
        if not await asyncio.to_thread(store.check, name, password):
            _ = translator(language(request))
            return pages.render(request, "login.html", status=401, next=target, username=name,
                                error=_("Wrong user name or password."))
        lang = request.session.get("lang")
        request.session.clear()  # a new session on sign-in: nothing carried over from before
        request.session.update(user=name, csrf=secrets.token_urlsafe(32), lang=lang)
        return redirect(target)

    async def logout(request: Request) -> Response:
        lang = request.session.get("lang")
        request.session.clear()
        request.session["lang"] = lang
        return redirect("/login")

    async def switch_language(request: Request) -> Response:
        form = await request.form()
        lang = str(form.get("lang", ""))
        if lang in ("hu", "en"):
            request.session["lang"] = lang
        return redirect(safe_next(str(form.get("next", "")), "/"))

    async def password_form(request: Request) -> Response:
        return pages.render(request, "password.html")

    async def change_password(request: Request) -> Response:
        form = await request.form()
        _ = translator(language(request))
        store = UserStore(request.app.state.settings.users_file)
        user = request.session["user"]
        new = str(form.get("new_password", ""))
        if not await asyncio.to_thread(store.check, user, str(form.get("old_password", ""))):
            flash(request, "error", _("The current password is wrong."))
        elif len(new) < 8 or new != form.get("new_password_again"):
            flash(request, "error", _("The new password needs at least 8 characters, typed the same twice."))
        else:
            await asyncio.to_thread(store.set_password, user, new)
            flash(request, "ok", _("Password changed."))
        return redirect("/password")

    return [
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/lang", switch_language, methods=["POST"]),
        Route("/password", password_form, methods=["GET"]),
        Route("/password", change_password, methods=["POST"]),
    ]
