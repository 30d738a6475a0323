"""Message contracts shared by every polc service.

- ``base``: the envelope, the ``Message`` base class, ``Money``/``Quantity``, header names.
- ``common``: value objects (addresses, customers, parties, VAT keys, order references).
- One module per flow: ``sync``, ``orders``, ``catalog``, ``stock``, ``fulfilment``, ``push``,
  ``invoicing`` (basket commands and batch outcomes), ``invoices`` (invoices, storno, e-mails), ``nav``.
- ``topics`` and ``registry``: every topic, its key, publishers and subscribers; lookups.
- ``envelopes``: record key, envelope and Kafka headers for a message.
- ``examples``: one realistic example per message version.
- ``export``: ``python -m contracts.export [--check]`` writes ``contracts/schemas/`` and ``docs/asyncapi.json``.
"""
