"""AES-128 in ECB mode with PKCS#7 padding: how NAV encrypts the exchange token.

The token is a few dozen bytes, once per manageInvoice call, so a small pure-Python block cipher
(FIPS-197) is enough and adds no native dependency.
"""

from __future__ import annotations

import functools


def _xtime(a: int) -> int:
    a <<= 1
    return (a ^ 0x11B) & 0xFF if a & 0x100 else a


def _mul(a: int, b: int) -> int:
    result = 0
    while b:
        if b & 1:
            result ^= a
        a, b = _xtime(a), b >> 1
    return result


@functools.cache
def _sboxes() -> tuple[tuple[int, ...], tuple[int, ...]]:
    inverse = [0] * 256
    for x in range(1, 256):
        inverse[x] = next(y for y in range(1, 256) if _mul(x, y) == 1)
    sbox = []
    for x in range(256):
        b = inverse[x]
        s = b
        for shift in range(1, 5):
            s ^= ((b << shift) | (b >> (8 - shift))) & 0xFF
        sbox.append(s ^ 0x63)
    inv = [0] * 256
    for i, s in enumerate(sbox):
        inv[s] = i
    return tuple(sbox), tuple(inv)


def _round_keys(key: bytes) -> list[list[int]]:
    if len(key) != 16:
        raise ValueError("AES-128 needs a 16-byte key")
    sbox, _ = _sboxes()
    words = [list(key[i:i + 4]) for i in range(0, 16, 4)]
    rcon = 1
    for i in range(4, 44):
        word = list(words[i - 1])
        if i % 4 == 0:
            word = [sbox[b] for b in word[1:] + word[:1]]
            word[0] ^= rcon
            rcon = _xtime(rcon)
        words.append([a ^ b for a, b in zip(words[i - 4], word, strict=True)])
    return [sum(words[r * 4:r * 4 + 4], []) for r in range(11)]


def _add(state: list[int], key: list[int]) -> list[int]:
    return [a ^ b for a, b in zip(state, key, strict=True)]


def _shift(state: list[int], direction: int) -> list[int]:
    # state is column-major: byte (row r, column c) at index 4c + r
    return [state[4 * ((c + direction * r) % 4) + r] for c in range(4) for r in range(4)]


def _mix(state: list[int], m: tuple[int, int, int, int]) -> list[int]:
    out = []
    for c in range(4):
        col = state[4 * c:4 * c + 4]
        for r in range(4):
            out.append(_mul(col[0], m[(0 - r) % 4]) ^ _mul(col[1], m[(1 - r) % 4])
                       ^ _mul(col[2], m[(2 - r) % 4]) ^ _mul(col[3], m[(3 - r) % 4]))
    return out


def encrypt_block(key: bytes, block: bytes) -> bytes:
    sbox, _ = _sboxes()
    keys = _round_keys(key)
    state = _add(list(block), keys[0])
    for rnd in range(1, 11):
        state = _shift([sbox[b] for b in state], 1)
        if rnd < 10:
            state = _mix(state, (2, 3, 1, 1))
        state = _add(state, keys[rnd])
    return bytes(state)


def decrypt_block(key: bytes, block: bytes) -> bytes:
    _, inv = _sboxes()
    keys = _round_keys(key)
    state = _add(list(block), keys[10])
    for rnd in range(9, -1, -1):
        state = [inv[b] for b in _shift(state, -1)]
        state = _add(state, keys[rnd])
        if rnd > 0:
            state = _mix(state, (14, 11, 13, 9))
    return bytes(state)


def ecb_encrypt(key: bytes, data: bytes) -> bytes:
    """``data`` PKCS#7-padded and encrypted block by block."""
    pad = 16 - len(data) % 16
    data += bytes([pad]) * pad
    return b"".join(encrypt_block(key, data[i:i + 16]) for i in range(0, len(data), 16))


def ecb_decrypt(key: bytes, data: bytes) -> bytes:
    """Decrypt and remove the PKCS#7 padding; ValueError when the key or data is wrong."""
    if not data or len(data) % 16:
        raise ValueError("ciphertext is not a whole number of AES blocks")
    plain = b"".join(decrypt_block(key, data[i:i + 16]) for i in range(0, len(data), 16))
    pad = plain[-1]
    if not 1 <= pad <= 16 or plain[-pad:] != bytes([pad]) * pad:
        raise ValueError("bad padding: wrong exchange key?")
    return plain[:-pad]
