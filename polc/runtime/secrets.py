"""Credentials at rest: sealed with the installation's key, or left in the environment.

A stored credential is one of
- ``{"sealed": TOKEN}``: the secret encrypted and authenticated (Fernet: AES-128-CBC with an
  HMAC-SHA256 tag) with the installation's key, ``POLC_SECRETS_KEY``;
- ``{"env": NAME}``: only the name of an environment variable of the service holds it, so the
  secret never reaches the database;
- ``{"value": SECRET}``: plain text, written only when no key is configured (a warning says
  so at start-up) and sealed as soon as a service with a key starts.

``POLC_SECRETS_KEY`` is one key or several separated by commas (``polc secrets-key`` makes
one): the first seals, every one of them opens, so a key is rotated by putting the new one
first, letting the services reseal (they do at start-up) and dropping the old one later.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from pydantic import SecretStr

log = logging.getLogger(__name__)

ENV_KEY = "POLC_SECRETS_KEY"


class SecretUnavailable(ValueError):
    """A stored credential cannot be turned back into the secret; the message says why."""


def new_key() -> str:
    """A fresh key for ``POLC_SECRETS_KEY``."""
    return Fernet.generate_key().decode()


class SecretBox:
    """Seals and opens stored credentials with the installation's key(s)."""

    def __init__(self, keys: str | SecretStr | None) -> None:
        raw = keys.get_secret_value() if isinstance(keys, SecretStr) else keys
        parts = [k.strip() for k in (raw or "").split(",") if k.strip()]
        try:
            self._fernets = [Fernet(k.encode()) for k in parts]
        except ValueError:
            # The exception text could echo the key; say only what is wrong.
            raise ValueError(f"{ENV_KEY} must be url-safe base64 keys of 32 bytes "
                             "(make one with `polc secrets-key`)") from None
        self._box = MultiFernet(self._fernets) if self._fernets else None

    def __repr__(self) -> str:
        return f"SecretBox(keys={len(self._fernets)})"

    @property
    def seals(self) -> bool:
        """True when secrets are stored encrypted."""
        return self._box is not None

    def seal(self, secret: str) -> dict[str, str]:
        """What to store for ``secret``."""
        if self._box is None:
            return {"value": secret}
        return {"sealed": self._box.encrypt(secret.encode()).decode()}

    def open(self, stored: str | dict[str, Any] | None) -> SecretStr | None:
        """The secret a stored credential stands for (None when nothing is stored)."""
        if not stored:
            return None
        data = json.loads(stored) if isinstance(stored, str) else stored
        if "env" in data:
            value = os.environ.get(data["env"])
            if value is None:
                raise SecretUnavailable(f"environment variable {data['env']} with the shop secret is not set")
            return SecretStr(value)
        if "sealed" in data:
            if self._box is None:
                raise SecretUnavailable(f"the shop secret is sealed, but {ENV_KEY} is not set")
            try:
                return SecretStr(self._box.decrypt(data["sealed"].encode()).decode())
            except InvalidToken:
                raise SecretUnavailable(f"the shop secret was sealed with a key {ENV_KEY} does not hold") from None
        if "value" in data:
            return SecretStr(data["value"])
        raise SecretUnavailable("the stored shop secret has an unknown form")

    def reseal(self, stored: str | dict[str, Any] | None) -> dict[str, str] | None:
        """The stored credential sealed with the current first key, or None when it is fine as it is."""
        if not stored or self._box is None:
            return None
        data = json.loads(stored) if isinstance(stored, str) else stored
        if "value" in data:
            return self.seal(data["value"])
        if "sealed" in data:
            token = data["sealed"].encode()
            try:
                self._fernets[0].decrypt(token)
                return None
            except InvalidToken:
                pass
            try:
                return {"sealed": self._box.rotate(token).decode()}
            except InvalidToken:
                return None  # no key opens it; reading it says so
        return None

    def warn_if_plain(self, service: str) -> None:
        """Say once at start-up that credentials will be stored in plain text."""
        if self._box is None:
            log.warning("shop secrets are stored unencrypted: set %s (make one with `polc secrets-key`) "
                        "or register shops with secret_env", ENV_KEY, extra={"service": service})
