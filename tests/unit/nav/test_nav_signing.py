"""Request signatures reproduce NAV's published examples; the exchange token round-trips."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.invoicing.nav import aes, signing

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "nav-samples"
SAMPLE_SIGN_KEY = "ac-ac3a-7f661bff7d342N43CYX4U9FG"  # from the samples' <signKey> comment


def _sample(name: str) -> str:
    path = SAMPLES / name
    if not path.exists():
        pytest.skip("reference samples not available")
    return path.read_text()


def _field(xml: str, tag: str) -> str:
    return re.search(rf"<{tag}[^>]*>([^<]*)</{tag}>", xml).group(1)


def _timestamp(xml: str) -> datetime:
    return datetime.strptime(_field(xml, "common:timestamp"), "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


@pytest.mark.parametrize("name", ["tokenExchange.xml", "queryTransactionStatus.xml", "queryTransactionList.xml"])
def test_simple_request_signatures_match_the_samples(name):
    xml = _sample(name)
    assert signing.request_signature(_field(xml, "common:requestId"), _timestamp(xml), SAMPLE_SIGN_KEY) == \
        _field(xml, "common:requestSignature")


def test_manage_invoice_signature_matches_the_sample_with_its_index_hashes():
    xml = _sample("manageInvoice.xml")
    ops = re.findall(r"<invoiceOperation>([A-Z]+)</invoiceOperation>\s*<invoiceData>([^<]*)</invoiceData>", xml)
    assert len(ops) == 3
    expected = re.findall(r"<(?:first|second|third)IndexHash>([0-9A-F]+)<", xml)
    assert [signing.operation_hash(op, data) for op, data in ops] == expected
    assert signing.request_signature(_field(xml, "common:requestId"), _timestamp(xml), SAMPLE_SIGN_KEY, ops) == \
        _field(xml, "common:requestSignature")


def test_specification_example_with_two_operations():
    # Interface specification § 1.5 (v3.0): the worked example of a manageInvoice signature.
    signature = signing.request_signature(
        "TSTKFT1222564", datetime(2017, 12, 30, 18, 25, 45, tzinfo=UTC), "ce-8f5e-215119fa7dd621DLMRHRLH2S",
        [("CREATE", "QWJjZDEyMzQ="), ("MODIFY", "RGNiYTQzMjE=")])
    assert signature.startswith("60BC80609EE3") and signature.endswith("2470C42")


def test_password_hash_is_uppercase_sha512():
    assert signing.password_hash("abc") == (
        "DDAF35A193617ABACC417349AE20413112E6FA4E89A97EA20A9EEEE64B55D39A"
        "2192992A274FC1A836BA3C23A3FEEBBD454D4423643CE80E2A9AC94FA54CA49F")


def test_timestamps():
    ts = datetime(2019, 9, 11, 10, 55, 31, 440000, tzinfo=UTC)
    assert signing.header_timestamp(ts) == "2019-09-11T10:55:31.440Z"
    assert signing.signature_timestamp(ts) == "20190911105531"


def test_aes_matches_fips_197_and_the_token_round_trips():
    key = bytes(range(16))
    block = bytes.fromhex("00112233445566778899aabbccddeeff")
    assert aes.encrypt_block(key, block).hex() == "69c4e0d86a7b0430d8cdb78070b4c55a"
    assert aes.decrypt_block(key, aes.encrypt_block(key, block)) == block
    encoded = signing.encode_exchange_token("b1aca173-d9e8-4561-9237-0511eed99eaa2P0ZHLXBRI2U", "1234567890abcdef")
    assert signing.decode_exchange_token(encoded, "1234567890abcdef") == "b1aca173-d9e8-4561-9237-0511eed99eaa2P0ZHLXBRI2U"
    with pytest.raises(ValueError):
        signing.decode_exchange_token(encoded, "fedcba0987654321")
