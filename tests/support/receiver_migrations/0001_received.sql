CREATE TABLE received (
    id              bigserial PRIMARY KEY,
    message_id      uuid NOT NULL,
    stream          text NOT NULL,
    seq             int NOT NULL,
    kafka_partition int NOT NULL,
    kafka_offset    bigint NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT now()
);
