"""Back-office users: scrypt password hashes in a small JSON file, and the first admin.

The file holds only user names and salted hashes; it is written with owner-only permissions.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

from backoffice.settings import Settings

_N, _R, _P, _LEN = 2**14, 8, 1, 32


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """``scrypt$n$r$p$salt$hash`` (standard library scrypt, random 16-byte salt)."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=_LEN)
    return "$".join(["scrypt", str(_N), str(_R), str(_P), _b64(salt), _b64(digest)])


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches the stored hash (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class UserStore:
    """The users of one back office, in ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _load(self) -> dict[str, dict[str, str]]:
        if not self.path.exists():
            return {}
        return json.loads(self.path.read_text(encoding="utf-8")).get("users", {})

    def _save(self, users: dict[str, dict[str, str]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".tmp")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({"users": users}, out, indent=2)
        partial.replace(self.path)

    def names(self) -> list[str]:
        return sorted(self._load())

    def set_password(self, name: str, password: str) -> None:
        if len(password) < 8:
            raise ValueError("a password needs at least 8 characters")
        users = self._load()
        users[name] = {"hash": hash_password(password)}
        self._save(users)

    def check(self, name: str, password: str) -> bool:
        """True for a known user with the right password; an unknown user costs the same time."""
        user = self._load().get(name)
        if user is None:
            verify_password(password, hash_password("not-a-user", salt=b"0" * 16))
            return False
        return verify_password(password, user["hash"])


def ensure_admin(settings: Settings) -> str | None:
    """Create the admin user on first start; returns a generated password to show once, else None.

    With ``admin_password`` set, the admin's password is (re)set to it on every start.
    """
    store = UserStore(settings.users_file)
    if settings.admin_password is not None:
        store.set_password(settings.admin_user, settings.admin_password.get_secret_value())
        return None
    if store.names():
        return None
    password = secrets.token_urlsafe(12)
    store.set_password(settings.admin_user, password)
    return password


def session_key(settings: Settings) -> str:
    """The key that signs session cookies: from settings, else kept (owner-only) in the state folder."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value()
    path = settings.key_file
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(key)
    return key
