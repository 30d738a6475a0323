"""Settings every service shares. Each service subclasses with its own env prefix.

``DATABASE_URL``, ``KAFKA_BOOTSTRAP_SERVERS``, ``KAFKA_TOPIC_PREFIX`` and ``POLC_SECRETS_KEY``
are read without a service prefix because every service of one installation uses the same ones.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Connection, delivery and HTTP settings of one service process."""

    model_config = SettingsConfigDict(env_prefix="POLC_", extra="ignore", validate_by_name=True)

    database_url: SecretStr = Field(
        default=SecretStr("postgresql://postgres@127.0.0.1:5432/polc"),
        validation_alias=AliasChoices("DATABASE_URL", "POLC_DATABASE_URL"),
        description="PostgreSQL DSN shared by all services (each uses its own schema).",
    )
    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092",
        validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "POLC_KAFKA_BOOTSTRAP_SERVERS"),
        description="Comma-separated Kafka bootstrap servers.",
    )
    kafka_topic_prefix: str = Field(
        default="",
        validation_alias=AliasChoices("KAFKA_TOPIC_PREFIX", "POLC_KAFKA_TOPIC_PREFIX"),
        description="Prefix for every topic and consumer group name (several installations on one cluster).",
    )
    kafka_replication_factor: int = Field(
        default=1,
        validation_alias=AliasChoices("KAFKA_REPLICATION_FACTOR", "POLC_KAFKA_REPLICATION_FACTOR"),
        description="Replication factor for topics polc creates.",
    )
    secrets_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("POLC_SECRETS_KEY"),
        description="Key(s) that seal stored shop credentials, comma-separated, newest first (`polc secrets-key`).",
    )
    kafka_session_timeout_ms: int = Field(default=6000, description="Consumer group session timeout.")
    kafka_heartbeat_interval_ms: int = Field(default=1000, description="Consumer heartbeat interval.")
    http_host: str = Field(default="127.0.0.1", description="Address of the health/metrics/API server.")
    http_port: int = Field(default=0, description="Port of the HTTP server; 0 picks a free one.")
    db_pool_size: int = Field(default=10, description="Maximum PostgreSQL connections per process.")
    outbox_batch_size: int = Field(default=500, description="Outbox rows published per batch.")
    outbox_poll_interval_s: float = Field(default=1.0, description="Relay poll interval when idle.")
    outbox_retention_hours: float = Field(default=168, description="How long published outbox rows are kept for republishing.")
    inbox_retention_days: float = Field(default=30, description="How long handled message ids are remembered.")
    epoch_check_interval_s: float = Field(default=30.0, description="How often the relay checks that the broker kept its data.")
    consumer_batch_size: int = Field(default=200, description="Records handled per consumer transaction at most.")
    handler_max_attempts: int = Field(default=3, description="Attempts before a failing message is dead-lettered.")
    retry_base_delay_s: float = Field(default=0.2, description="First retry delay of a failing message.")
    retry_max_delay_s: float = Field(default=30.0, description="Largest retry delay of a failing message.")
    metrics_refresh_interval_s: float = Field(default=5.0, description="How often gauges read from the database are refreshed.")
    lag_monitor_interval_s: float = Field(default=15.0, description="How often consumer lag is measured; 0 turns it off.")
    log_level: str = Field(default="INFO", description="Log level.")

    @property
    def outbox_retention(self) -> timedelta:
        return timedelta(hours=self.outbox_retention_hours)

    @property
    def inbox_retention(self) -> timedelta:
        return timedelta(days=self.inbox_retention_days)
