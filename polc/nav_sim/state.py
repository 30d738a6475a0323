"""What the NAV simulator remembers: users, tokens, request ids, transactions and what to inject.

Results are decided when a manageInvoice call arrives (schema, a few of NAV's blocking checks,
injected results) and revealed gradually: the first ``processing_polls`` status queries of a
transaction answer PROCESSING, later ones the final DONE or ABORTED.
"""

from __future__ import annotations

import base64
import gzip
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from lxml import etree

from services.invoicing.nav.schema import invoice_data_errors

DATA_NS = {"d": "http://schemas.nav.gov.hu/OSA/3.0/data"}
TOKEN_VALIDITY = timedelta(minutes=5)


@dataclass(frozen=True)
class User:
    """A technical user of the simulated taxpayer."""

    login: str
    password: str
    signature_key: str
    exchange_key: str
    tax_number: str


DEMO_USER = User(login="polcdemo0000001", password="polc-demo-password",
                 signature_key="polc-demo-signature-key-0000000", exchange_key="polcdemoexchange",
                 tax_number="10597190")


@dataclass
class Message:
    severity: str
    code: str
    text: str
    technical: bool = False


@dataclass
class Item:
    index: int
    operation: str
    invoice_data_b64: str
    compressed: bool
    invoice_number: str | None
    original_invoice_number: str | None
    status: str = "DONE"
    messages: list[Message] = field(default_factory=list)


@dataclass
class Transaction:
    transaction_id: str
    request_id: str
    login: str
    inserted_at: datetime
    items: list[Item]
    polls: int = 0


@dataclass
class Injection:
    severity: str
    code: str
    text: str
    times: int = 1


@dataclass
class Fault:
    kind: str  # lost_response: processed, answer delayed past the client's timeout; unavailable: 503
    count: int = 1
    delay_s: float = 5.0


class SimState:
    """All of the simulator's memory; guarded by one lock (requests may come on several threads)."""

    def __init__(self, users: list[User] | None = None) -> None:
        self.lock = threading.Lock()
        self.users = {u.login: u for u in (users or [DEMO_USER])}
        self.processing_polls = 1
        self.reset()

    def reset(self) -> None:
        self.tokens: dict[str, tuple[str, datetime]] = {}
        self.request_ids: set[tuple[str, str]] = set()
        self.transactions: dict[str, Transaction] = {}
        self.injections: dict[str, Injection] = {}
        self.faults: dict[str, list[Fault]] = {}
        self.calls: dict[str, int] = {}

    # Tokens ------------------------------------------------------------------------------------

    def new_token(self, login: str, now: datetime) -> str:
        token = f"{secrets.token_hex(16)}{secrets.token_hex(6).upper()}"
        self.tokens[token] = (login, now + TOKEN_VALIDITY)
        return token

    def use_token(self, token: str, login: str, now: datetime) -> bool:
        """Single use, bound to the user, valid for five minutes."""
        found = self.tokens.pop(token, None)
        return found is not None and found[0] == login and now <= found[1]

    # Faults ------------------------------------------------------------------------------------

    def take_fault(self, operation: str) -> Fault | None:
        queue = self.faults.get(operation) or []
        if not queue:
            return None
        fault = queue[0]
        fault.count -= 1
        if fault.count <= 0:
            queue.pop(0)
        return fault

    # Transactions ------------------------------------------------------------------------------

    def receive(self, login: str, request_id: str, items: list[Item], now: datetime) -> Transaction:
        """Record a manageInvoice call and decide each invoice's outcome."""
        tx = Transaction(transaction_id=secrets.token_hex(8).upper()[:15] + "SIM", request_id=request_id,
                         login=login, inserted_at=now, items=items)
        for item in items:
            self._judge(item)
        self.transactions[tx.transaction_id] = tx
        return tx

    def _done_creates(self, number: str) -> int:
        return sum(1 for tx in self.transactions.values() for i in tx.items
                   if i.invoice_number == number and i.operation == "CREATE" and i.status == "DONE")

    def _judge(self, item: Item) -> None:
        xml = decode(item.invoice_data_b64, item.compressed)
        problems = invoice_data_errors(xml)
        if problems:
            item.status = "ABORTED"
            item.messages = [Message("ERROR", "SCHEMA_VIOLATION", str(p)[:1000], technical=True) for p in problems[:5]]
            return
        doc = etree.fromstring(xml)
        item.messages = _business_errors(doc, item, self)
        injected = self.injections.get(item.invoice_number or "")
        if injected:
            item.messages.append(Message(injected.severity, injected.code, injected.text))
            injected.times -= 1
            if injected.times <= 0:
                del self.injections[item.invoice_number]
        item.status = "ABORTED" if any(m.severity == "ERROR" for m in item.messages) else "DONE"

    def status(self, transaction_id: str) -> tuple[Transaction | None, bool]:
        """The transaction and whether its results are final yet (counts this query)."""
        tx = self.transactions.get(transaction_id)
        if tx is None:
            return None, False
        tx.polls += 1
        return tx, tx.polls > self.processing_polls

    def listed(self, login: str, since: datetime, until: datetime) -> list[Transaction]:
        user = self.users[login]
        return sorted((tx for tx in self.transactions.values()
                       if self.users[tx.login].tax_number == user.tax_number and since <= tx.inserted_at <= until),
                      key=lambda t: t.inserted_at)

    def invoices(self) -> dict[str, dict]:
        """Per invoice number: how many times it was submitted and its outcomes, in order."""
        out: dict[str, dict] = {}
        for tx in sorted(self.transactions.values(), key=lambda t: t.inserted_at):
            for item in tx.items:
                entry = out.setdefault(item.invoice_number or "?", {"submissions": 0, "outcomes": []})
                entry["submissions"] += 1
                entry["outcomes"].append({"transaction_id": tx.transaction_id, "index": item.index,
                                          "operation": item.operation, "status": item.status})
        return out


def decode(b64: str, compressed: bool) -> bytes:
    raw = base64.b64decode(b64)
    return gzip.decompress(raw) if compressed else raw


def _business_errors(doc: etree._Element, item: Item, state: SimState) -> list[Message]:
    """A few of NAV's blocking checks (interface specification § 3.3.2)."""
    found: list[Message] = []
    number = item.invoice_number or ""
    if item.operation == "CREATE" and state._done_creates(number):
        found.append(Message("ERROR", "INVOICE_NUMBER_NOT_UNIQUE", f"invoice number {number} was already reported"))
    if item.operation in ("MODIFY", "STORNO"):
        original = item.original_invoice_number or ""
        without_master = doc.findtext(".//d:invoiceReference/d:modifyWithoutMaster", namespaces=DATA_NS) == "true"
        if not original:
            found.append(Message("ERROR", "INVALID_INVOICE_REFERENCE", "no invoiceReference on a modification"))
        elif not without_master and not state._done_creates(original):
            found.append(Message("ERROR", "INVALID_INVOICE_REFERENCE", f"original invoice {original} is not reported"))
    customer = doc.find(".//d:customerInfo", DATA_NS)
    if customer is not None:
        status = customer.findtext("d:customerVatStatus", namespaces=DATA_NS)
        has_data = customer.find("d:customerName", DATA_NS) is not None or \
            customer.find("d:customerAddress", DATA_NS) is not None
        if status == "PRIVATE_PERSON" and has_data:
            found.append(Message("ERROR", "CUSTOMER_DATA_NOT_EXPECTED", "private person's name or address reported"))
        if status == "DOMESTIC" and customer.find("d:customerVatData/d:customerTaxNumber", DATA_NS) is None:
            found.append(Message("ERROR", "CUSTOMER_DATA_EXPECTED", "domestic customer without tax number"))
    numbers = [int(n.text) for n in doc.iterfind(".//d:invoiceLines/d:line/d:lineNumber", DATA_NS)]
    if numbers != list(range(1, len(numbers) + 1)):
        found.append(Message("ERROR", "LINE_NUMBER_NOT_SEQUENTIAL", f"line numbers {numbers}"))
    return found


def now() -> datetime:
    return datetime.now(UTC)
