"""Pure rules of the reporter and the client's boundaries: outcomes of NAV results, secrets kept out."""

from __future__ import annotations

from services.invoicing.nav.messages import Credentials, ProcessingResult, ValidationMessage
from services.invoicing.nav.reporter import outcome
from services.invoicing.nav.wiring import base_url, credentials
from services.invoicing.settings import Settings


def result(status, *messages):
    return ProcessingResult(index=1, status=status, messages=tuple(ValidationMessage(*m) for m in messages))


def test_still_processing_has_no_outcome():
    for status in ("RECEIVED", "PROCESSING", "SAVED"):
        assert outcome(result(status)) is None


def test_done_keeps_warnings_and_info():
    status, warnings, errors = outcome(result("DONE", ("WARN", "INCORRECT_LINE_DATA", "w"), ("INFO", "NOTE", "i")))
    assert status == "done" and errors == []
    assert [(w["severity"], w["code"]) for w in warnings] == [("WARN", "INCORRECT_LINE_DATA"), ("INFO", "NOTE")]


def test_aborted_is_rejected_with_its_errors_or_a_reason():
    status, _, errors = outcome(result("ABORTED", ("ERROR", "INVALID_VAT_DATA", "bad"), ("WARN", "X", "w")))
    assert status == "rejected" and [e["code"] for e in errors] == ["INVALID_VAT_DATA"]
    assert outcome(result("ABORTED"))[2][0]["code"] == "ABORTED"


def test_secrets_never_appear_in_reprs():
    settings = Settings(nav_password="s3cret-pass", nav_signature_key="sig-key-123", nav_exchange_key="exch-key-1234567")
    assert "s3cret-pass" not in repr(settings) and "sig-key-123" not in repr(settings)
    creds = credentials(settings)
    assert isinstance(creds, Credentials) and creds.password == "s3cret-pass"
    assert "s3cret-pass" not in repr(creds) and "exch-key" not in repr(creds) and "sig-key" not in repr(creds)
    assert creds.tax_number == "10597190"


def test_endpoints_by_environment_and_override():
    assert base_url(Settings(nav_environment="test")).startswith("https://api-test.onlineszamla.nav.gov.hu")
    assert base_url(Settings(nav_environment="production")) == \
        "https://api.onlineszamla.nav.gov.hu/invoiceService/v3"
    assert base_url(Settings(nav_url="http://127.0.0.1:8790/invoiceService/v3")).startswith("http://127.0.0.1")
