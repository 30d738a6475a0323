"""Request signing of the NAV Online Számla API v3.0 (interface specification § 1.5).

Every request carries the technical user's password as an uppercase SHA-512 hash and a
``requestSignature``: the uppercase SHA3-512 of ``requestId + UTC timestamp as yyyyMMddHHmmss +
signature key``. For manageInvoice (and manageAnnulment) the uppercase SHA3-512 of each
operation's ``operation + base64 invoice data`` is appended to that base, in index order.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime

from services.invoicing.nav import aes


def password_hash(password: str) -> str:
    """``passwordHash`` (cryptoType SHA-512)."""
    return hashlib.sha512(password.encode()).hexdigest().upper()


def sha3_512(text: str) -> str:
    return hashlib.sha3_512(text.encode()).hexdigest().upper()


def signature_timestamp(timestamp: datetime) -> str:
    """The request timestamp in the signature: UTC, seconds, no separators."""
    return timestamp.astimezone(UTC).strftime("%Y%m%d%H%M%S")


def header_timestamp(timestamp: datetime) -> str:
    """The ``common:timestamp`` header value: UTC with milliseconds and a Z."""
    ts = timestamp.astimezone(UTC)
    return ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"


def operation_hash(operation: str, invoice_data_b64: str) -> str:
    """The index hash of one manageInvoice operation."""
    return sha3_512(operation + invoice_data_b64)


def request_signature(request_id: str, timestamp: datetime, signature_key: str,
                      operations: Iterable[tuple[str, str]] = ()) -> str:
    """``requestSignature`` (cryptoType SHA3-512); ``operations`` are (operation, base64 data) in index order."""
    base = request_id + signature_timestamp(timestamp) + signature_key
    return sha3_512(base + "".join(operation_hash(op, data) for op, data in operations))


def decode_exchange_token(encoded: str, exchange_key: str) -> str:
    """The exchange token from tokenExchange's ``encodedExchangeToken`` (AES-128-ECB, exchange key)."""
    return aes.ecb_decrypt(exchange_key.encode(), base64.b64decode(encoded)).decode()


def encode_exchange_token(token: str, exchange_key: str) -> str:
    """The inverse of :func:`decode_exchange_token`, as NAV does it."""
    return base64.b64encode(aes.ecb_encrypt(exchange_key.encode(), token.encode())).decode()
