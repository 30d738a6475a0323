"""The printable packing summary (M22): the pick list and each selected order's lines, as HTML or PDF."""

from __future__ import annotations

from decimal import Decimal
from html import escape

_CSS = """
@page { size: A4; margin: 14mm; }
body { font-family: sans-serif; font-size: 10pt; }
h1 { font-size: 15pt; } h2 { font-size: 12pt; margin: 14pt 0 4pt; border-bottom: 1px solid #444; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #999; padding: 2pt 4pt; text-align: left; }
td.q { text-align: right; width: 18mm; } td.box { width: 8mm; }
.order { page-break-inside: avoid; }
"""


def _q(value: Decimal | str) -> str:
    text = format(Decimal(str(value)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def packing_html(summary: dict, title: str = "Csomagolási összesítő / Packing summary") -> str:
    """HTML of a pick summary (see allocation.pick_summary): totals first, then one block per order."""
    parts = [f"<html><head><meta charset='utf-8'><style>{_CSS}</style></head><body><h1>{escape(title)}</h1>",
             "<h2>Összesítő (pick list)</h2><table><tr><th>Raktár</th><th>Cikkszám</th><th>Megnevezés</th>"
             "<th>Mennyiség</th><th>Egység</th><th></th></tr>"]
    for p in summary["products"]:
        parts.append(f"<tr><td>{escape(p['warehouse_id'])}</td><td>{escape(p['sku'])}</td><td>{escape(p['name'])}</td>"
                     f"<td class='q'>{_q(p['quantity'])}</td><td>{escape(p['unit'])}</td><td class='box'>☐</td></tr>")
    parts.append("</table>")
    for o in summary["orders"]:
        ship = o.get("shipping") or {}
        address = ship.get("address") or {}
        where = ", ".join(escape(str(address[k])) for k in ("name", "postcode", "city", "address_line_1")
                          if address.get(k))
        parts.append(f"<div class='order'><h2>{escape(o['order_number'])} ({escape(o['shop_id'])}"
                     f"{' / ' + escape(o['shop_order_code']) if o.get('shop_order_code') else ''})</h2>"
                     f"<p>{escape(o.get('customer_name') or '')} — {where}<br>"
                     f"{escape(ship.get('method') or '')} · {escape(ship.get('payment') or '')}</p>"
                     "<table><tr><th>#</th><th>Cikkszám</th><th>Megnevezés</th><th>Mennyiség</th><th>Egység</th>"
                     "<th></th></tr>")
        for l in o["lines"]:
            parts.append(f"<tr><td>{l['line_no']}</td><td>{escape(l['sku'])}</td><td>{escape(l['name'])}</td>"
                         f"<td class='q'>{_q(l['quantity'])}</td><td>{escape(l['unit'])}</td>"
                         f"<td class='box'>☐</td></tr>")
        parts.append("</table></div>")
    parts.append("</body></html>")
    return "".join(parts)


def packing_pdf(summary: dict) -> bytes:
    """The packing summary as a PDF document (CPU-bound: run it in a worker thread)."""
    from weasyprint import HTML

    return HTML(string=packing_html(summary)).write_pdf()
