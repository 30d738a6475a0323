"""Sealing and opening stored credentials (pure logic; the services' use is tested in integration)."""

from __future__ import annotations

import pytest

from polc.runtime.secrets import SecretBox, SecretUnavailable, new_key


def test_sealed_secrets_open_only_with_a_key_that_sealed_them():
    key, other = new_key(), new_key()
    stored = SecretBox(key).seal("hunter2-secret")
    assert set(stored) == {"sealed"} and "hunter2" not in stored["sealed"]
    assert SecretBox(key).open(stored).get_secret_value() == "hunter2-secret"
    assert SecretBox(f"{other},{key}").open(stored).get_secret_value() == "hunter2-secret"
    with pytest.raises(SecretUnavailable, match="does not hold") as wrong:
        SecretBox(other).open(stored)
    with pytest.raises(SecretUnavailable, match="not set") as missing:
        SecretBox(None).open(stored)
    for error in (wrong, missing):
        assert key not in str(error.value) and "hunter2" not in str(error.value)


def test_reseal_upgrades_plain_and_old_key_secrets_and_leaves_current_ones():
    old, new = new_key(), new_key()
    box = SecretBox(f"{new},{old}")
    assert box.reseal({"value": "s"}) is not None and set(box.reseal({"value": "s"})) == {"sealed"}
    by_old = SecretBox(old).seal("s")
    upgraded = box.reseal(by_old)
    assert SecretBox(new).open(upgraded).get_secret_value() == "s"
    assert box.reseal(upgraded) is None
    assert box.reseal({"env": "SHOP_SECRET"}) is None
    assert SecretBox(None).reseal({"value": "s"}) is None  # no key: stays as it is


def test_without_a_key_secrets_are_stored_plain_and_env_references_resolve(monkeypatch):
    box = SecretBox(None)
    assert not box.seals and box.seal("s") == {"value": "s"}
    monkeypatch.setenv("POLC_TEST_SHOP_SECRET", "from-env")
    assert box.open('{"env": "POLC_TEST_SHOP_SECRET"}').get_secret_value() == "from-env"
    with pytest.raises(SecretUnavailable, match="POLC_TEST_MISSING"):
        box.open({"env": "POLC_TEST_MISSING"})


def test_a_malformed_key_is_refused_without_echoing_it():
    with pytest.raises(ValueError, match="POLC_SECRETS_KEY") as refused:
        SecretBox("short-key-value")
    assert "short-key-value" not in str(refused.value)
    assert repr(SecretBox(new_key())) == "SecretBox(keys=1)"
