-- Catalog: warehouses, suppliers and products. stock_ledger is the single source of truth.
CREATE TABLE warehouses (
    warehouse_id    text PRIMARY KEY,
    name            text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE suppliers (
    supplier_id     text PRIMARY KEY,
    name            text NOT NULL,
    email           text,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE products (
    sku                   text PRIMARY KEY,
    name                  text NOT NULL,
    unit                  text NOT NULL,
    vat                   jsonb NOT NULL,
    net_price             numeric NOT NULL,
    currency              text NOT NULL DEFAULT 'HUF',
    is_stock_item         boolean NOT NULL DEFAULT true,
    minimum_stock         numeric,
    default_supplier_id   text,
    supplier_item_number  text,
    shop_ids              text[] NOT NULL DEFAULT '{}',
    origin_shop_id        text,
    price_version         int NOT NULL DEFAULT 1,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);

-- Where each product lives in each shop, as order ingest found it (M28).
CREATE TABLE shop_products (
    shop_id          text NOT NULL,
    sku              text NOT NULL,
    shop_product_id  text NOT NULL,
    discovered_at    timestamptz NOT NULL,
    PRIMARY KEY (shop_id, sku)
);

-- Business documents already booked, so a document re-sent under a new message id books nothing.
CREATE TABLE documents (
    kind            text NOT NULL,
    document_id     text NOT NULL,
    message_id      text,
    booked_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, document_id)
);

-- The ledger: one immutable row per movement of physical stock.
CREATE TABLE movements (
    id              bigserial PRIMARY KEY,
    warehouse_id    text NOT NULL,
    sku             text NOT NULL,
    quantity        numeric NOT NULL,
    kind            text NOT NULL,
    document_id     text NOT NULL,
    shop_id         text,
    shop_order_id   text,
    message_id      text,
    note            text,
    booked_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX movements_key ON movements (warehouse_id, sku, id);

CREATE FUNCTION movements_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger movements are immutable; book a correcting movement instead';
END $$;
CREATE TRIGGER movements_immutable BEFORE UPDATE OR DELETE ON movements
    FOR EACH ROW EXECUTE FUNCTION movements_immutable();

-- Current figures per warehouse and SKU, changed in the same transaction as the ledger.
-- physical is the sum of the key's movements; reserved the sum of its open reservations.
-- (No CHECK on the figures: the upsert that moves them proposes the delta as a new row first.)
CREATE TABLE stock (
    warehouse_id    text NOT NULL,
    sku             text NOT NULL,
    physical        numeric NOT NULL DEFAULT 0,
    reserved        numeric NOT NULL DEFAULT 0,
    incoming        numeric NOT NULL DEFAULT 0,
    version         bigint NOT NULL DEFAULT 0,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (warehouse_id, sku)
);

-- Purchase orders: ordered, not yet received quantities count as incoming (M25).
CREATE TABLE purchase_orders (
    purchase_order_id  text PRIMARY KEY,
    supplier_id        text NOT NULL,
    warehouse_id       text NOT NULL,
    expected_on        date,
    requested_by       text NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE purchase_order_lines (
    purchase_order_id  text NOT NULL REFERENCES purchase_orders,
    sku                text NOT NULL,
    ordered            numeric NOT NULL CHECK (ordered > 0),
    received           numeric NOT NULL DEFAULT 0 CHECK (received >= 0 AND received <= ordered),
    net_unit_cost      numeric,
    PRIMARY KEY (purchase_order_id, sku)
);

-- Orders as the ledger knows them: open ones hold reservations (M3) and are judged for
-- fulfilment (M21). An invoice or cancellation seen before the order leaves a closed row,
-- so the late order reserves nothing.
CREATE TABLE orders (
    shop_id          text NOT NULL,
    shop_order_id    text NOT NULL,
    seq              bigserial,
    order_number     text NOT NULL,
    shop_order_code  text,
    warehouse_id     text NOT NULL,
    placed_at        timestamptz,
    is_paid          boolean NOT NULL DEFAULT false,
    status           text NOT NULL CHECK (status IN ('open', 'invoiced', 'cancelled', 'invoice_cancelled')),
    customer_name    text,
    customer_email   text,
    shipping         jsonb,
    packed_at        timestamptz,
    packed_by        text,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (shop_id, shop_order_id)
);
CREATE INDEX orders_open ON orders (placed_at, seq) WHERE status = 'open';

CREATE TABLE order_lines (
    shop_id          text NOT NULL,
    shop_order_id    text NOT NULL,
    line_no          int NOT NULL,
    sku              text NOT NULL,
    name             text NOT NULL,
    quantity         numeric NOT NULL,
    unit             text NOT NULL,
    is_stock_item    boolean NOT NULL,
    PRIMARY KEY (shop_id, shop_order_id, line_no),
    FOREIGN KEY (shop_id, shop_order_id) REFERENCES orders
);

-- Open reservations; their sum per warehouse and SKU is stock.reserved.
CREATE TABLE reservations (
    shop_id          text NOT NULL,
    shop_order_id    text NOT NULL,
    warehouse_id     text NOT NULL,
    sku              text NOT NULL,
    quantity         numeric NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (shop_id, shop_order_id, warehouse_id, sku)
);
CREATE INDEX reservations_key ON reservations (warehouse_id, sku);

-- Invoices and stornos the ledger booked.
CREATE TABLE invoices (
    invoice_number   text PRIMARY KEY,
    kind             text NOT NULL CHECK (kind IN ('invoice', 'storno')),
    shop_id          text NOT NULL,
    shop_order_id    text NOT NULL,
    warehouse_id     text NOT NULL,
    booked_at        timestamptz NOT NULL DEFAULT now()
);
