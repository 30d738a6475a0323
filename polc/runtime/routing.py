"""Which topic each message goes to, under which (optionally prefixed) name."""

from __future__ import annotations

from collections.abc import Iterable

from contracts.base import Message
from contracts.topics import DEAD_LETTER_TOPIC, Topic


class Routing:
    """A set of topics, the messages they carry and the name prefix in use.

    The prefix lets several independent polc installations, or tests, share one cluster.
    """

    def __init__(self, topics: Iterable[Topic], prefix: str = "") -> None:
        self.topics = tuple(topics)
        self.prefix = prefix
        self._by_class: dict[type[Message], Topic] = {}
        self._by_type: dict[tuple[str, int], type[Message]] = {}
        for topic in self.topics:
            for cls in topic.messages:
                if cls in self._by_class:
                    raise ValueError(f"{cls.message_type} is on two topics")
                self._by_class[cls] = topic
                self._by_type[(cls.message_type, cls.schema_version)] = cls

    def topic_for(self, message_cls: type[Message]) -> Topic:
        try:
            return self._by_class[message_cls]
        except KeyError:
            raise LookupError(f"no topic carries {message_cls.__name__}") from None

    def message_class(self, message_type: str, schema_version: int) -> type[Message] | None:
        return self._by_type.get((message_type, schema_version))

    def name(self, topic: Topic | str) -> str:
        """The topic's name on the broker."""
        return self.prefix + (topic if isinstance(topic, str) else topic.name)

    @property
    def dead_letter_topic(self) -> str:
        return self.prefix + DEAD_LETTER_TOPIC

    @property
    def epoch_topic(self) -> str:
        return self.prefix + "polc.broker-epoch.v1"

    def group(self, service: str, purpose: str = "main") -> str:
        """Consumer group name of one of a service's consumers."""
        return f"{self.prefix}polc.{service}.{purpose}"
