"""Keyed hashes for machine secrets and tokens, argon2id for people's passwords.

Client secrets and access tokens are long random strings, so an HMAC with the server's secret
key is enough and costs microseconds; argon2 (about 100 ms) would make the token endpoint a CPU
sink. Passwords are chosen by people and get argon2id.
"""

from __future__ import annotations

import hashlib
import hmac

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_passwords = PasswordHasher()


def keyed_hash(secret_key: str, value: str) -> str:
    return hmac.new(secret_key.encode(), value.encode(), hashlib.sha256).hexdigest()


def same_hash(left: str, right: str) -> bool:
    return hmac.compare_digest(left, right)


def hash_password(password: str) -> str:
    return _passwords.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _passwords.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
