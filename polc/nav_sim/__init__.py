"""A NAV Online Számla API v3.0 simulator for tests and the embedded stack.

It speaks the real wire format over HTTP (tokenExchange, manageInvoice, queryTransactionStatus,
queryTransactionList), checks password hashes and request signatures, validates every request
against ``invoiceApi.xsd`` and every invoice against ``invoiceData.xsd``, applies a few of NAV's
blocking checks, and can inject ERROR/WARN results and lost answers through ``/_control``.
"""
