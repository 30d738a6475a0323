"""The invoice PDF: a Jinja2 template (autoescaped) rendered by WeasyPrint.

The bytes are stored once with their SHA-256 and never rendered again for that invoice: a
re-sent invoice is the stored file, byte for byte.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from functools import cache
from pathlib import Path

import jinja2

from services.invoicing.building import InvoiceDocument

TEMPLATES = Path(__file__).parent / "templates"


def money(value: Decimal, places: int = 0) -> str:
    """Hungarian style: thin-space thousands, decimal comma (``12 990``, ``10 228,35``)."""
    text = f"{value:,.{places}f}" if places else f"{value.quantize(Decimal(1)):,}"
    return text.replace(",", "\u202f").replace(".", ",")


def qty(value: Decimal) -> str:
    normalized = value.normalize()
    text = format(normalized, "f") if normalized == normalized.to_integral() else format(normalized, "f")
    return text.replace(".", ",")


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    env.globals.update(money=money, qty=qty)
    return env


def render_html(doc: InvoiceDocument) -> str:
    """The invoice as HTML; every customer-supplied text is escaped by the template engine."""
    if doc.kind == "storno":
        titles = ("Sztornó számla", "Cancellation invoice")
    else:
        titles = ("Számla", "Invoice")
    return _environment().get_template("invoice.html").render(doc=doc, title_hu=titles[0], title_en=titles[1])


@cache
def _stylesheet():
    """The stylesheet and its fonts, loaded once per process (a third of the rendering time otherwise)."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    return CSS(filename=str(TEMPLATES / "invoice.css"), font_config=fonts), fonts


def render_pdf(doc: InvoiceDocument) -> bytes:
    """The invoice as PDF bytes (CPU-bound: run it off the event loop).

    The embedded fonts are a small Latin subset of DejaVu Sans shipped with the service, embedded
    whole, so the output does not depend on the fonts installed and needs no per-file subsetting.
    """
    from weasyprint import HTML  # loaded lazily: heavy, and only render processes need it

    css, fonts = _stylesheet()
    return HTML(string=render_html(doc), base_url=str(TEMPLATES) + "/").write_pdf(
        stylesheets=[css], font_config=fonts, full_fonts=True)


def render_pdf_json(document_json: str) -> bytes:
    """Process-pool entry point: the document travels as JSON between processes."""
    return render_pdf(InvoiceDocument.model_validate_json(document_json))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
