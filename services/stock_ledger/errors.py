"""The stock ledger's exception family.

Each is a :class:`PermanentError`: a document that breaks a ledger rule can never succeed as it
is, so a consumed one is dead-lettered with the reason and an HTTP request gets a 4xx answer.
"""

from __future__ import annotations

from polc.runtime.errors import PermanentError


class LedgerError(PermanentError):
    """A document or request the ledger refuses."""

    status_code = 422


class InsufficientStock(LedgerError):
    """A command would take physical stock below zero."""

    status_code = 409


class NotFound(LedgerError):
    """A product, warehouse or order the request names does not exist."""

    status_code = 404
