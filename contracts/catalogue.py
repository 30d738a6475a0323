"""The topic catalogue (``docs/topics.md``), generated from the registry for other teams."""

from __future__ import annotations

from contracts.registry import ALL_TOPICS
from contracts.topics import Topic

DAY_MS = 24 * 3600 * 1000


def _retention(topic: Topic) -> str:
    if topic.retention_ms < 0:
        return "forever"
    days = topic.retention_ms / DAY_MS
    return f"{days:g} days" if days >= 1 else f"{topic.retention_ms / 1000:g} s"


def _messages(topic: Topic) -> str:
    if not topic.messages:
        return "any (raw copies)"
    return ", ".join(
        f"[{m.message_type} v{m.schema_version}](../contracts/schemas/{m.message_type}.v{m.schema_version}.json)"
        for m in topic.messages
    )


def render_catalogue() -> str:
    """Markdown: one row per topic, then one section per topic with its description."""
    lines = [
        "# Topic catalogue",
        "",
        "Generated from `contracts/registry.py` by `python -m contracts.export`; do not edit by hand.",
        "Every record value is a JSON envelope (`contracts/schemas/Envelope.v1.json`) whose `payload` is",
        "the message; headers repeat its id, type, schema version and correlation id. Money and quantities",
        "are decimal strings. The machine-readable form is [asyncapi.json](asyncapi.json); a consumer",
        "another team can copy is in [consuming-topics.md](consuming-topics.md).",
        "",
        "| topic | key | messages | published by | read by | partitions | retention |",
        "|---|---|---|---|---|---|---|",
    ]
    for t in ALL_TOPICS:
        lines.append(
            f"| `{t.name}` | {t.key} | {_messages(t)} | {', '.join(t.publishers) or '-'} | "
            f"{', '.join(t.subscribers) or '-'} | {t.partitions} | {_retention(t)} |"
        )
    lines.append("")
    for t in ALL_TOPICS:
        lines += [f"## `{t.name}`", "", t.description, ""]
        extra = {k: v for k, v in t.topic_configs().items() if k != "retention.ms"}
        if extra:
            lines += ["Topic configs: " + ", ".join(f"`{k}={v}`" for k, v in sorted(extra.items())), ""]
    return "\n".join(lines)
