"""NAV API v3.0 requests (invoiceApi.xsd) built as XML, and their responses read back. Pure.

Every request carries the common header, the technical user with its password hash and request
signature, and the software block. Responses are read for ``funcCode``, the transaction id, the
per-invoice processing results and the transaction list.
"""

from __future__ import annotations

import base64
import gzip
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from services.invoicing.nav import signing

API_NS = "http://schemas.nav.gov.hu/OSA/3.0/api"
COMMON_NS = "http://schemas.nav.gov.hu/NTCA/1.0/common"
DATA_NS = "http://schemas.nav.gov.hu/OSA/3.0/data"
_NSMAP = {None: API_NS, "common": COMMON_NS}
_NS = {"api": API_NS, "common": COMMON_NS, "data": DATA_NS}


@dataclass(frozen=True)
class Credentials:
    """A technical user of one environment. Secrets stay out of ``repr`` and logs."""

    login: str
    password: str = field(repr=False)
    signature_key: str = field(repr=False)
    exchange_key: str = field(repr=False)
    tax_number: str


@dataclass(frozen=True)
class Software:
    """The ``software`` block NAV asks of every invoicing program."""

    software_id: str
    name: str
    main_version: str
    dev_name: str
    dev_contact: str
    dev_country_code: str = "HU"
    operation: str = "ONLINE_SERVICE"


@dataclass(frozen=True)
class Operation:
    """One invoice of a manageInvoice call: base64 of its (optionally gzipped) InvoiceData."""

    index: int
    operation: str
    invoice_data_b64: str


@dataclass(frozen=True)
class ValidationMessage:
    severity: str  # ERROR, WARN, INFO (CRITICAL is reported as ERROR)
    code: str
    text: str


@dataclass(frozen=True)
class ProcessingResult:
    """NAV's state of one invoice of a transaction."""

    index: int
    status: str  # RECEIVED, PROCESSING, SAVED, DONE, ABORTED
    messages: tuple[ValidationMessage, ...] = ()
    original_invoice_number: str | None = None


@dataclass(frozen=True)
class Transaction:
    transaction_id: str
    inserted_at: str
    request_status: str
    item_count: int


class NavResponseError(Exception):
    """NAV answered with funcCode ERROR: the request was refused and not processed."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


def _el(parent: etree._Element, name: str, text: object | None = None, ns: str = API_NS) -> etree._Element:
    child = etree.SubElement(parent, f"{{{ns}}}{name}")
    if text is not None:
        child.text = str(text)
    return child


def _envelope(root_name: str, creds: Credentials, software: Software, request_id: str, timestamp: datetime,
              operations: Sequence[Operation] = ()) -> etree._Element:
    root = etree.Element(f"{{{API_NS}}}{root_name}", nsmap=_NSMAP)
    header = _el(root, "header", ns=COMMON_NS)
    _el(header, "requestId", request_id, COMMON_NS)
    _el(header, "timestamp", signing.header_timestamp(timestamp), COMMON_NS)
    _el(header, "requestVersion", "3.0", COMMON_NS)
    _el(header, "headerVersion", "1.0", COMMON_NS)
    user = _el(root, "user", ns=COMMON_NS)
    _el(user, "login", creds.login, COMMON_NS)
    _el(user, "passwordHash", signing.password_hash(creds.password), COMMON_NS).set("cryptoType", "SHA-512")
    _el(user, "taxNumber", creds.tax_number, COMMON_NS)
    signature = signing.request_signature(request_id, timestamp, creds.signature_key,
                                          [(op.operation, op.invoice_data_b64) for op in operations])
    _el(user, "requestSignature", signature, COMMON_NS).set("cryptoType", "SHA3-512")
    sw = _el(root, "software")
    for name, value in (("softwareId", software.software_id), ("softwareName", software.name),
                        ("softwareOperation", software.operation), ("softwareMainVersion", software.main_version),
                        ("softwareDevName", software.dev_name), ("softwareDevContact", software.dev_contact),
                        ("softwareDevCountryCode", software.dev_country_code)):
        _el(sw, name, value)
    return root


def _bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def token_exchange_request(creds: Credentials, software: Software, request_id: str, timestamp: datetime) -> bytes:
    return _bytes(_envelope("TokenExchangeRequest", creds, software, request_id, timestamp))


def manage_invoice_request(creds: Credentials, software: Software, request_id: str, timestamp: datetime,
                           token: str, operations: Sequence[Operation], compressed: bool) -> bytes:
    root = _envelope("ManageInvoiceRequest", creds, software, request_id, timestamp, operations)
    _el(root, "exchangeToken", token)
    ops = _el(root, "invoiceOperations")
    _el(ops, "compressedContent", "true" if compressed else "false")
    for op in operations:
        node = _el(ops, "invoiceOperation")
        _el(node, "index", op.index)
        _el(node, "invoiceOperation", op.operation)
        _el(node, "invoiceData", op.invoice_data_b64)
    return _bytes(root)


def query_transaction_status_request(creds: Credentials, software: Software, request_id: str, timestamp: datetime,
                                     transaction_id: str, return_original: bool) -> bytes:
    root = _envelope("QueryTransactionStatusRequest", creds, software, request_id, timestamp)
    _el(root, "transactionId", transaction_id)
    _el(root, "returnOriginalRequest", "true" if return_original else "false")
    return _bytes(root)


def query_transaction_list_request(creds: Credentials, software: Software, request_id: str, timestamp: datetime,
                                   page: int, date_from: datetime, date_to: datetime) -> bytes:
    root = _envelope("QueryTransactionListRequest", creds, software, request_id, timestamp)
    _el(root, "page", page)
    interval = _el(root, "insDate")
    _el(interval, "dateTimeFrom", signing.header_timestamp(date_from))
    _el(interval, "dateTimeTo", signing.header_timestamp(date_to))
    return _bytes(root)


def encode_invoice_data(xml: bytes, compressed: bool) -> str:
    """base64 of the InvoiceData, gzipped first (level 1, as NAV asks) when ``compressed``."""
    return base64.b64encode(gzip.compress(xml, compresslevel=1) if compressed else xml).decode()


def decode_invoice_data(b64: str, compressed: bool) -> bytes:
    raw = base64.b64decode(b64)
    return gzip.decompress(raw) if compressed else raw


def parse(body: bytes) -> etree._Element:
    """The response root; NavResponseError when NAV refused the request."""
    root = etree.fromstring(body, etree.XMLParser(no_network=True, resolve_entities=False))
    func = root.findtext("common:result/common:funcCode", namespaces=_NS)
    if func != "OK":
        code = root.findtext("common:result/common:errorCode", namespaces=_NS) or (func or "NO_RESULT")
        message = root.findtext("common:result/common:message", namespaces=_NS) or ""
        raise NavResponseError(code, message)
    return root


def encoded_token(root: etree._Element) -> str:
    return root.findtext("api:encodedExchangeToken", namespaces=_NS) or ""


def transaction_id(root: etree._Element) -> str:
    value = root.findtext("api:transactionId", namespaces=_NS)
    if not value:
        raise NavResponseError("NO_TRANSACTION_ID", "manageInvoice answered without a transactionId")
    return value


def _messages(node: etree._Element) -> tuple[ValidationMessage, ...]:
    found = []
    for kind in ("technicalValidationMessages", "businessValidationMessages"):
        for msg in node.iterfind(f"api:{kind}", _NS):
            severity = (msg.findtext("common:validationResultCode", namespaces=_NS)
                        or msg.findtext("api:validationResultCode", namespaces=_NS) or "ERROR")
            code = (msg.findtext("common:validationErrorCode", namespaces=_NS)
                    or msg.findtext("api:validationErrorCode", namespaces=_NS) or severity)
            text = msg.findtext("common:message", namespaces=_NS) or msg.findtext("api:message", namespaces=_NS) or ""
            found.append(ValidationMessage("ERROR" if severity == "CRITICAL" else severity, code, text))
    return tuple(found)


def _original_number(node: etree._Element) -> str | None:
    original = node.findtext("api:originalRequest", namespaces=_NS)
    if not original:
        return None
    compressed = node.findtext("api:compressedContentIndicator", namespaces=_NS) == "true"
    data = etree.fromstring(decode_invoice_data(original, compressed),
                            etree.XMLParser(no_network=True, resolve_entities=False))
    return data.findtext("data:invoiceNumber", namespaces=_NS)


def processing_results(root: etree._Element) -> list[ProcessingResult]:
    return [ProcessingResult(index=int(node.findtext("api:index", namespaces=_NS)),
                             status=node.findtext("api:invoiceStatus", namespaces=_NS),
                             messages=_messages(node), original_invoice_number=_original_number(node))
            for node in root.iterfind("api:processingResults/api:processingResult", _NS)]


def transactions(root: etree._Element) -> tuple[list[Transaction], int]:
    """The transactions of one page and the number of pages."""
    result = root.find("api:transactionListResult", _NS)
    if result is None:
        return [], 0
    found = [Transaction(transaction_id=t.findtext("api:transactionId", namespaces=_NS),
                         inserted_at=t.findtext("api:insDate", namespaces=_NS),
                         request_status=t.findtext("api:requestStatus", namespaces=_NS),
                         item_count=int(t.findtext("api:itemCount", namespaces=_NS) or 0))
             for t in result.iterfind("api:transaction", _NS)]
    return found, int(result.findtext("api:availablePage", namespaces=_NS) or 0)
