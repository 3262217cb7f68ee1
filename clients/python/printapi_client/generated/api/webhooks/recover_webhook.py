from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_out import ErrorOut
from ...models.recovery_out import RecoveryOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    endpoint_id: str,
    *,
    since: str,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    params: dict[str, Any] = {}

    params["since"] = since

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v2/webhooks/{endpoint_id}/recover".format(
            endpoint_id=quote(str(endpoint_id), safe=""),
        ),
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorOut | RecoveryOut | None:
    if response.status_code == 202:
        response_202 = RecoveryOut.from_dict(response.json())

        return response_202

    if response.status_code == 400:
        response_400 = ErrorOut.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorOut.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorOut.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ErrorOut.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = ErrorOut.from_dict(response.json())

        return response_409

    if response.status_code == 422:
        response_422 = ErrorOut.from_dict(response.json())

        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorOut | RecoveryOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    endpoint_id: str,
    *,
    client: AuthenticatedClient,
    since: str,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorOut | RecoveryOut]:
    """Queue again every notification that failed since a moment, one per order

     Every order with a notification to this endpoint that failed (gave up) at or after `since` gets one
    new notification, due now (or its pending one is made due now). Answers how many orders were queued.

    Args:
        endpoint_id (str):
        since (str): Local date/time, e.g. 2025-03-24T13:00:00, or with Z/offset.
        idempotency_key (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | RecoveryOut]
    """

    kwargs = _get_kwargs(
        endpoint_id=endpoint_id,
        since=since,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    endpoint_id: str,
    *,
    client: AuthenticatedClient,
    since: str,
    idempotency_key: str | Unset = UNSET,
) -> ErrorOut | RecoveryOut | None:
    """Queue again every notification that failed since a moment, one per order

     Every order with a notification to this endpoint that failed (gave up) at or after `since` gets one
    new notification, due now (or its pending one is made due now). Answers how many orders were queued.

    Args:
        endpoint_id (str):
        since (str): Local date/time, e.g. 2025-03-24T13:00:00, or with Z/offset.
        idempotency_key (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | RecoveryOut
    """

    return sync_detailed(
        endpoint_id=endpoint_id,
        client=client,
        since=since,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    endpoint_id: str,
    *,
    client: AuthenticatedClient,
    since: str,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorOut | RecoveryOut]:
    """Queue again every notification that failed since a moment, one per order

     Every order with a notification to this endpoint that failed (gave up) at or after `since` gets one
    new notification, due now (or its pending one is made due now). Answers how many orders were queued.

    Args:
        endpoint_id (str):
        since (str): Local date/time, e.g. 2025-03-24T13:00:00, or with Z/offset.
        idempotency_key (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | RecoveryOut]
    """

    kwargs = _get_kwargs(
        endpoint_id=endpoint_id,
        since=since,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    endpoint_id: str,
    *,
    client: AuthenticatedClient,
    since: str,
    idempotency_key: str | Unset = UNSET,
) -> ErrorOut | RecoveryOut | None:
    """Queue again every notification that failed since a moment, one per order

     Every order with a notification to this endpoint that failed (gave up) at or after `since` gets one
    new notification, due now (or its pending one is made due now). Answers how many orders were queued.

    Args:
        endpoint_id (str):
        since (str): Local date/time, e.g. 2025-03-24T13:00:00, or with Z/offset.
        idempotency_key (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | RecoveryOut
    """

    return (
        await asyncio_detailed(
            endpoint_id=endpoint_id,
            client=client,
            since=since,
            idempotency_key=idempotency_key,
        )
    ).parsed
