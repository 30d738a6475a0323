"""The Batch API: many calls in one POST, each with its own status.

ShopRenter answers a batch with HTTP 200 even when items fail, so every item's status is
checked and failures are reported one by one. Batches of one shop never overlap, and a
batch holds at most 200 requests.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from polc.shoprenter.client import ShopRenterClient, error_payload
from polc.shoprenter.errors import ShopRenterDecodeError, ShopRenterError


class BatchRequest(BaseModel):
    """One call inside a batch; `path` is relative to the API base (or an absolute URI)."""

    model_config = ConfigDict(frozen=True)

    method: Literal["GET", "POST", "PUT", "DELETE"]
    path: str
    data: dict[str, Any] | None = None


class BatchItemResult(BaseModel):
    """What the shop answered for one request of a batch."""

    index: int = Field(description="Position in the list given to `run_batch`.")
    request: BatchRequest
    status_code: int = Field(description="The item's own HTTP status; 0 if the shop gave none.")
    body: Any = None
    inner_code: int | None = None
    message: str | None = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 300


class BatchResult(BaseModel):
    """All item results of a (possibly multi-chunk) batch run, in request order."""

    items: list[BatchItemResult] = []

    @property
    def failures(self) -> list[BatchItemResult]:
        return [item for item in self.items if not item.ok]

    @property
    def succeeded(self) -> list[BatchItemResult]:
        return [item for item in self.items if item.ok]

    def raise_for_failures(self) -> None:
        """Raise `BatchItemsFailed` if any item failed."""
        if self.failures:
            raise BatchItemsFailed(self.failures)


class BatchItemsFailed(ShopRenterError):
    """Some items of a batch failed; `failures` lists each with its status and message."""

    def __init__(self, failures: list[BatchItemResult]) -> None:
        first = failures[0]
        super().__init__(
            f"{len(failures)} batch item(s) failed; first: #{first.index} {first.request.method} "
            f"{first.request.path} -> {first.status_code} {first.message or ''}".rstrip()
        )
        self.failures = failures


async def run_batch(client: ShopRenterClient, requests: list[BatchRequest]) -> BatchResult:
    """Send `requests` in chunks of at most `batch_size`, one chunk at a time per shop.

    A chunk is repeated after a transient failure only when all its items are safe to repeat
    (no POST); items with POST are repeated only when the shop certainly did not act.
    """
    size = client.connection.batch_size
    results: list[BatchItemResult] = []
    async with client.batch_lock:
        for start in range(0, len(requests), size):
            chunk = requests[start:start + size]
            results.extend(await _run_chunk(client, chunk, start))
    return BatchResult(items=results)


async def _run_chunk(client: ShopRenterClient, chunk: list[BatchRequest], offset: int) -> list[BatchItemResult]:
    payload = {"data": {"requests": [_wire(client, r) for r in chunk]}}
    idempotent = all(r.method != "POST" for r in chunk)
    body = await client.request("POST", "batch", json=payload, idempotent=idempotent)
    answers = _answers(body)
    results = []
    for i, request in enumerate(chunk):
        if i < len(answers):
            results.append(_item(offset + i, request, answers[i]))
        else:  # the shop stopped early: these were never answered
            results.append(BatchItemResult(index=offset + i, request=request, status_code=0,
                                           message="no response for this item"))
    return results


def _wire(client: ShopRenterClient, request: BatchRequest) -> dict[str, Any]:
    item: dict[str, Any] = {"method": request.method, "uri": client.url(request.path)}
    if request.data is not None:
        item["data"] = request.data
    return item


def _answers(body: Any) -> list[dict[str, Any]]:
    try:
        answers = body["requests"]["request"]
    except (KeyError, TypeError):
        raise ShopRenterDecodeError("batch response lacks requests.request") from None
    if isinstance(answers, dict):  # a lone item is not wrapped in a list
        answers = [answers]
    if not isinstance(answers, list):
        raise ShopRenterDecodeError("batch response items are not a list")
    return answers


def _item(index: int, request: BatchRequest, answer: Any) -> BatchItemResult:
    response = answer.get("response") if isinstance(answer, dict) else None
    response = response if isinstance(response, dict) else {}
    header = response.get("header") if isinstance(response.get("header"), dict) else {}
    try:
        status = int(str(header.get("statusCode", "0")).strip())
    except ValueError:
        status = 0
    body = response.get("body")
    inner, message = (None, None) if 200 <= status < 300 else error_payload(body)
    if status == 0 and message is None:
        message = "item answer without a status code"
    return BatchItemResult(index=index, request=request, status_code=status, body=body,
                           inner_code=inner, message=message)
