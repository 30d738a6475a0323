-- Invoice state of filed orders (an invoiced order is closed to shop status changes), whether
-- the shop reported the order as paid, the shop's paid status names, and exempt VAT keys out
-- of the box.

ALTER TABLE orders
    ADD COLUMN is_paid         boolean NOT NULL DEFAULT false,
    ADD COLUMN invoice_state   text CHECK (invoice_state IN ('invoiced', 'invoice_cancelled')),
    ADD COLUMN invoice_number  text,
    ADD COLUMN invoiced_at     timestamptz;

ALTER TABLE shops
    ADD COLUMN paid_status_names text[] NOT NULL DEFAULT ARRAY['Fizetve', 'Kifizetve', 'Paid'];

-- Exempt keys as shops name their tax classes (M13).
INSERT INTO vat_keys (short_name, category, rate, nav_case, exemption_reason) VALUES
    ('AAM', 'EXEMPTION', NULL, 'AAM', 'Alanyi adómentes (Áfa tv. 187. §)'),
    ('TAM', 'EXEMPTION', NULL, 'TAM', 'Tárgyi adómentes (Áfa tv. 85-86. §)')
ON CONFLICT (short_name) DO NOTHING;
