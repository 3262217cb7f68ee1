"""Idempotency keys: one row per (API client, ``Idempotency-Key``), holding the first answer.

A row is claimed ``running`` (with a lease) before the request runs, and becomes ``done`` with
the answer in the request's own write transaction (``idempotency/``, docs/api.md).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from printapi.kit.db import UTCDateTime
from printapi.models.base import Base


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"

    pk: Mapped[int] = mapped_column(primary_key=True)
    # The API client of the bearer token (api_clients.id); a client belongs to one account and one
    # environment, so the key is scoped to both. No foreign key, as on webhook_notifications: each
    # key check would lock the client's row (a MultiXact per row when a client's requests run at
    # once); rows go after PRINTAPI_IDEMPOTENCY_HOURS whatever happens to the client.
    client_pk: Mapped[int]
    key: Mapped[str] = mapped_column(String(255))
    # SHA-256 (hex) of the method, path, query and body: the same key with another request is a 422.
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(8))  # running | done (idempotency/states.py)
    # Which run holds a running key, and until when: a crashed run's key is taken over after it.
    claim: Mapped[str] = mapped_column(String(32))
    locked_until: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # The first answer (done): its status, the headers that matter, its bytes.
    response_status: Mapped[int | None]
    response_headers: Mapped[list[Any] | None] = mapped_column(JSON)
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)

    __table_args__ = (UniqueConstraint("client_pk", "key", name="uq_idempotency_keys_client_pk_key"),)
