-- Order status write-back: the shop's order statuses, the per-shop mapping from back-office
-- events to them, one pending write per shop order (coalesced) and what each order got.

-- The shop's order statuses with their names, as last downloaded by the shop's pusher.
CREATE TABLE shop_order_statuses (
    shop_id         text NOT NULL,
    shop_status_id  text NOT NULL,
    inner_id        text,
    name            text NOT NULL,
    color           text,
    fetched_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (shop_id, shop_status_id)
);

-- When a shop's status list was asked for and last downloaded.
CREATE TABLE shop_status_lists (
    shop_id       text PRIMARY KEY,
    requested_at  timestamptz NOT NULL DEFAULT now(),
    fetched_at    timestamptz,
    error         text
);

-- Back-office event -> the shop status it sets; a trigger without a row writes nothing.
CREATE TABLE order_status_map (
    shop_id         text NOT NULL,
    trigger         text NOT NULL CHECK (trigger IN ('invoiced', 'packed', 'shipped', 'cancelled')),
    shop_status_id  text NOT NULL,
    status_name     text NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (shop_id, trigger)
);

-- One row per shop order still to be written: the highest-ranked status asked for and the
-- invoice number; ``version`` grows with every merge so a write in flight never drops news.
CREATE TABLE order_status_pending (
    shop_id          text NOT NULL,
    shop_order_id    text NOT NULL,
    trigger          text,
    rank             int NOT NULL DEFAULT 0,
    shop_status_id   text,
    status_name      text,
    invoice_number   text,
    version          bigint NOT NULL DEFAULT 1,
    reason           jsonb NOT NULL,
    first_seen_at    timestamptz NOT NULL DEFAULT now(),
    attempts         int NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_error       text,
    last_status      int,
    reported         boolean NOT NULL DEFAULT false,
    PRIMARY KEY (shop_id, shop_order_id)
);
CREATE INDEX order_status_pending_due ON order_status_pending (shop_id, next_attempt_at);

-- What each shop order shows according to polc's last confirmed write (order_ingest reads it
-- to recognise a status polc wrote itself).
CREATE TABLE order_status_written (
    shop_id          text NOT NULL,
    shop_order_id    text NOT NULL,
    trigger          text NOT NULL,
    rank             int NOT NULL,
    shop_status_id   text,
    status_name      text,
    invoice_number   text,
    reason           jsonb NOT NULL,
    written_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (shop_id, shop_order_id)
);

-- Every back-office event seen for a shop order and what it led to, for the explain view.
CREATE TABLE order_status_events (
    id              bigserial PRIMARY KEY,
    shop_id         text NOT NULL,
    shop_order_id   text NOT NULL,
    trigger         text NOT NULL,
    message_id      text,
    invoice_number  text,
    outcome         text NOT NULL,
    detail          text,
    seen_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX order_status_events_order ON order_status_events (shop_id, shop_order_id);
