-- NAV Online Számla reporting. Every stored invoice and storno gets a report row in the
-- transaction that stores it (trigger below), so nothing issued can miss its report.

-- One manageInvoice call: its row is committed before the call is made, so a crash or a lost
-- answer leaves a trace that recovery resolves with queryTransactionList.
CREATE TABLE nav_submissions (
    submission_id   uuid PRIMARY KEY,
    request_id      text NOT NULL UNIQUE,
    status          text NOT NULL DEFAULT 'sending'
                    CHECK (status IN ('sending', 'unconfirmed', 'sent', 'closed', 'failed', 'lost')),
    transaction_id  text UNIQUE,
    item_count      int NOT NULL CHECK (item_count BETWEEN 1 AND 100),
    compressed      boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    next_poll_at    timestamptz NOT NULL DEFAULT now(),
    polls           int NOT NULL DEFAULT 0,
    error           text
);
CREATE INDEX nav_submissions_open ON nav_submissions (next_poll_at) WHERE status IN ('sending', 'unconfirmed', 'sent');

-- The report state of each invoice: pending (to send), sending (in a call whose answer is not
-- known yet), sent (NAV has it, status being polled), done, or rejected (until re-sent).
CREATE TABLE nav_reports (
    invoice_number          text PRIMARY KEY REFERENCES invoices (invoice_number),
    operation               text NOT NULL CHECK (operation IN ('CREATE', 'MODIFY', 'STORNO')),
    original_invoice_number text REFERENCES invoices (invoice_number),
    status                  text NOT NULL DEFAULT 'pending'
                            CHECK (status IN ('pending', 'sending', 'sent', 'done', 'rejected')),
    attempts                int NOT NULL DEFAULT 0,
    submission_id           uuid REFERENCES nav_submissions (submission_id),
    transaction_id          text,
    op_index                int CHECK (op_index BETWEEN 1 AND 100),
    invoice_data            text,
    warnings                jsonb NOT NULL DEFAULT '[]',
    errors                  jsonb NOT NULL DEFAULT '[]',
    history                 jsonb NOT NULL DEFAULT '[]',
    last_error              text,
    next_attempt_at         timestamptz NOT NULL DEFAULT now(),
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    done_at                 timestamptz
);
CREATE INDEX nav_reports_pending ON nav_reports (created_at, invoice_number) WHERE status = 'pending';
CREATE INDEX nav_reports_submission ON nav_reports (submission_id);
CREATE INDEX nav_reports_status ON nav_reports (status);

CREATE FUNCTION queue_nav_report() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO nav_reports (invoice_number, operation, original_invoice_number)
    VALUES (NEW.invoice_number, CASE WHEN NEW.kind = 'storno' THEN 'STORNO' ELSE 'CREATE' END,
            NEW.original_invoice_number);
    RETURN NULL;
END $$;
CREATE TRIGGER invoices_nav_report AFTER INSERT ON invoices
    FOR EACH ROW EXECUTE FUNCTION queue_nav_report();

-- Invoices issued before reporting existed are reported too.
INSERT INTO nav_reports (invoice_number, operation, original_invoice_number, created_at)
SELECT invoice_number, CASE WHEN kind = 'storno' THEN 'STORNO' ELSE 'CREATE' END, original_invoice_number, issued_at
FROM invoices ORDER BY series, year, sequence
ON CONFLICT DO NOTHING;
