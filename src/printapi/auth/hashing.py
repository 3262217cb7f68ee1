"""Keyed hashes for machine secrets and tokens, argon2id for people's passwords.

Client secrets and access tokens are long random strings, so an HMAC with the server's secret
key is enough and costs microseconds; argon2 (about 100 ms) would make the token endpoint a CPU
sink. Passwords are chosen by people and get argon2id.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError


def keyed_hash(secret_key: str, value: str) -> str:
    return hmac.new(secret_key.encode(), value.encode(), hashlib.sha256).hexdigest()


def same_hash(left: str, right: str) -> bool:
    return hmac.compare_digest(left, right)


class Passwords:
    """argon2id hashes of people's passwords. A part of the runtime: production hashes at
    argon2-cffi's default cost (RFC 9106's low-memory profile, about 100 ms here); the tests hand
    in ``cheapest()`` through the runtime, since a hash at production cost was 30 % of their time.
    A hash carries its own parameters, so either verifies the other's."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()

    @classmethod
    def cheapest(cls) -> Passwords:
        """argon2-cffi's ``CHEAPEST`` profile: "only for testing"."""
        return cls(PasswordHasher.from_parameters(profiles.CHEAPEST))

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    @functools.cached_property
    def stand_in(self) -> str:
        """A hash no password matches, verified in place of an unknown account's (same cost)."""
        return self.hash(secrets.token_urlsafe(16))
