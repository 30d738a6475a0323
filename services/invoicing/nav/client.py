"""Async client of the NAV Online Számla API v3.0 over httpx.

Errors are translated here: :class:`NavRefused` when NAV answered and refused the request (it
was not processed), :class:`NavUnavailable` when there was no usable answer. ``maybe_processed``
tells whether NAV may have received and processed it anyway (a timeout or an error after the
request was sent), in which case the caller must look for the transaction before sending again.
Credentials are never logged; a request id is new for every request, retries included.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import httpx
from lxml import etree

from services.invoicing.nav import messages, signing
from services.invoicing.nav.messages import Credentials, Operation, ProcessingResult, Software, Transaction

log = logging.getLogger(__name__)

ENDPOINTS = {
    "test": "https://api-test.onlineszamla.nav.gov.hu/invoiceService/v3",
    "production": "https://api.onlineszamla.nav.gov.hu/invoiceService/v3",
}


class NavError(Exception):
    """Reporting to NAV failed."""


class NavRefused(NavError):
    """NAV answered funcCode ERROR: nothing was processed."""

    def __init__(self, operation: str, code: str, message: str) -> None:
        super().__init__(f"NAV refused {operation}: {code} {message}".strip())
        self.code, self.message = code, message


class NavUnavailable(NavError):
    """No usable answer from NAV."""

    def __init__(self, operation: str, detail: str, *, maybe_processed: bool) -> None:
        super().__init__(f"NAV {operation}: {detail}")
        self.maybe_processed = maybe_processed


def new_request_id() -> str:
    """A request id NAV accepts (``[+a-zA-Z0-9_]{1,30}``), unique for every request."""
    return "POLC" + uuid.uuid4().hex[:26].upper()


class NavClient:
    """One technical user against one environment's ``invoiceService/v3`` base URL."""

    def __init__(self, http: httpx.AsyncClient, base_url: str, credentials: Credentials, software: Software) -> None:
        self.http, self.base_url = http, base_url.rstrip("/")
        self.credentials, self.software = credentials, software

    async def _post(self, operation: str, body: bytes) -> etree._Element:
        url = f"{self.base_url}/{operation}"
        try:
            response = await self.http.post(url, content=body, headers={"Content-Type": "application/xml",
                                                                         "Accept": "application/xml"})
        except (httpx.ConnectError, httpx.ConnectTimeout) as error:
            raise NavUnavailable(operation, f"cannot connect: {error!r}", maybe_processed=False) from error
        except httpx.HTTPError as error:  # sent, but the answer was lost (timeout, reset)
            raise NavUnavailable(operation, f"no answer: {error!r}", maybe_processed=True) from error
        try:
            root = messages.parse(response.content)
        except messages.NavResponseError as error:
            raise NavRefused(operation, error.code, error.message) from error
        except etree.XMLSyntaxError as error:
            raise NavUnavailable(operation, f"HTTP {response.status_code}, not an XML answer",
                                 maybe_processed=response.status_code >= 500) from error
        return root

    def _now(self) -> datetime:
        return datetime.now(UTC)

    async def token_exchange(self) -> str:
        """A fresh, decoded exchange token for one manageInvoice call."""
        body = messages.token_exchange_request(self.credentials, self.software, new_request_id(), self._now())
        root = await self._post("tokenExchange", body)
        try:
            return signing.decode_exchange_token(messages.encoded_token(root), self.credentials.exchange_key)
        except ValueError as error:
            raise NavRefused("tokenExchange", "TOKEN_DECODE", "the exchange key does not decode the token") from error

    async def manage_invoice(self, request_id: str, operations: Sequence[Operation], *, compressed: bool) -> str:
        """Send up to 100 operations; the transaction id NAV assigned."""
        try:
            token = await self.token_exchange()
        except NavUnavailable as error:  # manageInvoice itself was never sent
            raise NavUnavailable("tokenExchange", str(error), maybe_processed=False) from error
        body = messages.manage_invoice_request(self.credentials, self.software, request_id, self._now(), token,
                                               operations, compressed)
        return messages.transaction_id(await self._post("manageInvoice", body))

    async def query_transaction_status(self, transaction_id: str, *,
                                       return_original: bool = False) -> list[ProcessingResult]:
        body = messages.query_transaction_status_request(self.credentials, self.software, new_request_id(),
                                                         self._now(), transaction_id, return_original)
        return messages.processing_results(await self._post("queryTransactionStatus", body))

    async def query_transaction_list(self, date_from: datetime, date_to: datetime) -> list[Transaction]:
        """Every transaction of the technical user's taxpayer received in the interval, all pages."""
        found: list[Transaction] = []
        page, pages = 1, 1
        while page <= pages:
            body = messages.query_transaction_list_request(self.credentials, self.software, new_request_id(),
                                                           self._now(), page, date_from, date_to)
            batch, pages = messages.transactions(await self._post("queryTransactionList", body))
            found.extend(batch)
            page += 1
        return found
