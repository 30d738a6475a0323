"""The registry and the generated documents: one topic per message, keys, descriptions, no floats."""

from __future__ import annotations

import json
import typing
from collections import Counter
from uuid import uuid4

import pytest
from pydantic import BaseModel

from contracts import export
from contracts.base import Envelope, Message
from contracts.envelopes import envelope_for, headers_for, key_for
from contracts.examples import EXAMPLES
from contracts.registry import (
    ALL_MESSAGES,
    ALL_TOPICS,
    UnknownMessage,
    UnknownTopic,
    message_class,
    parse_payload,
    topic_by_name,
    topic_for,
)


def models_reachable_from(root: type[BaseModel]) -> set[type[BaseModel]]:
    """``root`` and every model used in its fields, however nested."""
    seen: set[type[BaseModel]] = set()
    stack: list[object] = [root]
    while stack:
        tp = stack.pop()
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if tp in seen:
                continue
            seen.add(tp)
            stack.extend(f.annotation for f in tp.model_fields.values())
        else:
            stack.extend(typing.get_args(tp))
    return seen


def annotations_of(tp: object) -> list[object]:
    out, stack = [], [tp]
    while stack:
        t = stack.pop()
        out.append(t)
        stack.extend(typing.get_args(t))
    return out


ALL_MODELS = sorted(
    set().union(*(models_reachable_from(m) for m in (*ALL_MESSAGES, Envelope))), key=lambda m: m.__name__
)


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m.__name__)
def test_contracts_every_field_has_a_description(model: type[BaseModel]) -> None:
    missing = [name for name, field in model.model_fields.items() if not (field.description or "").strip()]
    assert missing == [], f"{model.__name__} fields without description: {missing}"


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m.__name__)
def test_contracts_no_float_fields(model: type[BaseModel]) -> None:
    floats = [name for name, f in model.model_fields.items() if float in annotations_of(f.annotation)]
    assert floats == [], f"{model.__name__} has float fields: {floats}; use Money or Quantity"


def test_contracts_no_json_number_that_is_not_an_integer() -> None:
    text = json.dumps(export.asyncapi_document())
    assert '"type": "number"' not in text


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m.__name__)
def test_contracts_models_are_frozen_and_closed(model: type[BaseModel]) -> None:
    assert model.model_config.get("frozen") is True
    assert model.model_config.get("extra") == "forbid"


def test_contracts_message_types_are_unique_and_each_on_exactly_one_topic() -> None:
    placements = Counter(m for t in ALL_TOPICS for m in t.messages)
    assert [m.__name__ for m, n in placements.items() if n != 1] == []
    versions = Counter((m.message_type, m.schema_version) for m in ALL_MESSAGES)
    assert [v for v, n in versions.items() if n != 1] == []
    assert all(m.message_type == m.__name__ for m in ALL_MESSAGES)


def test_contracts_every_message_subclass_is_registered() -> None:
    defined = {
        cls for cls in _all_subclasses(Message)
        if "message_type" in cls.__dict__ and cls.__module__.startswith("contracts.")
    }
    assert defined - set(ALL_MESSAGES) == set()


def _all_subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _all_subclasses(sub)
    return found


def test_contracts_topic_names_are_versioned_and_unique() -> None:
    names = [t.name for t in ALL_TOPICS]
    assert len(names) == len(set(names))
    assert all(n.startswith("polc.") and n.rsplit(".", 1)[1].startswith("v") for n in names)


@pytest.mark.parametrize("cls", ALL_MESSAGES, ids=lambda c: c.message_type)
def test_contracts_topic_key_computes_from_example(cls: type[Message]) -> None:
    topic = topic_for(cls)
    assert topic.key_fields, f"{topic.name} has no key fields"
    for name in topic.key_fields:
        assert name in cls.model_fields, f"{cls.__name__} lacks key field {name} of {topic.name}"
    key = key_for(EXAMPLES[cls])
    parts = key.split(":")
    assert len(parts) == len(topic.key_fields) and all(parts), key
    assert "None" not in parts


@pytest.mark.parametrize("cls", ALL_MESSAGES, ids=lambda c: c.message_type)
def test_contracts_key_fields_are_required(cls: type[Message]) -> None:
    for name in topic_for(cls).key_fields:
        assert cls.model_fields[name].is_required(), f"{cls.__name__}.{name} is a key field but optional"


def test_contracts_lookups() -> None:
    assert topic_by_name("polc.stock.changes.v1").key_fields == ("warehouse_id", "sku")
    assert message_class("OrderReceived", 1).message_type == "OrderReceived"
    assert topic_for(EXAMPLES[message_class("StockChanged")]).name == "polc.stock.changes.v1"
    with pytest.raises(UnknownTopic):
        topic_by_name("polc.nope.v1")
    with pytest.raises(UnknownMessage):
        message_class("OrderReceived", 99)


def test_contracts_envelope_for_and_headers() -> None:
    message = EXAMPLES[message_class("OrderReceived")]
    cause = uuid4()
    envelope = envelope_for(message, producer="order_ingest", correlation_id=cause, causation_id=cause)
    assert envelope.key == "kavepor:b3JkZXItb3JkZXJfaWQ9MTcy"
    assert parse_payload(Envelope.model_validate_json(envelope.model_dump_json())) == message
    headers = headers_for(envelope)
    assert headers["polc-message-type"] == "OrderReceived" and headers["polc-causation-id"] == str(cause)


def test_contracts_parse_payload_rejects_unknown_type() -> None:
    envelope = envelope_for(EXAMPLES[message_class("OrderPacked")], producer="stock_ledger")
    with pytest.raises(UnknownMessage):
        parse_payload(envelope.model_copy(update={"message_type": "OrderTeleported"}))


def test_contracts_generated_files_are_up_to_date() -> None:
    problems = export.stale_files(export.generated_files())
    assert problems == [], "\n".join(problems) + "\nrun: python -m contracts.export"


def test_contracts_export_check_exits_non_zero_when_stale(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(export, "ROOT", tmp_path)
    monkeypatch.setattr(export, "SCHEMA_DIR", tmp_path / "contracts" / "schemas")
    monkeypatch.setattr(export, "ASYNCAPI_PATH", tmp_path / "docs" / "asyncapi.json")
    monkeypatch.setattr(export, "CATALOGUE_PATH", tmp_path / "docs" / "topics.md")
    assert export.main(["--check"]) == 1
    assert export.main([]) == 0
    assert export.main(["--check"]) == 0


def test_contracts_asyncapi_structure() -> None:
    doc = export.asyncapi_document()
    assert doc["asyncapi"] == "3.0.0"
    assert set(doc["channels"]) == {t.name for t in ALL_TOPICS}
    refs = {ref for ch in doc["channels"].values() for ref in (m["$ref"] for m in ch["messages"].values())}
    assert refs == {f"#/components/messages/{export.message_id(m)}" for m in ALL_MESSAGES}
    dangling = {r for r in _refs(doc) if r.startswith("#/components/schemas/")} - {
        f"#/components/schemas/{n}" for n in doc["components"]["schemas"]
    }
    assert dangling == set()


def _refs(node: object) -> set[str]:
    if isinstance(node, dict):
        own = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return own.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()

