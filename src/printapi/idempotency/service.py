"""The rules of ``Idempotency-Key`` (Stripe's), and the decisions on a key.

A key is 1–255 printable ASCII characters, scoped to the API client of the bearer token (and so
to its account and environment). The first request with a key *claims* it; a later request with
the same key and the same fingerprint (method, path, query and body) gets the first answer again,
one with another fingerprint a 422, and one while the first still runs a 409. Answers below 500
are stored; a server error releases the key, so that a retry runs anew. A key lives
PRINTAPI_IDEMPOTENCY_HOURS from its claim, then the next request with it runs anew and the worker
prunes it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from printapi.idempotency import repository
from printapi.idempotency.states import KeyStatus
from printapi.kit.errors import ApiError, Conflict, FieldError, InvalidInput

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_LENGTH = 255
# The headers of an answer that are stored and replayed with its body (the rest describe the
# connection, or are made again: content-length, the request id).
KEPT_HEADERS = ("content-type", "location", "allow", "retry-after", "www-authenticate")


class KeyReused(ApiError):
    """The key was used with another request (method, path, query or body)."""

    status = 422
    code = "idempotency_key_reused"


class KeyInUse(Conflict):
    """The first request with the key has not finished (or its answer is being stored)."""

    code = "idempotency_key_in_use"


def checked_key(value: str) -> str:
    """The key of the header, or a 400 naming the header."""
    if not 1 <= len(value) <= MAX_LENGTH or not all(" " <= char <= "~" for char in value):
        raise InvalidInput.on(
            HEADER,
            f"must be 1 to {MAX_LENGTH} printable ASCII characters.",
            hint="Send a new random value (a UUID) for each operation, and the same one on its retries.",
        )
    return value


def fingerprint(*, method: str, path: str, query: bytes, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query, body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


@dataclass(frozen=True)
class Claim:
    """This run holds the key: ``claim`` is its token."""

    pk: int
    key: str
    claim: str


@dataclass(frozen=True)
class Answer:
    """An answer as stored: its status, the kept headers (lower-case names) and its bytes."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @classmethod
    def kept(cls, status: int, headers: list[tuple[str, str]], body: bytes) -> Answer:
        return cls(status, tuple((name, value) for name, value in headers if name in KEPT_HEADERS), body)


@dataclass(frozen=True)
class Policy:
    lease: timedelta
    retention: timedelta


def _reused(key: str) -> KeyReused:
    message = (
        f"The Idempotency-Key '{key}' was used with another request (method, path or body); "
        "a key stands for one request."
    )
    return KeyReused(
        message=message,
        hints=["Use a new key for a new request; send the same request again to get its first answer."],
        errors=[FieldError(HEADER, message)],
    )


def _in_use(key: str) -> KeyInUse:
    message = f"A request with the Idempotency-Key '{key}' is still running."
    return KeyInUse(
        message=message,
        hints=["Try again when it has finished: you then get its answer."],
        errors=[FieldError(HEADER, message)],
    )


async def claim(
    session: AsyncSession, *, client_pk: int, key: str, fingerprint: str, policy: Policy, now: datetime
) -> Claim | Answer:
    """This run's claim on the key, or the stored answer to replay; raises ``KeyReused`` (422) or
    ``KeyInUse`` (409). The caller commits the claim at once, before the request runs."""
    token = secrets.token_hex(16)
    times = {"locked_until": now + policy.lease, "now": now, "expires_at": now + policy.retention}
    if await repository.insert_claim(
        session, client_pk=client_pk, key=key, fingerprint=fingerprint, claim=token, **times
    ):
        found = await repository.get_for_update(session, client_pk=client_pk, key=key)
        assert found is not None  # inserted in this transaction
        return Claim(found.pk, key, token)
    found = await repository.get_for_update(session, client_pk=client_pk, key=key)
    if found is None:  # released between the insert and the read: the client may try again
        raise _in_use(key)
    expired = found.expires_at <= now
    lease_over = found.status == KeyStatus.RUNNING and found.locked_until <= now
    if not expired:
        if found.fingerprint != fingerprint:
            raise _reused(key)
        if found.status == KeyStatus.DONE:
            assert found.response_status is not None
            assert found.response_body is not None
            headers = tuple((name, value) for name, value in found.response_headers or ())
            return Answer(found.response_status, headers, found.response_body)
        if not lease_over:
            raise _in_use(key)
    if not await repository.take_over(
        session, pk=found.pk, previous_claim=found.claim, fingerprint=fingerprint, claim=token, **times
    ):
        raise _in_use(key)
    return Claim(found.pk, key, token)


async def record(session: AsyncSession, *, claim: Claim, answer: Answer) -> None:
    """The answer on the key, in ``session`` (the request's own transaction where it has one);
    raises ``KeyInUse`` when the run lost the key (its lease ran out and another run took it)."""
    headers = [[name, value] for name, value in answer.headers]
    if not await repository.record(
        session, pk=claim.pk, claim=claim.claim, status=answer.status, headers=headers, body=answer.body
    ):
        raise _in_use(claim.key)


async def release(session: AsyncSession, *, claim: Claim) -> None:
    await repository.release(session, pk=claim.pk, claim=claim.claim)


async def prune_expired(session: AsyncSession, *, now: datetime) -> int:
    return await repository.delete_expired(session, now=now)
