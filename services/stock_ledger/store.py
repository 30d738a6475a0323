"""All SQL of the stock ledger: one async function per statement, connection first.

The caller owns the transaction. Statements that touch many warehouse+SKU rows take them as
arrays and do it in one set-based statement, in key order, so concurrent documents lock rows
in the same order.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from decimal import Decimal

import asyncpg

from services.stock_ledger.domain import Cause, Delta

# --- the ledger ---------------------------------------------------------------------------

_APPLY = """
WITH claim AS (
    INSERT INTO documents (kind, document_id, message_id)
    SELECT $12::text, $7, $10 WHERE $12::text IS NOT NULL
    ON CONFLICT DO NOTHING RETURNING kind
), d AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::numeric[], $5::numeric[], $6::numeric[])
        AS d(warehouse_id, sku, kind, physical, reserved, incoming)
    WHERE $12::text IS NULL OR EXISTS (SELECT FROM claim)
), w AS (
    INSERT INTO warehouses (warehouse_id, name)
    SELECT DISTINCT warehouse_id, warehouse_id FROM d ON CONFLICT DO NOTHING
), mv AS (
    INSERT INTO movements (warehouse_id, sku, quantity, kind, document_id, shop_id, shop_order_id, message_id, note)
    SELECT warehouse_id, sku, physical, kind, $7, $8, $9, $10, $11 FROM d WHERE physical <> 0
)
INSERT INTO stock AS s (warehouse_id, sku, physical, reserved, incoming, version)
SELECT warehouse_id, sku, physical, reserved, incoming, 1 FROM d ORDER BY warehouse_id, sku
ON CONFLICT (warehouse_id, sku) DO UPDATE SET
    physical = s.physical + excluded.physical,
    reserved = s.reserved + excluded.reserved,
    incoming = s.incoming + excluded.incoming,
    version = s.version + 1,
    updated_at = now()
RETURNING warehouse_id, sku, physical, reserved, incoming, version, updated_at
"""


async def apply_deltas(conn: asyncpg.Connection, deltas: Sequence[Delta], cause: Cause,
                       claim: str | None = None) -> list[asyncpg.Record]:
    """Book the movements and move the figures of every key in one statement; the new figures.

    With ``claim`` (a document kind) the same statement first records the cause's document as
    booked, and books nothing (no rows) when it was booked before.
    """
    return await conn.fetch(
        _APPLY,
        [d.warehouse_id for d in deltas], [d.sku for d in deltas], [d.kind for d in deltas],
        [d.physical for d in deltas], [d.reserved for d in deltas], [d.incoming for d in deltas],
        cause.document_id, cause.shop_id, cause.shop_order_id, cause.message_id, cause.note, claim,
    )


_APPLY_MANY = """
WITH c AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
        WITH ORDINALITY AS c(document_id, shop_id, shop_order_id, message_id, note, doc)
), claim AS (
    INSERT INTO documents (kind, document_id, message_id)
    SELECT $12::text, document_id, message_id FROM c ORDER BY doc
    ON CONFLICT DO NOTHING RETURNING document_id
), d AS (
    SELECT u.*, c.document_id, c.shop_id, c.shop_order_id, c.message_id, c.note
    FROM unnest($6::int[], $7::text[], $8::text[], $9::text[], $10::numeric[], $11::numeric[], $13::numeric[])
        WITH ORDINALITY AS u(doc, warehouse_id, sku, kind, physical, reserved, incoming, ord)
    JOIN c USING (doc) JOIN claim USING (document_id)
), w AS (
    INSERT INTO warehouses (warehouse_id, name)
    SELECT DISTINCT warehouse_id, warehouse_id FROM d ON CONFLICT DO NOTHING
), mv AS (
    INSERT INTO movements (warehouse_id, sku, quantity, kind, document_id, shop_id, shop_order_id, message_id, note)
    SELECT warehouse_id, sku, physical, kind, document_id, shop_id, shop_order_id, message_id, note
    FROM d WHERE physical <> 0 ORDER BY ord
), k AS (
    SELECT warehouse_id, sku, sum(physical) AS physical, sum(reserved) AS reserved, sum(incoming) AS incoming,
           count(*) AS changes
    FROM d GROUP BY warehouse_id, sku
), s AS (
    INSERT INTO stock AS s (warehouse_id, sku, physical, reserved, incoming, version)
    SELECT warehouse_id, sku, physical, reserved, incoming, changes FROM k ORDER BY warehouse_id, sku
    ON CONFLICT (warehouse_id, sku) DO UPDATE SET
        physical = s.physical + excluded.physical,
        reserved = s.reserved + excluded.reserved,
        incoming = s.incoming + excluded.incoming,
        version = s.version + excluded.version,
        updated_at = now()
    RETURNING warehouse_id, sku, physical, reserved, incoming, version, updated_at
)
SELECT d.ord, d.doc, s.warehouse_id, s.sku,
       s.physical - sum(d.physical) OVER all_of_key + sum(d.physical) OVER up_to_row AS physical,
       s.reserved - sum(d.reserved) OVER all_of_key + sum(d.reserved) OVER up_to_row AS reserved,
       s.incoming - sum(d.incoming) OVER all_of_key + sum(d.incoming) OVER up_to_row AS incoming,
       s.version - count(*) OVER all_of_key + count(*) OVER up_to_row AS version, s.updated_at
FROM d JOIN s USING (warehouse_id, sku)
WINDOW all_of_key AS (PARTITION BY d.warehouse_id, d.sku),
       up_to_row AS (PARTITION BY d.warehouse_id, d.sku ORDER BY d.ord)
ORDER BY d.ord
"""


async def apply_documents(conn: asyncpg.Connection, claim: str, causes: Sequence[Cause],
                          deltas: Sequence[tuple[int, Delta]]) -> list[asyncpg.Record]:
    """:func:`apply_deltas` with a claim for several documents of one kind in one statement.

    ``causes`` are the documents, each document number at most once; ``deltas`` are (index of
    the cause, delta), each document's deltas merged and in key order. A document booked before
    books nothing. For every delta booked, in order: ``ord`` (its position in ``deltas``, from 1),
    ``doc`` (its cause's, from 1) and the figures and version of its key right after its
    document, as if the documents had been booked one after the other.
    """
    return await conn.fetch(
        _APPLY_MANY,
        [c.document_id for c in causes], [c.shop_id for c in causes], [c.shop_order_id for c in causes],
        [c.message_id for c in causes], [c.note for c in causes],
        [i + 1 for i, _ in deltas], [d.warehouse_id for _, d in deltas], [d.sku for _, d in deltas],
        [d.kind for _, d in deltas], [d.physical for _, d in deltas], [d.reserved for _, d in deltas],
        claim, [d.incoming for _, d in deltas],
    )


async def lock_physical(conn: asyncpg.Connection, warehouse_id: str, skus: Sequence[str]) -> dict[str, Decimal]:
    """Physical stock of ``skus`` in one warehouse, locked until commit (for stock counts)."""
    rows = await conn.fetch(
        "SELECT sku, physical FROM stock WHERE warehouse_id = $1 AND sku = ANY($2::text[])"
        " ORDER BY sku FOR UPDATE", warehouse_id, sorted(skus))
    return {r["sku"]: r["physical"] for r in rows}


async def claim_document(conn: asyncpg.Connection, kind: str, document_id: str, message_id: str | None) -> bool:
    """Record a business document as booked; False when it was booked before."""
    row = await conn.fetchrow(
        "INSERT INTO documents (kind, document_id, message_id) VALUES ($1, $2, $3)"
        " ON CONFLICT DO NOTHING RETURNING kind", kind, document_id, message_id)
    return row is not None


async def ensure_warehouses(conn: asyncpg.Connection, warehouse_ids: Iterable[str]) -> None:
    await conn.execute(
        "INSERT INTO warehouses (warehouse_id, name) SELECT w, w FROM unnest($1::text[]) AS w"
        " ON CONFLICT DO NOTHING", sorted(set(warehouse_ids)))


async def stock_rows(conn: asyncpg.Connection, warehouse_id: str | None = None,
                     sku: str | None = None) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT warehouse_id, sku, physical, reserved, incoming, version, updated_at FROM stock"
        " WHERE ($1::text IS NULL OR warehouse_id = $1) AND ($2::text IS NULL OR sku = $2)"
        " ORDER BY warehouse_id, sku", warehouse_id, sku)


async def movement_rows(conn: asyncpg.Connection, warehouse_id: str, sku: str, limit: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT id, quantity, kind, document_id, shop_id, shop_order_id, message_id, note, booked_at"
        " FROM movements WHERE warehouse_id = $1 AND sku = $2 ORDER BY id DESC LIMIT $3",
        warehouse_id, sku, limit)


async def ledger_mismatches(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    """Keys whose physical stock differs from the sum of their movements (should be none)."""
    return await conn.fetch(
        "SELECT s.warehouse_id, s.sku, s.physical, coalesce(m.total, 0) AS movements FROM stock s"
        " LEFT JOIN (SELECT warehouse_id, sku, sum(quantity) AS total FROM movements GROUP BY 1, 2) m"
        " USING (warehouse_id, sku) WHERE s.physical <> coalesce(m.total, 0)")


# --- purchase orders ------------------------------------------------------------------------

async def insert_purchase_order(conn: asyncpg.Connection, po_id: str, supplier_id: str, warehouse_id: str,
                                expected_on, requested_by: str, lines: Sequence[tuple[str, Decimal, Decimal | None]]) -> None:
    await conn.execute(
        "WITH po AS (INSERT INTO purchase_orders (purchase_order_id, supplier_id, warehouse_id, expected_on,"
        " requested_by) VALUES ($1, $2, $3, $4, $5) RETURNING purchase_order_id)"
        " INSERT INTO purchase_order_lines (purchase_order_id, sku, ordered, net_unit_cost)"
        " SELECT (SELECT purchase_order_id FROM po), * FROM unnest($6::text[], $7::numeric[], $8::numeric[])",
        po_id, supplier_id, warehouse_id, expected_on, requested_by,
        [l[0] for l in lines], [l[1] for l in lines], [l[2] for l in lines])


async def lock_purchase_order(conn: asyncpg.Connection, po_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT purchase_order_id, warehouse_id, supplier_id FROM purchase_orders"
        " WHERE purchase_order_id = $1 FOR UPDATE", po_id)


async def outstanding_lines(conn: asyncpg.Connection, po_id: str) -> dict[str, Decimal]:
    rows = await conn.fetch(
        "SELECT sku, ordered - received AS outstanding FROM purchase_order_lines WHERE purchase_order_id = $1", po_id)
    return {r["sku"]: r["outstanding"] for r in rows}


async def add_received(conn: asyncpg.Connection, po_id: str, settled: dict[str, Decimal]) -> None:
    await conn.execute(
        "UPDATE purchase_order_lines l SET received = l.received + u.q"
        " FROM unnest($2::text[], $3::numeric[]) AS u(sku, q)"
        " WHERE l.purchase_order_id = $1 AND l.sku = u.sku", po_id, list(settled), list(settled.values()))


async def purchase_order_rows(conn: asyncpg.Connection, open_only: bool) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT p.purchase_order_id, p.supplier_id, p.warehouse_id, p.expected_on, l.sku, l.ordered, l.received"
        " FROM purchase_orders p JOIN purchase_order_lines l USING (purchase_order_id)"
        " WHERE NOT $1 OR l.received < l.ordered ORDER BY p.purchase_order_id, l.sku", open_only)


# --- catalog --------------------------------------------------------------------------------

_PRODUCT_COLUMNS = ("sku, name, unit, vat, net_price, currency, is_stock_item, minimum_stock, default_supplier_id,"
                    " supplier_item_number, shop_ids, origin_shop_id, price_version, created_at, updated_at")


async def insert_product(conn: asyncpg.Connection, sku: str, data: dict, origin_shop_id: str | None) -> asyncpg.Record | None:
    """Create a product; None when the SKU exists already."""
    return await conn.fetchrow(
        "INSERT INTO products (sku, name, unit, vat, net_price, currency, is_stock_item, minimum_stock,"
        " default_supplier_id, supplier_item_number, shop_ids, origin_shop_id)"
        " VALUES ($1, $2, $3, $4::text::jsonb, $5, $6, $7, $8, $9, $10, $11, $12)"
        f" ON CONFLICT (sku) DO NOTHING RETURNING {_PRODUCT_COLUMNS}",
        sku, data["name"], data["unit"], json.dumps(data["vat"]), data["net_price"], data["currency"],
        data["is_stock_item"], data["minimum_stock"], data["default_supplier_id"], data["supplier_item_number"],
        list(data["shop_ids"]), origin_shop_id)


async def lock_product(conn: asyncpg.Connection, sku: str) -> asyncpg.Record | None:
    return await conn.fetchrow(f"SELECT {_PRODUCT_COLUMNS} FROM products WHERE sku = $1 FOR UPDATE", sku)


async def get_product(conn: asyncpg.Connection, sku: str) -> asyncpg.Record | None:
    return await conn.fetchrow(f"SELECT {_PRODUCT_COLUMNS} FROM products WHERE sku = $1", sku)


async def list_products(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    return await conn.fetch(f"SELECT {_PRODUCT_COLUMNS} FROM products ORDER BY sku")


async def set_price(conn: asyncpg.Connection, sku: str, net_price: Decimal, currency: str) -> asyncpg.Record:
    return await conn.fetchrow(
        "UPDATE products SET net_price = $2, currency = $3, price_version = price_version + 1, updated_at = now()"
        f" WHERE sku = $1 RETURNING {_PRODUCT_COLUMNS}", sku, net_price, currency)


#: Catalog fields that can be changed without a message to the shops.
EDITABLE_PRODUCT_FIELDS = ("name", "unit", "is_stock_item", "minimum_stock", "default_supplier_id",
                           "supplier_item_number")


async def update_product(conn: asyncpg.Connection, sku: str, changes: dict) -> asyncpg.Record | None:
    fields = [f for f in EDITABLE_PRODUCT_FIELDS if f in changes]
    sets = ", ".join(f"{f} = ${i}" for i, f in enumerate(fields, start=2))
    return await conn.fetchrow(
        f"UPDATE products SET {sets}{', ' if sets else ''}updated_at = now() WHERE sku = $1"
        f" RETURNING {_PRODUCT_COLUMNS}", sku, *(changes[f] for f in fields))


async def record_shop_product(conn: asyncpg.Connection, shop_id: str, sku: str, shop_product_id: str,
                              discovered_at) -> None:
    await conn.execute(
        "INSERT INTO shop_products (shop_id, sku, shop_product_id, discovered_at) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (shop_id, sku) DO UPDATE SET shop_product_id = excluded.shop_product_id,"
        " discovered_at = greatest(shop_products.discovered_at, excluded.discovered_at)",
        shop_id, sku, shop_product_id, discovered_at)


async def upsert_warehouse(conn: asyncpg.Connection, warehouse_id: str, name: str) -> asyncpg.Record:
    return await conn.fetchrow(
        "INSERT INTO warehouses (warehouse_id, name) VALUES ($1, $2)"
        " ON CONFLICT (warehouse_id) DO UPDATE SET name = excluded.name RETURNING warehouse_id, name",
        warehouse_id, name)


async def list_warehouses(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT warehouse_id, name FROM warehouses ORDER BY warehouse_id")


async def upsert_supplier(conn: asyncpg.Connection, supplier_id: str, name: str, email: str | None) -> asyncpg.Record:
    return await conn.fetchrow(
        "INSERT INTO suppliers (supplier_id, name, email) VALUES ($1, $2, $3) ON CONFLICT (supplier_id)"
        " DO UPDATE SET name = excluded.name, email = excluded.email RETURNING supplier_id, name, email",
        supplier_id, name, email)


async def list_suppliers(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT supplier_id, name, email FROM suppliers ORDER BY supplier_id")


# --- orders and reservations ---------------------------------------------------------------

_RESERVE = """
WITH o AS (
    INSERT INTO orders (shop_id, shop_order_id, order_number, shop_order_code, warehouse_id, placed_at,
                        is_paid, status, customer_name, customer_email, shipping)
    VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9, $10::text::jsonb)
    ON CONFLICT (shop_id, shop_order_id) DO NOTHING RETURNING shop_id, shop_order_id, warehouse_id
), l AS (
    SELECT o.shop_id, o.shop_order_id, o.warehouse_id, l.line_no, l.sku, l.name, l.quantity, l.unit,
           l.is_stock_item AND NOT EXISTS (SELECT FROM products p WHERE p.sku = l.sku AND NOT p.is_stock_item)
               AS is_stock_item
    FROM o, unnest($11::int[], $12::text[], $13::text[], $14::numeric[], $15::text[], $16::bool[])
        AS l(line_no, sku, name, quantity, unit, is_stock_item)
), ol AS (
    INSERT INTO order_lines (shop_id, shop_order_id, line_no, sku, name, quantity, unit, is_stock_item)
    SELECT shop_id, shop_order_id, line_no, sku, name, quantity, unit, is_stock_item FROM l
), want AS (
    SELECT shop_id, shop_order_id, warehouse_id, sku, sum(quantity) AS quantity FROM l WHERE is_stock_item
    GROUP BY shop_id, shop_order_id, warehouse_id, sku HAVING sum(quantity) > 0
), r AS (
    INSERT INTO reservations (shop_id, shop_order_id, warehouse_id, sku, quantity)
    SELECT shop_id, shop_order_id, warehouse_id, sku, quantity FROM want
), w AS (
    INSERT INTO warehouses (warehouse_id, name)
    SELECT DISTINCT warehouse_id, warehouse_id FROM want ON CONFLICT DO NOTHING
), s AS (
    INSERT INTO stock AS s (warehouse_id, sku, reserved, version)
    SELECT warehouse_id, sku, quantity, 1 FROM want ORDER BY warehouse_id, sku
    ON CONFLICT (warehouse_id, sku) DO UPDATE SET
        reserved = s.reserved + excluded.reserved,
        version = s.version + 1,
        updated_at = now()
    RETURNING warehouse_id, sku, physical, reserved, incoming, version, updated_at
)
SELECT s.*, want.quantity AS reserved_change FROM s JOIN want USING (warehouse_id, sku)
ORDER BY warehouse_id, sku
"""


async def reserve_order(conn: asyncpg.Connection, order: dict, lines: Sequence[dict]) -> list[asyncpg.Record]:
    """File a new open order with its product lines and reserve its stock lines, in one statement.

    A line is a stock line when the order says so and the catalog does not know its SKU as a
    non-stock item. Returns the new figures of every reserved warehouse+SKU with
    ``reserved_change``; nothing when the order was known already.
    """
    return await conn.fetch(
        _RESERVE,
        order["shop_id"], order["shop_order_id"], order["order_number"], order["shop_order_code"],
        order["warehouse_id"], order["placed_at"], order["is_paid"], order["customer_name"],
        order["customer_email"], json.dumps(order["shipping"]),
        [l["line_no"] for l in lines], [l["sku"] for l in lines], [l["name"] for l in lines],
        [l["quantity"] for l in lines], [l["unit"] for l in lines], [l["is_stock_item"] for l in lines])


_RESERVE_MANY = """
WITH given AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[],
                         $7::bool[], $8::text[], $9::text[], $10::text[])
        WITH ORDINALITY AS g(shop_id, shop_order_id, order_number, shop_order_code, warehouse_id, placed_at,
                             is_paid, customer_name, customer_email, shipping, doc)
), o AS (
    INSERT INTO orders (shop_id, shop_order_id, order_number, shop_order_code, warehouse_id, placed_at,
                        is_paid, status, customer_name, customer_email, shipping)
    SELECT shop_id, shop_order_id, order_number, shop_order_code, warehouse_id, placed_at, is_paid, 'open',
           customer_name, customer_email, shipping::jsonb
    FROM given ORDER BY doc
    ON CONFLICT (shop_id, shop_order_id) DO NOTHING RETURNING shop_id, shop_order_id, warehouse_id
), l AS (
    SELECT g.doc, o.shop_id, o.shop_order_id, o.warehouse_id, l.line_no, l.sku, l.name, l.quantity, l.unit,
           l.is_stock_item AND NOT EXISTS (SELECT FROM products p WHERE p.sku = l.sku AND NOT p.is_stock_item)
               AS is_stock_item
    FROM unnest($11::int[], $12::int[], $13::text[], $14::text[], $15::numeric[], $16::text[], $17::bool[])
        AS l(doc, line_no, sku, name, quantity, unit, is_stock_item)
    JOIN given g USING (doc) JOIN o USING (shop_id, shop_order_id)
), ol AS (
    INSERT INTO order_lines (shop_id, shop_order_id, line_no, sku, name, quantity, unit, is_stock_item)
    SELECT shop_id, shop_order_id, line_no, sku, name, quantity, unit, is_stock_item FROM l
), want AS (
    SELECT doc, shop_id, shop_order_id, warehouse_id, sku, sum(quantity) AS quantity FROM l WHERE is_stock_item
    GROUP BY doc, shop_id, shop_order_id, warehouse_id, sku HAVING sum(quantity) > 0
), r AS (
    INSERT INTO reservations (shop_id, shop_order_id, warehouse_id, sku, quantity)
    SELECT shop_id, shop_order_id, warehouse_id, sku, quantity FROM want
), w AS (
    INSERT INTO warehouses (warehouse_id, name)
    SELECT DISTINCT warehouse_id, warehouse_id FROM want ON CONFLICT DO NOTHING
), k AS (
    SELECT warehouse_id, sku, sum(quantity) AS quantity, count(*) AS changes FROM want GROUP BY warehouse_id, sku
), s AS (
    INSERT INTO stock AS s (warehouse_id, sku, reserved, version)
    SELECT warehouse_id, sku, quantity, changes FROM k ORDER BY warehouse_id, sku
    ON CONFLICT (warehouse_id, sku) DO UPDATE SET
        reserved = s.reserved + excluded.reserved,
        version = s.version + excluded.version,
        updated_at = now()
    RETURNING warehouse_id, sku, physical, reserved, incoming, version, updated_at
)
SELECT want.doc, s.warehouse_id, s.sku, s.physical, s.incoming, s.updated_at,
       s.reserved - sum(want.quantity) OVER all_of_key + sum(want.quantity) OVER up_to_order AS reserved,
       s.version - count(*) OVER all_of_key + count(*) OVER up_to_order AS version,
       want.quantity AS reserved_change
FROM want JOIN s USING (warehouse_id, sku)
WINDOW all_of_key AS (PARTITION BY want.warehouse_id, want.sku),
       up_to_order AS (PARTITION BY want.warehouse_id, want.sku ORDER BY want.doc)
ORDER BY want.doc, s.warehouse_id, s.sku
"""


async def reserve_orders(conn: asyncpg.Connection, orders: Sequence[tuple[dict, Sequence[dict]]]) -> list[asyncpg.Record]:
    """:func:`reserve_order` for several orders (each (shop_id, shop_order_id) at most once) in one
    statement. Returns, per reserved warehouse+SKU of each order that was new, in order: ``doc``
    (the order's position, from 1), ``reserved_change`` and the figures and version of the key
    right after that order, as if the orders had been reserved one after the other."""
    heads = [o for o, _ in orders]
    lines = [(i, l) for i, (_, ls) in enumerate(orders, start=1) for l in ls]
    return await conn.fetch(
        _RESERVE_MANY,
        *([h[f] for h in heads] for f in ("shop_id", "shop_order_id", "order_number", "shop_order_code",
                                          "warehouse_id", "placed_at", "is_paid", "customer_name",
                                          "customer_email")),
        [json.dumps(h["shipping"]) for h in heads],
        [i for i, _ in lines], *([l[f] for _, l in lines] for f in ("line_no", "sku", "name", "quantity", "unit",
                                                                     "is_stock_item")))


async def lock_order(conn: asyncpg.Connection, shop_id: str, shop_order_id: str) -> asyncpg.Record | None:
    """The order row, locked until commit, so its invoice and cancellation never interleave; with
    ``non_stock_skus``, the SKUs of the lines the order itself marks as non-stock items (a shop
    product that does not subtract stock). The lines commit with the order row, so they are read
    with it."""
    return await conn.fetchrow(
        "SELECT o.shop_id, o.shop_order_id, o.status, o.warehouse_id,"
        " ARRAY(SELECT l.sku FROM order_lines l WHERE l.shop_id = o.shop_id AND l.shop_order_id = o.shop_order_id"
        "       AND NOT l.is_stock_item) AS non_stock_skus"
        " FROM orders o WHERE o.shop_id = $1 AND o.shop_order_id = $2 FOR UPDATE", shop_id, shop_order_id)


async def insert_closed_order(conn: asyncpg.Connection, shop_id: str, shop_order_id: str, order_number: str,
                              warehouse_id: str, status: str) -> bool:
    """Remember an order first seen through its invoice or cancellation, so it never reserves later."""
    row = await conn.fetchrow(
        "INSERT INTO orders (shop_id, shop_order_id, order_number, warehouse_id, status)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (shop_id, shop_order_id) DO NOTHING RETURNING seq",
        shop_id, shop_order_id, order_number, warehouse_id, status)
    return row is not None


async def close_order(conn: asyncpg.Connection, shop_id: str, shop_order_id: str,
                      status: str) -> list[asyncpg.Record]:
    """Give a locked order its new status and drop its reservations, in one statement; what was
    reserved, per warehouse and SKU."""
    return await conn.fetch(
        "WITH o AS (UPDATE orders SET status = $3, updated_at = now() WHERE shop_id = $1 AND shop_order_id = $2)"
        " DELETE FROM reservations WHERE shop_id = $1 AND shop_order_id = $2"
        " RETURNING warehouse_id, sku, quantity", shop_id, shop_order_id, status)


async def claim_invoice(conn: asyncpg.Connection, invoice_number: str, kind: str, shop_id: str,
                        shop_order_id: str, warehouse_id: str, skus: Iterable[str]) -> tuple[bool, set[str]]:
    """Record an invoice or storno as booked, and read which of ``skus`` the catalog knows as
    non-stock items; (False, ...) when it was booked before. (The order's own non-stock lines
    come with the locked order, :func:`lock_order`.)"""
    row = await conn.fetchrow(
        "WITH c AS (INSERT INTO invoices (invoice_number, kind, shop_id, shop_order_id, warehouse_id)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING invoice_number)"
        " SELECT EXISTS (SELECT FROM c) AS claimed,"
        " ARRAY(SELECT sku FROM products WHERE sku = ANY($6::text[]) AND NOT is_stock_item) AS non_stock",
        invoice_number, kind, shop_id, shop_order_id, warehouse_id, list(skus))
    return row["claimed"], set(row["non_stock"])


async def mark_packed(conn: asyncpg.Connection, refs: Sequence[tuple[str, str]], packed_by: str) -> list[asyncpg.Record]:
    """Mark open orders packed; the ones that were open and not packed before."""
    return await conn.fetch(
        "UPDATE orders o SET packed_at = now(), packed_by = $3, updated_at = now()"
        " FROM unnest($1::text[], $2::text[]) AS r(shop_id, shop_order_id)"
        " WHERE o.shop_id = r.shop_id AND o.shop_order_id = r.shop_order_id AND o.status = 'open'"
        " AND o.packed_at IS NULL RETURNING o.shop_id, o.shop_order_id, o.order_number, o.warehouse_id, o.packed_at",
        [r[0] for r in refs], [r[1] for r in refs], packed_by)


async def mark_shipped(conn: asyncpg.Connection, parcels: Sequence[tuple[str, str, str | None, str | None]],
                       shipped_by: str) -> list[asyncpg.Record]:
    """Mark orders handed to the carrier; the ones that were not shipped (nor cancelled) before.

    ``parcels`` are (shop_id, shop_order_id, carrier, tracking_number); an order may be shipped
    before or after it is invoiced.
    """
    return await conn.fetch(
        "UPDATE orders o SET shipped_at = now(), shipped_by = $5, carrier = r.carrier,"
        " tracking_number = r.tracking_number, updated_at = now()"
        " FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS r(shop_id, shop_order_id, carrier,"
        " tracking_number)"
        " WHERE o.shop_id = r.shop_id AND o.shop_order_id = r.shop_order_id"
        " AND o.status IN ('open', 'invoiced') AND o.shipped_at IS NULL"
        " RETURNING o.shop_id, o.shop_order_id, o.order_number, o.carrier, o.tracking_number, o.shipped_at",
        [p[0] for p in parcels], [p[1] for p in parcels], [p[2] for p in parcels], [p[3] for p in parcels],
        shipped_by)


async def open_orders(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT shop_id, shop_order_id, seq, order_number, shop_order_code, warehouse_id, placed_at, is_paid,"
        " customer_name, customer_email, shipping, packed_at FROM orders WHERE status = 'open'"
        " ORDER BY placed_at, seq")


async def open_order_lines(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT l.shop_id, l.shop_order_id, l.line_no, l.sku, l.name, l.quantity, l.unit, l.is_stock_item"
        " FROM order_lines l JOIN orders o USING (shop_id, shop_order_id) WHERE o.status = 'open'"
        " ORDER BY l.shop_id, l.shop_order_id, l.line_no")


async def reserved_mismatches(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    """Keys whose reserved figure differs from the sum of open reservations (should be none)."""
    return await conn.fetch(
        "SELECT s.warehouse_id, s.sku, s.reserved, coalesce(r.total, 0) AS reservations FROM stock s"
        " LEFT JOIN (SELECT warehouse_id, sku, sum(quantity) AS total FROM reservations GROUP BY 1, 2) r"
        " USING (warehouse_id, sku) WHERE s.reserved <> coalesce(r.total, 0)")


# --- reports --------------------------------------------------------------------------------

async def stock_report_rows(conn: asyncpg.Connection, warehouse_id: str | None, sku_prefix: str | None,
                            supplier_id: str | None) -> list[asyncpg.Record]:
    """Every stock product in every warehouse, and every stocked SKU the catalog does not know."""
    return await conn.fetch(
        "WITH keys AS ("
        "  SELECT w.warehouse_id, p.sku FROM products p CROSS JOIN warehouses w WHERE p.is_stock_item"
        "  UNION SELECT warehouse_id, sku FROM stock"
        ") SELECT k.warehouse_id, k.sku, p.name, p.unit, p.minimum_stock, p.default_supplier_id,"
        "  p.supplier_item_number, sp.name AS supplier_name,"
        "  coalesce(s.physical, 0) AS physical, coalesce(s.reserved, 0) AS reserved,"
        "  coalesce(s.incoming, 0) AS incoming"
        " FROM keys k LEFT JOIN products p USING (sku) LEFT JOIN stock s USING (warehouse_id, sku)"
        " LEFT JOIN suppliers sp ON sp.supplier_id = p.default_supplier_id"
        " WHERE ($1::text IS NULL OR k.warehouse_id = $1) AND ($2::text IS NULL OR k.sku LIKE $2 || '%')"
        "  AND ($3::text IS NULL OR p.default_supplier_id = $3)"
        " ORDER BY k.sku, k.warehouse_id", warehouse_id, sku_prefix, supplier_id)


async def product_rows(conn: asyncpg.Connection, skus: Iterable[str]) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT p.sku, p.name, p.unit, p.default_supplier_id, p.supplier_item_number, s.name AS supplier_name"
        " FROM products p LEFT JOIN suppliers s ON s.supplier_id = p.default_supplier_id"
        " WHERE p.sku = ANY($1::text[])", list(skus))
