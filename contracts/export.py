"""Write the JSON Schemas and the AsyncAPI 3.0 document generated from the contracts.

``python -m contracts.export`` writes ``contracts/schemas/<MessageType>.v<N>.json``,
``contracts/schemas/Envelope.v1.json`` and ``docs/asyncapi.json``. With ``--check`` it writes
nothing and exits 1, listing what differs, when the committed files are not what the code
generates. Output is deterministic: sorted keys, fixed topic and message order.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from pathlib import Path
from typing import Any

from pydantic.json_schema import models_json_schema

from contracts import base
from contracts.base import Envelope, Message
from contracts.catalogue import render_catalogue
from contracts.examples import example_envelope
from contracts.envelopes import headers_for
from contracts.registry import ALL_MESSAGES, ALL_TOPICS
from contracts.topics import Topic

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = ROOT / "contracts" / "schemas"
ASYNCAPI_PATH = ROOT / "docs" / "asyncapi.json"
CATALOGUE_PATH = ROOT / "docs" / "topics.md"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
HEADERS = {
    base.HEADER_MESSAGE_ID: "Envelope message_id (UUID).",
    base.HEADER_MESSAGE_TYPE: "Envelope message_type.",
    base.HEADER_SCHEMA_VERSION: "Envelope schema_version.",
    base.HEADER_CORRELATION_ID: "Envelope correlation_id (UUID).",
    base.HEADER_CAUSATION_ID: "Envelope causation_id (UUID); absent when the message starts a flow.",
    base.HEADER_PRODUCER: "Envelope producer.",
}


def message_id(cls: type[Message]) -> str:
    """Id of a message version in file names and in the AsyncAPI document."""
    return f"{cls.message_type}.v{cls.schema_version}"


def render(document: dict[str, Any]) -> str:
    """Stable JSON text: sorted keys, two-space indent, UTF-8 characters kept, final newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def message_schema(cls: type[Message]) -> dict[str, Any]:
    """Standalone JSON Schema of one message body."""
    schema = cls.model_json_schema()
    schema["$schema"] = JSON_SCHEMA_DIALECT
    schema["x-polc-message-type"] = cls.message_type
    schema["x-polc-schema-version"] = cls.schema_version
    schema["x-polc-topic"] = next(t.name for t in ALL_TOPICS if cls in t.messages)
    return schema


def schema_files() -> dict[Path, str]:
    """Every JSON Schema file and its text."""
    files = {SCHEMA_DIR / f"{message_id(cls)}.json": render(message_schema(cls)) for cls in ALL_MESSAGES}
    envelope = Envelope.model_json_schema()
    envelope["$schema"] = JSON_SCHEMA_DIALECT
    files[SCHEMA_DIR / "Envelope.v1.json"] = render(envelope)
    return files


def _channel(topic: Topic) -> dict[str, Any]:
    configs: dict[str, Any] = {"retention.ms": topic.retention_ms}
    if "cleanup.policy" in topic.configs:
        configs["cleanup.policy"] = topic.configs["cleanup.policy"].split(",")
    return {
        "address": topic.name,
        "description": f"{topic.description}\n\nKey: {topic.key}.",
        "messages": {message_id(m): {"$ref": f"#/components/messages/{message_id(m)}"} for m in topic.messages},
        "bindings": {
            "kafka": {
                "bindingVersion": "0.5.0",
                "topic": topic.name,
                "partitions": topic.partitions,
                "topicConfiguration": configs,
            }
        },
        "x-polc-key-fields": list(topic.key_fields),
        "x-polc-publishers": list(topic.publishers),
        "x-polc-subscribers": list(topic.subscribers),
    }


def _message(cls: type[Message], topic: Topic) -> dict[str, Any]:
    envelope = example_envelope(cls)
    return {
        "name": cls.message_type,
        "title": f"{cls.message_type} v{cls.schema_version}",
        "summary": (cls.__doc__ or "").strip().splitlines()[0],
        "contentType": "application/json",
        "headers": {"$ref": "#/components/schemas/PolcHeaders"},
        "payload": {
            "allOf": [
                {"$ref": "#/components/schemas/Envelope"},
                {
                    "type": "object",
                    "properties": {
                        "message_type": {"const": cls.message_type},
                        "schema_version": {"const": cls.schema_version},
                        "payload": {"$ref": f"#/components/schemas/{cls.__name__}"},
                    },
                },
            ]
        },
        "bindings": {
            "kafka": {
                "bindingVersion": "0.5.0",
                "key": {"type": "string", "description": f"{topic.key} (payload fields {', '.join(topic.key_fields)} joined with ':')"},
            }
        },
        "examples": [{"name": "example", "headers": headers_for(envelope), "payload": envelope.model_dump(mode="json")}],
    }


def _operations() -> dict[str, Any]:
    operations: dict[str, Any] = {}
    for topic in ALL_TOPICS:
        for action, services in (("send", topic.publishers), ("receive", topic.subscribers)):
            for service in services:
                operations[f"{service}.{action}.{topic.name}"] = {
                    "action": action,
                    "channel": {"$ref": f"#/channels/{topic.name}"},
                    "summary": f"{service} {'publishes to' if action == 'send' else 'consumes'} {topic.name}",
                    "messages": [
                        {"$ref": f"#/channels/{topic.name}/messages/{message_id(m)}"} for m in topic.messages
                    ],
                }
    return operations


def asyncapi_document() -> dict[str, Any]:
    """The AsyncAPI 3.0 document: channels are topics, messages are enveloped payloads."""
    _, defs = models_json_schema(
        [(cls, "validation") for cls in (Envelope, *ALL_MESSAGES)], ref_template="#/components/schemas/{model}"
    )
    schemas = dict(defs["$defs"])
    schemas["PolcHeaders"] = {
        "type": "object",
        "description": "Kafka headers repeating the envelope's identifying fields (UTF-8 strings).",
        "properties": {name: {"type": "string", "description": text} for name, text in HEADERS.items()},
        "required": [h for h in HEADERS if h != base.HEADER_CAUSATION_ID],
    }
    by_topic = {m: t for t in ALL_TOPICS for m in t.messages}
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "polc topics",
            "version": "1.0.0",
            "description": "Messages exchanged by polc's services (order ingest, stock ledger, webshop push, "
            "invoicing) over Kafka. Every record value is a JSON envelope whose payload is the message body; "
            "money and quantities are decimal strings.",
        },
        "defaultContentType": "application/json",
        "channels": {t.name: _channel(t) for t in ALL_TOPICS},
        "operations": _operations(),
        "components": {
            "schemas": schemas,
            "messages": {message_id(m): _message(m, by_topic[m]) for m in ALL_MESSAGES},
        },
    }


def generated_files() -> dict[Path, str]:
    """Every generated file and its text."""
    return {**schema_files(), ASYNCAPI_PATH: render(asyncapi_document()), CATALOGUE_PATH: render_catalogue()}


def stale_files(files: dict[Path, str]) -> list[str]:
    """Human-readable differences between ``files`` and the disk; empty when up to date."""
    problems = []
    for path, text in files.items():
        rel = path.relative_to(ROOT)
        if not path.exists():
            problems.append(f"missing: {rel}")
        elif (old := path.read_text(encoding="utf-8")) != text:
            diff = list(difflib.unified_diff(old.splitlines(), text.splitlines(), str(rel), str(rel), lineterm="", n=1))
            shown = "\n".join(diff[:20]) + ("\n..." if len(diff) > 20 else "")
            problems.append(f"stale: {rel}\n{shown}")
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        if path not in files:
            problems.append(f"not generated (delete it): {path.relative_to(ROOT)}")
    return problems


def write(files: dict[Path, str]) -> None:
    """Write ``files`` and remove schema files no message produces any more."""
    SCHEMA_DIR.mkdir(parents=True, exist_ok=True)
    for path in SCHEMA_DIR.glob("*.json"):
        if path not in files:
            path.unlink()
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m contracts.export", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed files are stale")
    args = parser.parse_args(argv)
    files = generated_files()
    if args.check:
        problems = stale_files(files)
        if problems:
            print("\n".join(problems), file=sys.stderr)
            print(f"\n{len(problems)} generated file(s) out of date; run: python -m contracts.export", file=sys.stderr)
            return 1
        print(f"{len(files)} generated files up to date")
        return 0
    write(files)
    print(f"wrote {len(files)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
