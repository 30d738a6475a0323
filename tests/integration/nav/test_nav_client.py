"""The NAV client against the simulator over real HTTP: signatures, tokens, statuses, recovery data."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from polc.nav_sim.runner import BackgroundNavSimulator
from services.invoicing.nav import invoice_xml
from services.invoicing.nav.client import NavClient, NavRefused, NavUnavailable, new_request_id
from services.invoicing.nav.messages import Credentials, Operation, encode_invoice_data
from tests.integration.nav.sim import SOFTWARE, client
from tests.unit.nav import documents


@pytest.fixture
def nav():
    with BackgroundNavSimulator() as sim:
        yield sim


def operations(*docs, compressed=False):
    return [Operation(i, invoice_xml.operation_of(d), encode_invoice_data(invoice_xml.invoice_data(d), compressed))
            for i, d in enumerate(docs, start=1)]


def numbered(doc, n):
    return doc.model_copy(update={"invoice_number": f"KP-2025-{n:06d}"})


async def test_report_polled_to_done_and_an_injected_error_aborts(nav):
    nav.control("inject", invoice_number="KP-2025-000002", severity="ERROR", code="INVALID_VAT_DATA", message="x")
    nav.control("inject", invoice_number="KP-2025-000003", severity="WARN", code="INCORRECT_LINE_DATA", message="w")
    async with httpx.AsyncClient(timeout=5) as http:
        c = client(nav, http)
        docs = [numbered(documents.private_buyer(), 1), numbered(documents.domestic_company(), 2),
                numbered(documents.mixed_vat(), 3)]
        tx = await c.manage_invoice(new_request_id(), operations(*docs, compressed=True), compressed=True)
        first = await c.query_transaction_status(tx)
        assert {r.status for r in first} == {"PROCESSING"}
        results = {r.index: r for r in await c.query_transaction_status(tx)}
        assert results[1].status == "DONE" and not results[1].messages
        assert results[2].status == "ABORTED" and results[2].messages[0].code == "INVALID_VAT_DATA"
        assert results[3].status == "DONE" and results[3].messages[0].severity == "WARN"


async def test_wrong_signature_key_and_password_are_refused(nav):
    async with httpx.AsyncClient(timeout=5) as http:
        with pytest.raises(NavRefused) as refused:
            await client(nav, http, signature_key="not-the-key-000000000000000000").token_exchange()
        assert refused.value.code == "INVALID_REQUEST_SIGNATURE"
        with pytest.raises(NavRefused) as refused:
            await client(nav, http, password="wrong").token_exchange()
        assert refused.value.code == "INVALID_SECURITY_USER"
        with pytest.raises(NavRefused) as refused:  # the token is decrypted with the exchange key
            await client(nav, http, exchange_key="0000000000000000").token_exchange()
        assert refused.value.code == "TOKEN_DECODE"


async def test_a_reused_invoice_number_is_rejected_by_nav(nav):
    async with httpx.AsyncClient(timeout=5) as http:
        c = client(nav, http)
        doc = numbered(documents.private_buyer(), 7)
        for _ in range(2):
            tx = await c.manage_invoice(new_request_id(), operations(doc), compressed=False)
            await c.query_transaction_status(tx)
            [result] = await c.query_transaction_status(tx)
        assert result.status == "ABORTED" and result.messages[0].code == "INVOICE_NUMBER_NOT_UNIQUE"


async def test_lost_answer_leaves_a_transaction_found_by_the_list_with_its_original_request(nav):
    nav.control("faults", operation="manageInvoice", kind="lost_response", delay_s=2)
    async with httpx.AsyncClient(timeout=0.5) as http:
        c = client(nav, http)
        doc = numbered(documents.domestic_company(), 9)
        start = datetime.now(UTC) - timedelta(seconds=5)
        with pytest.raises(NavUnavailable) as lost:
            await c.manage_invoice(new_request_id(), operations(doc), compressed=False)
        assert lost.value.maybe_processed
        [tx] = await c.query_transaction_list(start, datetime.now(UTC))
        [result] = await c.query_transaction_status(tx.transaction_id, return_original=True)
        assert result.original_invoice_number == "KP-2025-000009"


async def test_unreachable_nav_was_not_processed():
    async with httpx.AsyncClient(timeout=1) as http:
        c = NavClient(http, "http://127.0.0.1:9/invoiceService/v3",
                      Credentials("polcuser00001", "p", "k" * 32, "e" * 16, "10597190"), SOFTWARE)
        with pytest.raises(NavUnavailable) as down:
            await c.token_exchange()
        assert not down.value.maybe_processed


def test_request_ids_are_unique_and_valid():
    ids = {new_request_id() for _ in range(1000)}
    assert len(ids) == 1000 and all(re.fullmatch(r"[+a-zA-Z0-9_]{1,30}", i) for i in ids)
