"""Golden files: every message version serialises exactly to its committed JSON and back.

Set POLC_UPDATE_GOLDEN=1 to rewrite the goldens after an intended change; without it a missing
or different golden fails.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from contracts.base import Envelope, Message
from contracts.examples import EXAMPLES, example_envelope
from contracts.orders import OrderReceived
from contracts.registry import ALL_MESSAGES, parse_payload

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("POLC_UPDATE_GOLDEN") == "1"


def golden_path(cls: type[Message]) -> Path:
    return GOLDEN / f"{cls.message_type}.v{cls.schema_version}.json"


def render(data: dict) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def check_golden(path: Path, actual: str) -> None:
    if UPDATE:
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"missing golden {path.name}; run with POLC_UPDATE_GOLDEN=1 to create it"
    assert path.read_text(encoding="utf-8") == actual, f"{path.name} differs from the message's serialisation"


@pytest.mark.parametrize("cls", ALL_MESSAGES, ids=lambda c: f"{c.message_type}.v{c.schema_version}")
def test_contracts_message_matches_golden(cls: type[Message]) -> None:
    message = EXAMPLES[cls]
    check_golden(golden_path(cls), render(json.loads(message.model_dump_json())))


@pytest.mark.parametrize("cls", ALL_MESSAGES, ids=lambda c: f"{c.message_type}.v{c.schema_version}")
def test_contracts_golden_parses_back_equal(cls: type[Message]) -> None:
    text = golden_path(cls).read_text(encoding="utf-8")
    assert cls.model_validate_json(text) == EXAMPLES[cls]


@pytest.mark.parametrize("cls", ALL_MESSAGES, ids=lambda c: f"{c.message_type}.v{c.schema_version}")
def test_contracts_envelope_round_trip(cls: type[Message]) -> None:
    envelope = example_envelope(cls)
    wire = envelope.model_dump_json()
    assert parse_payload(Envelope.model_validate_json(wire)) == EXAMPLES[cls]


def test_contracts_envelope_matches_golden() -> None:
    envelope = example_envelope(OrderReceived)
    check_golden(GOLDEN / "Envelope.v1.json", render(json.loads(envelope.model_dump_json())))


def test_contracts_every_message_has_a_golden() -> None:
    expected = {golden_path(cls).name for cls in ALL_MESSAGES} | {"Envelope.v1.json"}
    present = {p.name for p in GOLDEN.glob("*.json")}
    assert expected - present == set(), "messages without a golden file"
    assert present - expected == set(), "golden files for messages that are not registered"


def test_contracts_money_is_a_string_on_the_wire() -> None:
    payload = json.loads(EXAMPLES[OrderReceived].model_dump_json())
    assert payload["gross_total"] == "25570.00"
    assert payload["lines"][0]["gross_unit_price"] == "12990.00"
    assert payload["customer"]["name"] == "Kovács Éva"
