"""The shortcuts for text that needs no work give exactly what the full treatment gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from services.order_ingest.text import _storable, _to_plain_text, plain_text, storable

PIECES = list("aáZ Ő1;/b\\\"\n\t\r\f\v\x0b\x1c\x85\xa0\u2028\u3000\u202e\u200b\ufeff\x00\x08\x7f\ud800") + [
    "&amp;", "<br>", "<script>", "</script>", "&#x27;", "  "]
TEXT = st.lists(st.sampled_from(PIECES), max_size=12).map("".join)
JSON = st.recursive(st.none() | st.booleans() | st.integers() | TEXT,
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
                    max_leaves=10)


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_plain_text_of_text_already_plain_is_what_the_full_treatment_gives(value):
    assert plain_text(value) == (_to_plain_text(value) if value else "")


@settings(max_examples=400, deadline=None)
@given(JSON)
def test_storable_data_comes_back_as_the_full_walk_makes_it(value):
    assert storable(value) == _storable(value)


def test_storable_replaces_what_cannot_be_stored_and_keeps_the_rest():
    assert storable({"a\x00": ["ok", "b\ud800", 1, None]}) == {"a\ufffd": ["ok", "b\ufffd", 1, None]}
    clean = {"name": "Kővári Ödön", "lines": [{"sku": "A-1", "price": "10.0000"}]}
    assert storable(clean) is clean
