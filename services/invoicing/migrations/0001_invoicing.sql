-- The invoicing service's own copy of order documents, from OrderReceived / OrderCancelled.
CREATE TABLE orders (
    shop_id         text NOT NULL,
    shop_order_id   text NOT NULL,
    order_number    text NOT NULL,
    document        jsonb NOT NULL,
    status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'cancelled')),
    received_at     timestamptz NOT NULL DEFAULT now(),
    cancelled_at    timestamptz,
    PRIMARY KEY (shop_id, shop_order_id)
);

-- The to-be-invoiced baskets (M23).
CREATE TABLE basket_items (
    basket_id       text NOT NULL,
    shop_id         text NOT NULL,
    shop_order_id   text NOT NULL,
    added_at        timestamptz NOT NULL DEFAULT now(),
    added_by        text NOT NULL,
    PRIMARY KEY (basket_id, shop_id, shop_order_id)
);
CREATE INDEX basket_items_order ON basket_items (shop_id, shop_order_id);

-- One counter per number series and year. Incrementing it locks the row until the transaction
-- that stores the invoice commits, so numbers are gapless and never repeat.
CREATE TABLE series_counters (
    series          text NOT NULL,
    year            int NOT NULL,
    last_sequence   bigint NOT NULL CHECK (last_sequence >= 0),
    PRIMARY KEY (series, year)
);

-- Issued invoices and stornos. Rows never change and are never deleted (see the trigger).
CREATE TABLE invoices (
    invoice_number          text PRIMARY KEY,
    series                  text NOT NULL,
    year                    int NOT NULL,
    sequence                bigint NOT NULL,
    kind                    text NOT NULL CHECK (kind IN ('invoice', 'storno')),
    shop_id                 text NOT NULL,
    shop_order_id           text NOT NULL,
    original_invoice_number text REFERENCES invoices (invoice_number),
    batch_id                text,
    document                jsonb NOT NULL,
    issued_at               timestamptz NOT NULL,
    UNIQUE (series, year, sequence),
    CHECK ((kind = 'storno') = (original_invoice_number IS NOT NULL))
);
-- An order is invoiced once; an invoice is cancelled once.
CREATE UNIQUE INDEX invoices_one_per_order ON invoices (shop_id, shop_order_id) WHERE kind = 'invoice';
CREATE UNIQUE INDEX invoices_one_storno ON invoices (original_invoice_number) WHERE kind = 'storno';
CREATE INDEX invoices_batch ON invoices (batch_id) WHERE batch_id IS NOT NULL;

-- The PDF of each invoice, rendered once; re-sent byte for byte.
CREATE TABLE invoice_pdfs (
    invoice_number  text PRIMARY KEY REFERENCES invoices (invoice_number),
    pdf             bytea NOT NULL,
    sha256          text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    rendered_at     timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'issued invoice data is immutable (% on %)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER invoices_immutable BEFORE UPDATE OR DELETE ON invoices
    FOR EACH ROW EXECUTE FUNCTION forbid_change();
CREATE TRIGGER invoice_pdfs_immutable BEFORE UPDATE OR DELETE ON invoice_pdfs
    FOR EACH ROW EXECUTE FUNCTION forbid_change();

-- Invoices whose PDF is still to be rendered and whose event is still to be published.
CREATE TABLE render_queue (
    invoice_number  text PRIMARY KEY REFERENCES invoices (invoice_number),
    email           boolean NOT NULL DEFAULT false,
    queued_at       timestamptz NOT NULL DEFAULT now()
);

-- Invoice batches (InvoiceBasket) and e-mail batches (EmailInvoices), with progress.
CREATE TABLE batches (
    batch_id        text PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('invoice', 'email')),
    basket_id       text NOT NULL,
    email_after     boolean NOT NULL DEFAULT false,
    resend          boolean NOT NULL DEFAULT false,
    status          text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done')),
    requested_by    text NOT NULL,
    skipped         text[] NOT NULL DEFAULT '{}',
    emails_done     boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz
);

CREATE TABLE batch_items (
    batch_id        text NOT NULL REFERENCES batches (batch_id),
    position        int NOT NULL,
    shop_id         text NOT NULL,
    shop_order_id   text NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
    invoice_number  text,
    reason          text,
    detail          text,
    PRIMARY KEY (batch_id, position)
);
CREATE INDEX batch_items_pending ON batch_items (batch_id, position) WHERE status = 'pending';

-- E-mail state per invoice: queued (to send, possibly after next_attempt_at), sent, or failed
-- after the automatic attempts (sent again only when asked).
CREATE TABLE invoice_emails (
    invoice_number  text PRIMARY KEY REFERENCES invoices (invoice_number),
    to_address      text,
    status          text NOT NULL CHECK (status IN ('queued', 'sent', 'failed')),
    batch_id        text,
    attempts        int NOT NULL DEFAULT 0,
    batch_attempts  int NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    error           text,
    detail          text,
    smtp_message_id text,
    sent_at         timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX invoice_emails_due ON invoice_emails (next_attempt_at) WHERE status = 'queued';
CREATE INDEX invoice_emails_batch ON invoice_emails (batch_id);
