"""Shop credentials at rest: sealed with the installation key, resealed when a key arrives, never in plain text."""

from __future__ import annotations

import json

import pytest

from polc.runtime.secrets import SecretBox, new_key
from services.webshop_push.settings import Settings as PushSettings
from services.webshop_push.shops import connection as push_connection

pytestmark = pytest.mark.broker


async def _stored(ingest, shop: str) -> dict:
    async with ingest.runtime.pool.acquire() as conn:
        row = await conn.fetchrow("SELECT s.*, x.secret FROM order_ingest.shops s "
                                  "JOIN order_ingest.shop_secrets x USING (shop_id) WHERE shop_id = $1", shop)
    return dict(row)


async def test_a_registered_secret_is_sealed_and_every_service_opens_it(sim, control, shop_names, start_ingest):
    (shop,) = shop_names(1)
    key = new_key()
    ingest = await start_ingest(secrets_key=key)
    await ingest.add_shop(sim, shop)
    control.place_order(shop, lines=[{"sku": "TOJAS-10", "quantity": 1}])

    row = await _stored(ingest, shop)
    secret = sim.credentials(shop)["client_secret"]
    assert set(json.loads(row["secret"])) == {"sealed"}
    assert secret not in row["secret"]
    await ingest.sync(shop)  # the poller opened it to get a token
    assert len(await ingest.orders(shop)) == 1
    # webshop_push reads the same registry row with the same installation key.
    pushed = push_connection(row, PushSettings(secrets_key=key, allow_fast_shops=True))
    assert pushed.client_secret.get_secret_value() == secret


async def test_plain_secrets_are_sealed_when_a_keyed_instance_starts(sim, control, shop_names, start_ingest):
    (shop,) = shop_names(1)
    unkeyed = await start_ingest(secrets_key=None)
    await unkeyed.add_shop(sim, shop)
    assert set(json.loads((await _stored(unkeyed, shop))["secret"])) == {"value"}

    old, new = new_key(), new_key()
    await start_ingest(secrets_key=old)
    sealed_old = json.loads((await _stored(unkeyed, shop))["secret"])
    assert set(sealed_old) == {"sealed"}
    # Rotation: the new key first, the old one still listed; the next start reseals with the new one.
    rotated = await start_ingest(secrets_key=f"{new},{old}")
    sealed_new = json.loads((await _stored(rotated, shop))["secret"])
    assert sealed_new != sealed_old
    assert SecretBox(new).open(sealed_new).get_secret_value() == sim.credentials(shop)["client_secret"]
    control.place_order(shop, lines=[{"sku": "TOJAS-10", "quantity": 1}])
    await rotated.sync(shop)
    assert len(await rotated.orders(shop)) == 1
