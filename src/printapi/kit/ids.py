"""Random identifiers in the shapes the real service uses (spec §2, §3.1)."""

from __future__ import annotations

import secrets
import string

_ALNUM = string.ascii_letters + string.digits
# Each byte's character (byte % 62), and the bytes dropped so that every character is as likely.
_CHARACTER_OF = bytes(ord(_ALNUM[byte % 62]) for byte in range(256))
_UNEVEN = bytes(range(248, 256))


def random_code(length: int = 20) -> str:
    """A mixed-case alphanumeric code, as in upload, checkout and payment URLs.

    Random bytes mapped onto the 62 characters, dropping bytes >= 248 so that every character is
    equally likely; ``bytes.translate`` maps and drops them all in one call.
    """
    code = b""
    while len(code) < length:
        code += secrets.token_bytes(length + 8).translate(_CHARACTER_OF, _UNEVEN)
    return code[:length].decode()


def random_order_id() -> str:
    """An 8-digit order number without a leading zero (``"83432183"``)."""
    return str(secrets.randbelow(90_000_000) + 10_000_000)


def item_id(index: int) -> str:
    """Item ids are 5-digit and zero-padded (``"07453"``); ours count up within the order."""
    return f"{index:05d}"


def client_id(environment: str) -> str:
    """``test_`` or ``live_`` and 40 alphanumerics, like the credentials the real portal shows."""
    return f"{environment}_{random_code(40)}"


def client_secret() -> str:
    return random_code(48)
