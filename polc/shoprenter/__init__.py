"""The production ShopRenter API client.

    conn = ShopConnection.for_shop("myshop", client_id="..", client_secret="..")
    async with ShopRenterClient(conn) as client:
        api = ShopRenterApi(client)
        async for order in api.iter_orders(inner_id_min=1001, extend=True):
            ...
"""

from polc.shoprenter.api import ProductUpdate, ShopRenterApi
from polc.shoprenter.batch import BatchItemResult, BatchItemsFailed, BatchRequest, BatchResult, run_batch
from polc.shoprenter.client import ShopRenterClient
from polc.shoprenter.config import AuthMode, RateLimit, RetryPolicy, ShopConnection
from polc.shoprenter.errors import (
    ShopRenterApiError,
    ShopRenterAuthError,
    ShopRenterDecodeError,
    ShopRenterError,
    ShopRenterNotFound,
    ShopRenterRetryExhausted,
    ShopRenterTransportError,
)
from polc.shoprenter.ratelimit import ShopRegistry, SlidingWindowLimiter, default_registry

__all__ = [
    "AuthMode", "BatchItemResult", "BatchItemsFailed", "BatchRequest", "BatchResult", "ProductUpdate",
    "RateLimit", "RetryPolicy", "ShopConnection", "ShopRegistry", "ShopRenterApi", "ShopRenterApiError",
    "ShopRenterAuthError", "ShopRenterClient", "ShopRenterDecodeError", "ShopRenterError",
    "ShopRenterNotFound", "ShopRenterRetryExhausted", "ShopRenterTransportError", "SlidingWindowLimiter",
    "default_registry", "run_batch",
]
