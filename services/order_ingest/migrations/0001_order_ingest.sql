-- Shops, number series, back-office reference data, customers, orders, the review queue
-- and the per-shop sync cursor of order_ingest.

CREATE TABLE number_series (
    series_id   text PRIMARY KEY,
    prefix      text NOT NULL,
    next_value  bigint NOT NULL DEFAULT 1 CHECK (next_value >= 1),
    width       int NOT NULL DEFAULT 6 CHECK (width BETWEEN 1 AND 12)
);

CREATE TABLE shops (
    shop_id              text PRIMARY KEY,
    name                 text NOT NULL,
    api_base_url         text NOT NULL,
    token_url            text,
    auth_mode            text NOT NULL DEFAULT 'oauth' CHECK (auth_mode IN ('oauth', 'basic')),
    client_id            text,
    username             text,
    warehouse_id         text NOT NULL,
    series_id            text NOT NULL REFERENCES number_series (series_id),
    poll_interval_s      double precision NOT NULL DEFAULT 300 CHECK (poll_interval_s > 0),
    first_sync_from      timestamptz NOT NULL,
    rate_limit_per_s     int NOT NULL DEFAULT 3 CHECK (rate_limit_per_s >= 1),
    cancel_status_names  text[] NOT NULL DEFAULT ARRAY['Visszavonva', 'Törölve', 'Sztornó', 'Storno', 'Cancelled'],
    enabled              boolean NOT NULL DEFAULT true,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);

-- Credentials live apart from the shop row so that no listing query can return them.
CREATE TABLE shop_secrets (
    shop_id  text PRIMARY KEY REFERENCES shops (shop_id) ON DELETE CASCADE,
    secret   text NOT NULL
);

CREATE TABLE sync_cursors (
    shop_id            text PRIMARY KEY REFERENCES shops (shop_id) ON DELETE CASCADE,
    updated_watermark  timestamptz,
    max_inner_id       bigint NOT NULL DEFAULT 0,
    gaps               jsonb NOT NULL DEFAULT '{}'::jsonb,
    next_due_at        timestamptz NOT NULL DEFAULT now(),
    last_started_at    timestamptz,
    last_success_at    timestamptz,
    last_error         text,
    polls              bigint NOT NULL DEFAULT 0
);

CREATE TABLE sync_requests (
    request_id    text PRIMARY KEY,
    shop_id       text NOT NULL,
    requested_by  text NOT NULL,
    not_before    timestamptz,
    requested_at  timestamptz NOT NULL DEFAULT now(),
    state         text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
    finished_at   timestamptz,
    result        jsonb
);
CREATE INDEX sync_requests_pending ON sync_requests (shop_id) WHERE state = 'pending';

CREATE TABLE vat_keys (
    short_name        text PRIMARY KEY,
    category          text NOT NULL,
    rate              numeric(6, 4),
    nav_case          text,
    exemption_reason  text
);
INSERT INTO vat_keys (short_name, category, rate, nav_case, exemption_reason) VALUES
    ('27%', 'PERCENTAGE', 0.27, NULL, NULL),
    ('18%', 'PERCENTAGE', 0.18, NULL, NULL),
    ('5%', 'PERCENTAGE', 0.05, NULL, NULL);

CREATE TABLE service_items (
    service_id  text PRIMARY KEY,
    name        text NOT NULL,
    match_name  text NOT NULL UNIQUE,
    kind        text NOT NULL CHECK (kind IN ('shipping_fee', 'payment_fee', 'other')),
    vat_short_name text,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE payment_methods (
    code        text PRIMARY KEY,
    name        text NOT NULL,
    first_shop  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE shipping_methods (
    name        text PRIMARY KEY,
    code        text,
    first_shop  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Products met in each shop; the catalog itself belongs to stock_ledger (ProductDiscovered).
CREATE TABLE shop_products (
    shop_id          text NOT NULL,
    sku              text NOT NULL,
    shop_product_id  text,
    name             text NOT NULL,
    unit             text NOT NULL,
    vat_short_name   text NOT NULL,
    net_price        numeric(18, 4) NOT NULL,
    is_stock_item    boolean NOT NULL,
    announced        boolean NOT NULL DEFAULT false,
    discovered_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (shop_id, sku)
);

CREATE SEQUENCE customer_numbers;
CREATE TABLE customers (
    customer_id       text PRIMARY KEY,
    shop_id           text,
    shop_customer_id  text,
    match_key         text NOT NULL,
    name              text NOT NULL,
    email             text NOT NULL,
    phone             text,
    company           text,
    tax_number        text,
    billing_address   jsonb NOT NULL,
    shipping_address  jsonb,
    created_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (shop_id, shop_customer_id)
);
-- Guests are one customer per normalised name + e-mail (M8); registered ones per shop id (M9).
CREATE UNIQUE INDEX customers_guest_key ON customers (match_key) WHERE shop_customer_id IS NULL;
CREATE INDEX customers_match_key ON customers (match_key);

CREATE TABLE orders (
    shop_id          text NOT NULL,
    shop_order_id    text NOT NULL,
    inner_id         bigint NOT NULL,
    order_number     text NOT NULL UNIQUE,
    series_id        text NOT NULL,
    customer_id      text NOT NULL REFERENCES customers (customer_id),
    warehouse_id     text NOT NULL,
    status_id        text NOT NULL,
    status_name      text NOT NULL,
    is_open          boolean NOT NULL DEFAULT true,
    gross_total      numeric(18, 4) NOT NULL,
    shop_updated_at  timestamptz,
    document         jsonb NOT NULL,
    received_at      timestamptz NOT NULL DEFAULT now(),
    changed_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (shop_id, shop_order_id),
    UNIQUE (shop_id, inner_id)
);

CREATE TABLE review_items (
    shop_id          text NOT NULL,
    shop_order_id    text NOT NULL,
    inner_id         bigint,
    shop_order_code  text,
    reason           text NOT NULL,
    detail           text NOT NULL,
    difference       numeric(18, 4),
    raw              jsonb NOT NULL,
    state            text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'imported', 'dismissed')),
    retry_requested  boolean NOT NULL DEFAULT false,
    attempts         int NOT NULL DEFAULT 1,
    first_seen_at    timestamptz NOT NULL DEFAULT now(),
    last_tried_at    timestamptz NOT NULL DEFAULT now(),
    resolved_at      timestamptz,
    resolved_by      text,
    note             text,
    PRIMARY KEY (shop_id, shop_order_id)
);
CREATE INDEX review_items_open ON review_items (shop_id) WHERE state = 'open';
