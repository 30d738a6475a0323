-- Handing orders to the carrier (M22): when, by whom, with which carrier and parcel number.
ALTER TABLE orders
    ADD COLUMN shipped_at       timestamptz,
    ADD COLUMN shipped_by       text,
    ADD COLUMN carrier          text,
    ADD COLUMN tracking_number  text;
