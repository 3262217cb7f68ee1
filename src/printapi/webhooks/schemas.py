"""Webhook API requests, and response shapes for the OpenAPI document."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StrictBool, StrictStr

from printapi.kit.schema import WireModel

# ruff: noqa: N815 - response members carry the wire's camelCase names


URL = Field(min_length=1, max_length=2048, pattern=r"^[Hh][Tt][Tt][Pp][Ss]?://[^/?#\s]+")


class EndpointIn(WireModel):
    url: Annotated[StrictStr, URL]
    description: Annotated[StrictStr, Field(max_length=200)] | None = None
    enabled: StrictBool = True


class EndpointPatch(WireModel):
    url: Annotated[StrictStr, URL] | None = None
    description: Annotated[StrictStr, Field(max_length=200)] | None = None
    enabled: StrictBool | None = None


class EndpointOut(BaseModel):
    id: str
    url: str
    description: str | None = None
    enabled: bool
    createdAt: str
    updatedAt: str
    secret: str | None = None
    previousSecretExpiresAt: str | None = None


class EndpointListOut(BaseModel):
    results: list[EndpointOut]


class AttemptOut(BaseModel):
    number: int
    startedAt: str
    durationMs: int
    statusCode: int | None = None
    errorClass: str | None = None
    error: str | None = None
    response: str | None = None


class NotificationOut(BaseModel):
    id: str
    endpointId: str
    orderId: str | None = None
    kind: str
    status: str
    attempts: int
    createdAt: str
    changedAt: str
    nextAttemptAt: str | None = None
    finishedAt: str | None = None
    lastError: str | None = None
    attemptLog: list[AttemptOut]


class NotificationListOut(BaseModel):
    count: int
    offset: int
    limit: int
    results: list[NotificationOut]


class OrderNotificationsOut(BaseModel):
    results: list[NotificationOut]
