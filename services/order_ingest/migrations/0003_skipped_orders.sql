-- Orders a poll saw and did not import on purpose, with the reason: an order without a status
-- is a checkout the customer has not finished (ShopRenter: no orderStatus means "not completed").
-- Kept so every skip can be seen (GET /skipped); the row goes when the order is filed.
CREATE TABLE skipped_orders (
    shop_id        text NOT NULL,
    shop_order_id  text NOT NULL,
    inner_id       bigint,
    reason         text NOT NULL,
    detail         text NOT NULL,
    first_seen_at  timestamptz NOT NULL DEFAULT now(),
    last_seen_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (shop_id, shop_order_id)
);
