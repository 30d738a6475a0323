"""The invoice PDF: a Jinja2 template (autoescaped) rendered by WeasyPrint.

The bytes are stored once with their SHA-256 and never rendered again for that invoice: a
re-sent invoice is the stored file, byte for byte.
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ElementTree
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


# Characters XML 1.0 does not allow (C0 controls other than tab and newlines, lone surrogates, U+FFFE/F).
# None of them can be printed; they are dropped from every value before it is escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _printable(value: object) -> object:
    return _NOT_XML.sub("", value) if isinstance(value, str) else value


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, finalize=_printable)
    env.globals.update(money=money, qty=qty)
    return env


def render_html(doc: InvoiceDocument) -> str:
    """The invoice as HTML (well-formed XML too); every customer-supplied text is escaped by the template
    engine and stripped of characters XML cannot hold."""
    if doc.kind == "storno":
        titles = ("Sztornó számla", "Cancellation invoice")
    else:
        titles = ("Számla", "Invoice")
    return _environment().get_template("invoice.html").render(doc=doc, title_hu=titles[0], title_en=titles[1])


# What the template needs from a browser's default stylesheet. WeasyPrint's full HTML5 defaults
# (hundreds of rules, matched against every element) cost more than the template's own CSS.
_UA_CSS = """
html, body, div, h1 { display: block }
head, title, meta, style, script { display: none }
table { display: table; box-sizing: border-box; border-collapse: separate; text-indent: initial }
colgroup { display: table-column-group } col { display: table-column }
thead { display: table-header-group } tbody { display: table-row-group } tr { display: table-row }
td, th { display: table-cell; vertical-align: inherit } tr { vertical-align: inherit }
thead, tbody { vertical-align: middle }
th, h1 { font-weight: bold }
"""


@cache
def _renderer():
    """Stylesheets, fonts and the HTML class, loaded once per process and reused by every render."""
    import cssselect2
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    fonts = FontConfiguration()
    ua = CSS(string=_UA_CSS, font_config=fonts)
    base_url = str(TEMPLATES) + "/"

    class InvoiceHTML(HTML):
        def __init__(self, html: str) -> None:  # noqa: D107 - what HTML.__init__ sets, from an XML tree
            # The template's output is well-formed XML: the C XML parser reads it in a fraction of the
            # time WeasyPrint's HTML5 parser needs, into the same tree (explicit tbody, no namespaces).
            self.base_url, self.url_fetcher, self.media_type = base_url, URLFetcher(), "print"
            self.wrapper_element = cssselect2.ElementWrapper.from_html_root(
                ElementTree.fromstring(html), content_language=None)
            self.etree_element = self.wrapper_element.etree_element

        def _ua_stylesheets(self, forms=False):  # noqa: ARG002 - WeasyPrint's hook for default styles
            return [ua]

        def _ph_stylesheets(self):  # presentational hints: the template uses none
            return []

    return InvoiceHTML, CSS(filename=str(TEMPLATES / "invoice.css"), font_config=fonts), fonts


def render_pdf(doc: InvoiceDocument) -> bytes:
    """The invoice as PDF bytes (CPU-bound: run it off the event loop).

    Deterministic: the same document gives the same bytes (no dates or random identifiers in the
    file). The fonts are DejaVu Sans (a Latin subset shipped with the service) and are subset to the
    glyphs used, by HarfBuzz: cheaper than embedding them whole, which makes WeasyPrint read every
    glyph's width and Unicode mapping with fontTools on each render, and the file is less than half
    the size.
    """
    html_class, css, fonts = _renderer()
    return html_class(render_html(doc)).write_pdf(stylesheets=[css], font_config=fonts)


def render_pdfs_json(documents_json: list[str]) -> list[bytes]:
    """Process-pool entry point: several documents per call, as JSON between processes."""
    return [render_pdf(InvoiceDocument.model_validate_json(d)) for d in documents_json]


def render_pdf_json(document_json: str) -> bytes:
    return render_pdfs_json([document_json])[0]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
