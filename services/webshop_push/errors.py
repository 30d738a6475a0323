"""webshop_push's exception family."""

from __future__ import annotations

from polc.runtime.errors import PolcError, TransientError


class PushError(PolcError):
    """A shop cannot be written as configured (missing secret, bad settings)."""


class RegistryUnavailable(TransientError):
    """order_ingest's shop registry does not exist yet; the message is retried until it does."""
