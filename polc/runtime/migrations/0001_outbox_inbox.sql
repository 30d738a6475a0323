-- Transactional outbox: rows are written in the same transaction as the domain change and
-- published by the relay. Published rows are kept for a retention period so they can be
-- published again to a broker that lost its data.
CREATE TABLE outbox (
    id              bigserial PRIMARY KEY,
    message_id      uuid NOT NULL UNIQUE,
    topic           text NOT NULL,
    record_key      text NOT NULL,
    message_type    text NOT NULL,
    headers         jsonb NOT NULL,
    body            bytea NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    published_at    timestamptz
);
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
CREATE INDEX outbox_published_at ON outbox (published_at) WHERE published_at IS NOT NULL;

-- Inbox: one row per message handled, so a redelivered message changes nothing.
CREATE TABLE inbox (
    message_id      uuid PRIMARY KEY,
    message_type    text NOT NULL,
    topic           text NOT NULL,
    handled_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX inbox_handled_at ON inbox (handled_at);

-- Messages that could never be handled, for operators (also sent to the dead-letter topic).
CREATE TABLE dead_letters (
    id              bigserial PRIMARY KEY,
    topic           text NOT NULL,
    kafka_partition int NOT NULL,
    kafka_offset    bigint NOT NULL,
    consumer_group  text NOT NULL,
    record_key      text,
    message_id      text,
    message_type    text,
    error_type      text NOT NULL,
    reason          text NOT NULL,
    headers         jsonb NOT NULL,
    body            bytea,
    failed_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (topic, kafka_partition, kafka_offset, consumer_group)
);

-- The token this service last wrote to the broker-epoch topic; when the broker no longer has
-- it, the broker has lost its data and the retained outbox is published again.
CREATE TABLE broker_epoch (
    singleton       boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    token           uuid NOT NULL,
    written_at      timestamptz NOT NULL DEFAULT now()
);
