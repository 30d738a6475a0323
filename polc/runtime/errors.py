"""The runtime's exception family.

Handlers raise :class:`TransientError` for problems that go away by themselves (a database
restart, a shop answering 503): the message is retried with backoff and never skipped.
:class:`PermanentError` means the message can never succeed as it is: it is dead-lettered with
the reason and the partition moves on. Unexpected exceptions are retried a few times and then
treated as permanent, so one bad message never blocks the ones behind it.
"""

from __future__ import annotations

import asyncio

import asyncpg


class PolcError(Exception):
    """Base of every error polc raises on purpose."""


class TransientError(PolcError):
    """Retry later; the message itself is fine."""


class PermanentError(PolcError):
    """The message can never be handled as it is; dead-letter it with this reason."""


class ConfigurationError(PolcError):
    """Settings are missing or inconsistent; the process cannot start."""


#: Infrastructure failures that are transient by nature.
TRANSIENT_INFRASTRUCTURE_ERRORS: tuple[type[BaseException], ...] = (
    TransientError,
    ConnectionError,
    TimeoutError,
    asyncio.TimeoutError,
    OSError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.SerializationError,
    asyncpg.exceptions.DeadlockDetectedError,
    asyncpg.exceptions.InterfaceError,
)


def is_transient(error: BaseException) -> bool:
    """Whether ``error`` should be retried without limit rather than dead-lettered."""
    return isinstance(error, TRANSIENT_INFRASTRUCTURE_ERRORS)
