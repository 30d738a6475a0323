"""Login, signed sessions, CSRF on every state-changing route, escaping, password hashing."""

from __future__ import annotations

import pytest
from starlette.routing import Route

from backoffice.users import UserStore, ensure_admin, hash_password, verify_password
from tests.unit.backoffice.conftest import PASSWORD, token_of
from tests.unit.backoffice.fake_services import EVIL


def test_scrypt_hash_verifies_and_is_salted() -> None:
    first, second = hash_password("titok-jelszo"), hash_password("titok-jelszo")
    assert first != second and first.startswith("scrypt$")
    assert verify_password("titok-jelszo", first) and not verify_password("titok-jelsz0", first)
    assert not verify_password("x", "garbage")


def test_first_start_creates_admin_once(tmp_path) -> None:
    from backoffice.settings import Settings

    settings = Settings(state_dir=tmp_path)
    password = ensure_admin(settings)
    assert password and UserStore(settings.users_file).check("admin", password)
    assert ensure_admin(settings) is None, "the password is generated and shown only on the first start"
    assert (settings.users_file.stat().st_mode & 0o077) == 0, "the user file is readable by its owner only"
    assert password not in settings.users_file.read_text()


def test_pages_need_login(anonymous) -> None:
    for path in ("/", "/orders", "/basket", "/invoices", "/stock", "/fulfillable", "/review", "/shops"):
        resp = anonymous.get(path)
        assert resp.status_code == 303 and resp.headers["location"].startswith("/login?next="), path
    assert anonymous.get("/batches/x.json").status_code == 401
    assert anonymous.get("/health").json() == {"status": "ok"}


def test_wrong_password_is_refused(anonymous) -> None:
    token = token_of(anonymous.get("/login").text)
    resp = anonymous.post("/login", data={"username": "admin", "password": "wrong", "csrf_token": token})
    assert resp.status_code == 401
    assert anonymous.get("/").status_code == 303


def test_login_follows_only_local_next(anonymous) -> None:
    token = token_of(anonymous.get("/login").text)
    resp = anonymous.post("/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token,
                                          "next": "https://evil.example/"})
    assert resp.headers["location"] == "/"


def test_session_cookie_is_signed(client) -> None:
    cookie = client.cookies.get("polc_session")
    assert cookie
    client.cookies.set("polc_session", cookie[:-3] + "AAA")
    assert client.get("/").status_code == 303, "a tampered session is no session"


def test_logout_ends_the_session(client) -> None:
    assert client.post("/logout", data={"csrf_token": client.csrf}).status_code == 303
    assert client.get("/").status_code == 303


def _post_routes(app) -> list[str]:
    paths = []
    for route in app.routes:
        if isinstance(route, Route) and "POST" in (route.methods or ()):
            paths.append(route.path.replace("{shop_id}", "demo1").replace("{order_id}", "o1")
                         .replace("{number}", "SZ-2025-000001").replace("{sku}", "KAVE"))
    return paths


def test_every_form_route_refuses_a_missing_or_wrong_csrf_token(client, fake) -> None:
    paths = _post_routes(client.app)
    assert len(paths) >= 20
    before = len(fake.calls)
    for path in paths:
        assert client.post(path, data={"x": "1"}).status_code == 403, path
        assert client.post(path, data={"csrf_token": "forged"}).status_code == 403, path
        assert client.post(path, json={"csrf_token": client.csrf}).status_code == 403, path
    assert len(fake.calls) == before, "no refused request reached a service"


def test_csrf_token_in_header_is_accepted(client, fake) -> None:
    resp = client.post("/basket/invoice", headers={"X-CSRF-Token": client.csrf})
    assert resp.status_code == 303 and resp.headers["location"] == "/batches/inv-1"


def test_login_form_itself_needs_the_token(anonymous) -> None:
    anonymous.get("/login")
    assert anonymous.post("/login", data={"username": "admin", "password": PASSWORD}).status_code == 403


@pytest.mark.parametrize("path", ["/orders", "/orders/demo1/o1", "/fulfillable", "/review"])
def test_user_text_is_escaped(client, fake, path) -> None:
    fake.add_order("demo1", "o1", "DEMO1-1", name=EVIL, note=EVIL)
    fake.fulfillable.append({"shop_id": "demo1", "shop_order_id": "o1", "order_number": "DEMO1-1", "fulfillable": True,
                             "customer_name": EVIL, "lines": [], "shortages": [], "warehouse_id": "FO"})
    fake.review.append({"shop_id": "demo1", "shop_order_id": "o2", "shop_order_code": EVIL, "reason": "malformed_data",
                        "detail": EVIL, "state": "open", "attempts": 1, "raw": {}})
    html = client.get(path).text
    assert EVIL not in html
    if path != "/orders":  # the list shows the customer from /customers, the rest show the document's
        assert "&lt;script&gt;" in html
