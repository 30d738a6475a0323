"""OAuth token caching, renewal before expiry, one renewal on 401, and legacy Basic auth."""

from __future__ import annotations

import asyncio

import pytest

from polc.shoprenter import AuthMode, ShopRenterApi, ShopRenterAuthError


async def test_token_is_fetched_once_and_reused(connect, control):
    before = control.stats("auth")["tokens_issued"]
    api = ShopRenterApi(connect("auth"))
    await asyncio.gather(*(api.list_tax_classes() for _ in range(5)))
    assert control.stats("auth")["tokens_issued"] == before + 1


async def test_token_is_renewed_before_it_expires(connect, control):
    control.call("PUT", "/shops/auth/token-settings", {"token_ttl_seconds": 5})
    try:
        # Renew 4.9 s before a 5 s expiry: a token is stale 0.1 s after it was issued.
        api = ShopRenterApi(connect("auth", token_renew_margin_seconds=4.9))
        before = control.stats("auth")["tokens_issued"]
        await api.list_order_statuses()
        await asyncio.sleep(0.2)
        await api.list_order_statuses()
        assert control.stats("auth")["tokens_issued"] == before + 2
    finally:
        control.call("PUT", "/shops/auth/token-settings", {"token_ttl_seconds": 3600})


async def test_a_revoked_token_is_renewed_once_and_the_call_repeated(connect, control):
    api = ShopRenterApi(connect("auth"))
    await api.list_payment_modes()
    before = control.stats("auth")["tokens_issued"]
    control.call("POST", "/shops/auth/expire-tokens")
    modes = await api.list_payment_modes()
    assert {m.code for m in modes} == {"cod", "bank_transfer", "barion"}
    assert control.stats("auth")["tokens_issued"] == before + 1


async def test_wrong_client_secret_is_an_auth_error_without_the_secret(connect):
    client = connect("auth", client_secret="not-the-secret-XYZ")
    with pytest.raises(ShopRenterAuthError) as caught:
        await client.get("taxClasses", {"page": 0, "limit": 10})
    assert caught.value.status == 401
    assert "invalid_client" in str(caught.value)
    assert "not-the-secret-XYZ" not in str(caught.value) + repr(caught.value) + repr(client.connection)


async def test_basic_auth_reads_the_shop(connect):
    api = ShopRenterApi(connect("basic", auth=AuthMode.BASIC))
    classes = await api.list_tax_classes()
    assert [c.name for c in classes] == ["27%", "18%", "5%", "AAM"]


async def test_basic_auth_with_a_wrong_password_fails_without_leaking_it(connect):
    client = connect("basic", auth=AuthMode.BASIC, password="hunter2-WRONG")
    with pytest.raises(ShopRenterAuthError) as caught:
        await client.get("taxClasses", {"page": 0, "limit": 10})
    error = caught.value
    assert (error.status, error.inner_code) == (401, 40101)
    for text in (str(error), repr(error), repr(client), repr(client.connection), error.raw_body):
        assert "hunter2-WRONG" not in text
