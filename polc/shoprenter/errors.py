"""The client's exception family. Every error says which shop, HTTP status and ShopRenter code.

Messages never include credentials or authorization headers: only method, path and the
server's own message.
"""

from __future__ import annotations


class ShopRenterError(Exception):
    """Base of everything the ShopRenter client raises."""

    def __init__(self, message: str, *, shop_id: str = "", method: str = "", path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.shop_id = shop_id
        self.method = method
        self.path = path

    def __str__(self) -> str:
        where = f" [{self.shop_id}] {self.method} {self.path}".rstrip() if self.shop_id else ""
        return f"{self.message}{where}"


class ShopRenterApiError(ShopRenterError):
    """The API answered with an error status."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        inner_code: int | None = None,
        raw_body: str = "",
        shop_id: str = "",
        method: str = "",
        path: str = "",
    ) -> None:
        super().__init__(message, shop_id=shop_id, method=method, path=path)
        self.status = status
        self.inner_code = inner_code
        self.raw_body = raw_body[:2000]

    def __str__(self) -> str:
        code = f"/{self.inner_code}" if self.inner_code is not None else ""
        return f"HTTP {self.status}{code}: {super().__str__()}"


class ShopRenterAuthError(ShopRenterApiError):
    """Credentials were rejected, a token could not be obtained, or a scope is missing."""


class ShopRenterNotFound(ShopRenterApiError):
    """404: the resource (or SKU) does not exist."""


class ShopRenterRetryExhausted(ShopRenterError):
    """Transient failures (429, 5xx, timeouts) outlasted the retry budget."""

    def __init__(self, message: str, *, last_status: int | None, attempts: int, **where: str) -> None:
        super().__init__(message, **where)
        self.last_status = last_status
        self.attempts = attempts


class ShopRenterTransportError(ShopRenterError):
    """The request may or may not have reached the shop (timeout, dropped connection) and
    was not retried because it is not safe to repeat."""


class ShopRenterDecodeError(ShopRenterError):
    """A success status came with a body that is not the JSON we expected."""
