-- webshop_push: what the back office says (stock, products, prices), what each shop must get
-- (pending writes, coalesced), what each shop got (pushed state) and the fence state per shop.
-- Shops themselves (API base, credentials, warehouse) are order_ingest's reference data.

-- Per-shop push settings owned by this service; a shop without a row uses the defaults.
CREATE TABLE shop_settings (
    shop_id         text PRIMARY KEY,
    safety_buffer   numeric(18, 4) NOT NULL DEFAULT 0 CHECK (safety_buffer >= 0),
    create_missing  text NOT NULL DEFAULT 'meant' CHECK (create_missing IN ('meant', 'never')),
    fence           text NOT NULL DEFAULT 'sync' CHECK (fence IN ('sync', 'off')),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Latest ledger figures per warehouse and SKU; the version only ever grows.
CREATE TABLE stock_levels (
    warehouse_id  text NOT NULL,
    sku           text NOT NULL,
    version       bigint NOT NULL,
    physical      numeric(18, 4) NOT NULL,
    reserved      numeric(18, 4) NOT NULL,
    free          numeric(18, 4) NOT NULL,
    cause         jsonb NOT NULL,
    changed_at    timestamptz NOT NULL,
    received_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (warehouse_id, sku)
);

-- Back-office catalog as announced on polc.catalog.v1: what to create and which price to show.
CREATE TABLE products (
    sku            text PRIMARY KEY,
    name           text,
    vat            text,
    net_price      numeric(18, 4),
    currency       text NOT NULL DEFAULT 'HUF',
    price_version  bigint NOT NULL DEFAULT 0,
    shop_ids       text[],
    is_stock_item  boolean NOT NULL DEFAULT true,
    created_at     timestamptz,
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- One row per shop, SKU and kind of write: many changes collapse into one row holding the
-- newest version; the value itself is read when the write goes out.
CREATE TABLE pending_writes (
    shop_id          text NOT NULL,
    sku              text NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('stock', 'price', 'create')),
    version          bigint NOT NULL,
    warehouse_id     text,
    reason           jsonb NOT NULL,
    first_seen_at    timestamptz NOT NULL DEFAULT now(),
    attempts         int NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    solo             boolean NOT NULL DEFAULT false,
    state            text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'missing')),
    last_error       text,
    last_status      int,
    reported         boolean NOT NULL DEFAULT false,
    PRIMARY KEY (shop_id, sku, kind)
);
CREATE INDEX pending_writes_due ON pending_writes (shop_id, next_attempt_at);

-- What each shop shows according to its last confirmed write, and why.
CREATE TABLE pushed_state (
    shop_id          text NOT NULL,
    sku              text NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('stock', 'price', 'create')),
    value            numeric(18, 4),
    version          bigint NOT NULL,
    shop_product_id  text,
    warehouse_id     text,
    free             numeric(18, 4),
    safety_buffer    numeric(18, 4),
    sync_watermark   timestamptz,
    reason           jsonb NOT NULL,
    first_seen_at    timestamptz,
    pushed_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (shop_id, sku, kind)
);

-- SKU -> the shop's product id, found by SKU and forgotten when the shop answers 404.
CREATE TABLE sku_map (
    shop_id          text NOT NULL,
    sku              text NOT NULL,
    shop_product_id  text NOT NULL,
    found_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (shop_id, sku)
);

-- The no-oversell fence: ingest watermarks seen per shop and the orders the ledger reserved.
CREATE TABLE sync_watermarks (
    shop_id       text NOT NULL,
    request_id    text,
    watermark     timestamptz NOT NULL,
    finished_at   timestamptz NOT NULL,
    order_ids     text[],
    received_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sync_watermarks_shop ON sync_watermarks (shop_id, watermark);

CREATE TABLE shop_orders (
    shop_id        text NOT NULL,
    shop_order_id  text NOT NULL,
    stock_skus     text[] NOT NULL,
    received_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (shop_id, shop_order_id)
);

CREATE TABLE ledger_reservations (
    shop_id        text NOT NULL,
    shop_order_id  text NOT NULL,
    sku            text NOT NULL,
    version        bigint NOT NULL,
    PRIMARY KEY (shop_id, shop_order_id, sku)
);

CREATE TABLE fence_requests (
    request_id    text PRIMARY KEY,
    shop_id       text NOT NULL,
    not_before    timestamptz NOT NULL,
    requested_at  timestamptz NOT NULL DEFAULT now()
);

-- Reconcile runs: asked through the API, carried out by the shop's pusher.
CREATE TABLE reconcile_runs (
    run_id        text PRIMARY KEY,
    shop_id       text NOT NULL,
    dry_run       boolean NOT NULL,
    state         text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
    requested_at  timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz,
    result        jsonb
);
CREATE INDEX reconcile_runs_pending ON reconcile_runs (shop_id) WHERE state = 'pending';

-- Per-shop pusher status for operators: who pushes, last error, fence state.
CREATE TABLE pusher_status (
    shop_id       text PRIMARY KEY,
    owner         text NOT NULL,
    state         text NOT NULL,
    detail        text,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
