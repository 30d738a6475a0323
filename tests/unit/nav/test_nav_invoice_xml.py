"""Every kind of invoice polc issues gives an InvoiceData document NAV's official schema accepts."""

from __future__ import annotations

import pytest
from lxml import etree

from services.invoicing.nav import invoice_xml, schema
from tests.unit.nav import documents

NS = {"d": invoice_xml.DATA_NS, "b": invoice_xml.BASE_NS}


def parsed(doc):
    return etree.fromstring(invoice_xml.invoice_data(doc))


@pytest.mark.parametrize("kind", sorted(documents.ALL))
def test_every_invoice_kind_is_valid_against_invoice_data_xsd(kind):
    xml = invoice_xml.invoice_data(documents.ALL[kind]())
    assert schema.invoice_data_errors(xml) == []


def test_the_schema_check_catches_a_broken_document():
    xml = invoice_xml.invoice_data(documents.private_buyer()).replace(b"<exchangeRate>1<", b"<exchangeRate>x<")
    errors = schema.invoice_data_errors(xml)
    assert errors and "exchangeRate" in errors[0].message
    assert schema.invoice_data_errors(b"<not-closed>")[0].message.startswith("not well-formed")


def test_official_samples_are_accepted_by_the_bundled_schema():
    from pathlib import Path
    samples = Path(__file__).resolve().parents[2] / "fixtures" / "nav-samples"
    if not samples.exists():
        pytest.skip("reference samples not available")
    data = [p for p in samples.glob("*.xml") if b"<InvoiceData" in p.read_bytes()[:400]]
    assert len(data) == 30
    assert {p.name: schema.invoice_data_errors(p.read_bytes()) for p in data} == {p.name: [] for p in data}


def test_private_buyer_reports_status_only():
    root = parsed(documents.private_buyer())
    info = root.find(".//d:customerInfo", NS)
    assert [etree.QName(c).localname for c in info] == ["customerVatStatus"]
    assert info[0].text == "PRIVATE_PERSON"
    assert root.findtext(".//d:invoiceAppearance", namespaces=NS) == "ELECTRONIC"
    assert root.findtext("d:completenessIndicator", namespaces=NS) == "false"


def test_domestic_company_reports_its_tax_number_name_and_address():
    root = parsed(documents.domestic_company())
    info = root.find(".//d:customerInfo", NS)
    assert info.findtext("d:customerVatStatus", namespaces=NS) == "DOMESTIC"
    tax = info.find("d:customerVatData/d:customerTaxNumber", NS)
    assert [t.text for t in tax] == ["10597190", "2", "41"]
    assert info.findtext("d:customerName", namespaces=NS) == "Őrlőház Kft."
    assert info.find("d:customerAddress/b:simpleAddress", NS) is not None
    assert root.findtext(".//d:paymentMethod", namespaces=NS) == "TRANSFER"
    assert root.findtext(".//d:orderNumber", namespaces=NS) == "KP-2025-000172"


def test_summary_equals_the_printed_amounts():
    doc = documents.mixed_vat()
    root = parsed(doc)
    rows = root.findall(".//d:summaryByVatRate", NS)
    assert len(rows) == len(doc.vat_summary) == 4
    assert [r.findtext("d:vatRate/d:vatPercentage", namespaces=NS) for r in rows] == ["0.27", "0.18", "0.05", None]
    assert rows[3].findtext("d:vatRate/d:vatExemption/d:case", namespaces=NS) == "TAM"
    for row, printed in zip(rows, doc.vat_summary, strict=True):
        assert row.findtext("d:vatRateNetData/d:vatRateNetAmount", namespaces=NS) == f"{printed.net:.2f}"
        assert row.findtext("d:vatRateVatData/d:vatRateVatAmountHUF", namespaces=NS) == f"{printed.vat:.2f}"
    assert root.findtext(".//d:invoiceGrossAmount", namespaces=NS) == f"{doc.totals.gross:.2f}"
    assert root.findtext(".//d:invoiceVatAmount", namespaces=NS) == f"{doc.totals.vat:.2f}"


def test_aam_seller_is_individually_exempt_and_lines_carry_the_case():
    root = parsed(documents.aam())
    assert root.findtext(".//d:individualExemption", namespaces=NS) == "true"
    cases = {c.text for c in root.iterfind(".//d:lineVatRate/d:vatExemption/d:case", NS)}
    assert cases == {"AAM"}
    assert root.find(".//d:lineVatData", NS) is None  # no VAT is charged on exempt lines


def test_coupon_lines_are_negative_and_not_products():
    root = parsed(documents.coupon_discounts())
    coupons = [l for l in root.iterfind(".//d:line", NS) if l.findtext("d:lineNatureIndicator", namespaces=NS) == "OTHER"]
    assert len(coupons) == 2
    assert all(l.findtext(".//d:lineNetAmount", namespaces=NS).startswith("-") for l in coupons)


def test_cash_rounding_changes_no_reported_amount():
    doc = documents.cash_rounding()
    root = parsed(doc)
    assert root.findtext(".//d:invoiceGrossAmount", namespaces=NS) == f"{doc.totals.gross:.2f}" != f"{doc.amount_due:.2f}"
    assert root.findtext(".//d:paymentMethod", namespaces=NS) == "CASH"


def test_storno_refers_to_the_original_with_negated_lines_continuing_its_numbering():
    original = documents.domestic_company()
    doc = documents.storno(original)
    assert invoice_xml.operation_of(doc) == "STORNO" and invoice_xml.operation_of(original) == "CREATE"
    root = parsed(doc)
    ref = root.find(".//d:invoiceReference", NS)
    assert ref.findtext("d:originalInvoiceNumber", namespaces=NS) == original.invoice_number
    assert ref.findtext("d:modificationIndex", namespaces=NS) == "1"
    assert ref.findtext("d:modifyWithoutMaster", namespaces=NS) == "false"
    lines = root.findall(".//d:line", NS)
    n = len(original.lines)
    assert [l.findtext("d:lineNumber", namespaces=NS) for l in lines] == [str(i) for i in range(1, n + 1)]
    assert [l.findtext("d:lineModificationReference/d:lineNumberReference", namespaces=NS) for l in lines] == \
        [str(n + i) for i in range(1, n + 1)]
    assert {l.findtext("d:lineModificationReference/d:lineOperation", namespaces=NS) for l in lines} == {"CREATE"}
    assert root.findtext(".//d:invoiceGrossAmount", namespaces=NS) == f"{-original.totals.gross:.2f}"
    assert lines[0].findtext("d:quantity", namespaces=NS).startswith("-")


def test_foreign_company_reports_its_community_vat_number():
    root = parsed(documents.foreign_company())
    assert root.findtext(".//d:customerVatStatus", namespaces=NS) == "OTHER"
    assert root.findtext(".//d:customerVatData/d:communityVatNumber", namespaces=NS) == "ATU12345678"
