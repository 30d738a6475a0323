"""Test harness for the invoicing service: orders, a command producer, an event collector, mail."""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal as D
from email.message import EmailMessage
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from contracts.base import Envelope, Message
from contracts.common import Address, Customer
from contracts.examples.orders import ORDER_RECEIVED
from contracts.orders import CouponLine, OrderReceived, PaymentMethod, ProductLine, ServiceLine
from contracts.registry import ALL_TOPICS, parse_payload
from polc.runtime.outbox import envelope_headers, new_envelope
from polc.runtime.routing import Routing
from services.invoicing.settings import Settings
from tests.support.ping import wait_for

VALID_TAX = "10597190-2-41"
VAT27 = ORDER_RECEIVED.lines[0].vat
VAT5 = ORDER_RECEIVED.lines[2].vat


def make_order(n: int, *, shop: str = "kavepor", payment: str = "COD", company: bool = False,
               email_address: str | None = None, name: str | None = None) -> OrderReceived:
    """A small realistic order: two products at 27 % and 5 %, shipping, a coupon."""
    customer = Customer(
        customer_id=f"VEVO-{n:06d}", name=name or f"Vevő {n}", email=email_address or f"vevo{n}@example.hu",
        company="Őrlőház Kft." if company else None, tax_number=VALID_TAX if company else None,
        billing_address=Address(name=name or f"Vevő {n}", postcode="1052", city="Budapest",
                                address_line_1=f"Váci utca {n}.", country_code="HU"),
    )
    qty = D(1 + n % 3)
    lines = (
        ProductLine(line_no=1, name="Szemes kávé 250 g", sku="KV-250", quantity=qty, unit="db",
                    net_unit_price=D("2748.03"), gross_unit_price=D("3490.00") + n % 7, vat=VAT27,
                    net_amount=D("0"), gross_amount=D("0")),
        ProductLine(line_no=2, name="Kávés könyv", sku="KONYV-1", quantity=D(1), unit="db",
                    net_unit_price=D("4752.38"), gross_unit_price=D("4990.00"), vat=VAT5,
                    net_amount=D("4752.38"), gross_amount=D("4990.00")),
        ServiceLine(line_no=3, name="GLS házhozszállítás", service_kind="shipping_fee", service_id="SZOLG-GLS",
                    quantity=D(1), unit="db", net_unit_price=D("1173.23"), gross_unit_price=D("1490.00"),
                    vat=VAT27, net_amount=D("1173.23"), gross_amount=D("1490.00")),
        CouponLine(line_no=4, name="Kupon: TAVASZ", coupon_code="TAVASZ", quantity=D(1), unit="db",
                   net_unit_price=D("-787.40"), gross_unit_price=D("-1000.00"), vat=VAT27,
                   net_amount=D("-787.40"), gross_amount=D("-1000.00")),
    )
    return ORDER_RECEIVED.model_copy(update=dict(
        shop_id=shop, shop_order_id=f"b3JkZXI{n:08d}", shop_order_code=f"SR-{n}", shop_inner_id=n,
        order_number=f"KP-2025-{n:06d}", customer=customer, lines=lines,
        payment_method=PaymentMethod(code=payment, name="Utánvét" if payment == "COD" else "Banki átutalás"),
        header_note=f"Webshop rendelés: SR-{n}",
    ))


def invoicing_settings(base, smtp_port: int, **overrides) -> Settings:
    values = {**base.model_dump(), "smtp_host": "127.0.0.1", "smtp_port": smtp_port, "smtp_from": "szamla@polc.test",
              "series": {"kavepor": "KP", "teahaz": "TH"}, "worker_poll_interval_s": 0.2,
              "email_retry_delay_s": 0.2, "render_processes": 1, "seller_name": "Polc Teszt Kft.",
              "seller_bank_account": "11700000-00000000"}
    values.update(overrides)
    return Settings(**values)


@dataclass
class Harness:
    """Publishes commands and orders like another service would, and collects what comes back."""

    routing: Routing
    bootstrap: str
    events: list[Envelope] = field(default_factory=list)
    _producer: AIOKafkaProducer | None = None
    _consumer: AIOKafkaConsumer | None = None
    _task: asyncio.Task | None = None

    async def start(self, topics: list[str]) -> None:
        self._producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap)
        await self._producer.start()
        self._consumer = AIOKafkaConsumer(*[self.routing.prefix + t for t in topics], bootstrap_servers=self.bootstrap,
                                          auto_offset_reset="earliest", enable_auto_commit=False,
                                          group_id=f"{self.routing.prefix}test-collector")
        await self._consumer.start()
        self._task = asyncio.create_task(self._collect())

    async def _collect(self) -> None:
        async for record in self._consumer:
            self.events.append(Envelope.model_validate_json(record.value))

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._consumer:
            await self._consumer.stop()
        if self._producer:
            await self._producer.stop()

    async def publish(self, *messages: Message) -> None:
        for message in messages:
            topic = self.routing.topic_for(type(message))
            env = new_envelope(message, key=topic.key_for(message), producer="cli")
            await self._producer.send(
                self.routing.name(topic), value=env.model_dump_json().encode(), key=env.key.encode(),
                headers=[(k, v.encode()) for k, v in envelope_headers(env).items()])
        await self._producer.flush()

    def of(self, message_type: str, where: Callable[[Message], bool] = lambda _: True) -> list[Message]:
        return [p for p in (parse_payload(e) for e in self.events if e.message_type == message_type) if where(p)]

    async def wait_events(self, message_type: str, n: int, where: Callable[[Message], bool] = lambda _: True,
                          timeout_s: float = 60) -> list[Message]:
        async def enough():
            found = self.of(message_type, where)
            return found if len(found) >= n else None
        return await wait_for(enough, timeout_s=timeout_s)


def routing_for(prefix: str) -> Routing:
    return Routing(ALL_TOPICS, prefix)


def read_mails(folder: Path) -> list[EmailMessage]:
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in sorted(folder.glob("*.eml"))]


def pdf_attachment(message: EmailMessage) -> bytes:
    parts = [p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert len(parts) == 1, "exactly one PDF attached"
    return parts[0].get_content()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def wait_order_known(http: httpx.AsyncClient, order: OrderReceived) -> None:
    async def known():
        return (await http.get(f"/orders/{order.shop_id}/{order.shop_order_id}")).status_code == 200
    await wait_for(known, timeout_s=30)


async def wait_orders_known(conn_factory, n: int, timeout_s: float = 60) -> None:
    async def known():
        conn = await conn_factory()
        try:
            return await conn.fetchval("SELECT count(*) FROM orders") >= n
        finally:
            await conn.close()
    await wait_for(known, timeout_s=timeout_s)
