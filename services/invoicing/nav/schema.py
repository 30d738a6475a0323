"""Validation against NAV's official schemas (the unchanged copies in ``xsd/``).

The schemas import each other by namespace only, without ``schemaLocation``. When they are loaded,
each import is given a ``nav-xsd:`` location that a resolver serves from this folder, so the
files on disk stay identical to NAV's.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

XSD_DIR = Path(__file__).parent / "xsd"
_XS = "http://www.w3.org/2001/XMLSchema"
_FILES = {
    "http://schemas.nav.gov.hu/NTCA/1.0/common": "common.xsd",
    "http://schemas.nav.gov.hu/OSA/3.0/base": "invoiceBase.xsd",
    "http://schemas.nav.gov.hu/OSA/3.0/data": "invoiceData.xsd",
    "http://schemas.nav.gov.hu/OSA/3.0/api": "invoiceApi.xsd",
}
_SCHEME = "nav-xsd:"


def _linked(file: str) -> bytes:
    """The schema file with every namespace import pointing at its local copy."""
    tree = etree.parse(str(XSD_DIR / file))
    for imp in tree.getroot().iter(f"{{{_XS}}}import"):
        target = _FILES.get(imp.get("namespace", ""))
        if target and not imp.get("schemaLocation"):
            imp.set("schemaLocation", _SCHEME + target)
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


class _LocalSchemas(etree.Resolver):
    def resolve(self, url, pubid, context):  # noqa: ANN001 - lxml's signature
        if url and url.startswith(_SCHEME):
            return self.resolve_string(_linked(url[len(_SCHEME):]), context)
        return None


@functools.cache
def _schema(file: str) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_LocalSchemas())
    doc = etree.fromstring(_linked(file), parser, base_url=_SCHEME + file)
    return etree.XMLSchema(doc)


@dataclass(frozen=True)
class SchemaError:
    """One violation: line in the document and libxml2's message."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


def _validate(file: str, xml: bytes) -> list[SchemaError]:
    try:
        doc = etree.fromstring(xml, etree.XMLParser(no_network=True, resolve_entities=False))
    except etree.XMLSyntaxError as error:
        return [SchemaError(error.lineno or 0, f"not well-formed XML: {error.msg}")]
    schema = _schema(file)
    if schema.validate(doc):
        return []
    return [SchemaError(e.line, e.message) for e in schema.error_log]


def invoice_data_errors(xml: bytes) -> list[SchemaError]:
    """Violations of ``invoiceData.xsd`` in an InvoiceData document; empty when it is valid."""
    return _validate("invoiceData.xsd", xml)


def api_errors(xml: bytes) -> list[SchemaError]:
    """Violations of ``invoiceApi.xsd`` in an API request or response; empty when it is valid."""
    return _validate("invoiceApi.xsd", xml)
