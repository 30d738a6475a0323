"""The simulator as a whole: its shops, built from specs, and how they are reset."""

from __future__ import annotations

import asyncio

from polc.shoprenter_sim.resources import ApiError
from polc.shoprenter_sim.seed import seed_shop
from polc.shoprenter_sim.shopping import OrderLine, PlaceOrder, place_order
from polc.shoprenter_sim.specs import ShopSpec
from polc.shoprenter_sim.store import ShopState


def build_shop(spec: ShopSpec) -> ShopState:
    """A freshly seeded shop, with `spec.seed_orders` orders already placed."""
    state = ShopState(spec)
    seed_shop(state)
    for _ in range(spec.seed_orders):
        place_random_order(state)
    return state


def place_random_order(state: ShopState) -> int:
    """A plausible order from a random guest or registered customer."""
    rng = state.rng
    skus = [row["sku"] for row in state.table("products").values()]
    lines = [OrderLine(sku=sku, quantity=rng.randint(1, 3)) for sku in rng.sample(skus, rng.randint(1, 3))]
    registered = [c["email"] for c in state.table("customers").values()]
    request = PlaceOrder(
        lines=lines,
        customer_email=rng.choice(registered) if rng.random() < 0.5 else None,
        coupon_code=rng.choice([None, None, None, "NYAR10", "UDVOZLO1000", "INGYENSZALLITAS"]),
        shipping_mode_inner_id=rng.choice(sorted(state.table("shippingModes"))),
        payment_code=rng.choice(["COD", "BANK_TRANSFER", "BARION"]),
        comment=rng.choice(["", "", "Kérem, délután szállítsák.", "Ajándékba lesz, kérem ne tegyenek bele számlát."]),
    )
    return place_order(state, request)


class Simulator:
    """All simulated shops of one process."""

    def __init__(self, shops: list[ShopSpec | str]) -> None:
        self.specs = {spec.name: spec for spec in map(ShopSpec.coerce, shops)}
        if not self.specs:
            raise ValueError("at least one shop is needed")
        self.shops = {name: build_shop(spec) for name, spec in self.specs.items()}
        # Shop state is changed by one task at a time. Heavy responses are built on a worker
        # thread while holding this lock, so the event loop stays free to timestamp arrivals
        # for the rate limit as a real server would, even while it renders a page of orders.
        self.lock = asyncio.Lock()

    def shop(self, name: str) -> ShopState:
        try:
            return self.shops[name]
        except KeyError:
            raise ApiError(404, 40401, f"No such shop: {name}") from None

    def reset(self, name: str | None = None) -> None:
        """Back to the seed state (one shop, or all)."""
        for shop in [name] if name else list(self.specs):
            self.shop(shop)
            self.shops[shop] = build_shop(self.specs[shop])
