"""Log lines are JSON and carry the correlation id of the message being handled."""

from __future__ import annotations

import json
import logging

from polc.runtime.logs import JsonFormatter, bind


def _format(message: str) -> dict:
    record = logging.LogRecord("polc.test", logging.INFO, __file__, 1, message, (), None)
    return json.loads(JsonFormatter("stock_ledger").format(record))


def test_bound_fields_appear_on_every_line_inside_the_block_only():
    with bind(correlation_id="c-1", message_id="m-1"):
        inside = _format("reserved 2 × Kávé")
        with bind(shop_id="demo1"):
            nested = _format("nested")
    outside = _format("after")
    assert inside["correlation_id"] == "c-1" and inside["message_id"] == "m-1"
    assert inside["msg"] == "reserved 2 × Kávé" and inside["service"] == "stock_ledger"
    assert nested["shop_id"] == "demo1" and nested["correlation_id"] == "c-1"
    assert "correlation_id" not in outside
