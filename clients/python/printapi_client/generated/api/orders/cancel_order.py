from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_out import ErrorOut
from ...models.order_out import OrderOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    order_id: str,
    *,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v2/orders/{order_id}/cancel".format(
            order_id=quote(str(order_id), safe=""),
        ),
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorOut | OrderOut | None:
    if response.status_code == 200:
        response_200 = OrderOut.from_dict(response.json())

        return response_200

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
) -> Response[ErrorOut | OrderOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    order_id: str,
    *,
    client: AuthenticatedClient,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorOut | OrderOut]:
    """Cancel an order before its production starts (extension)

     While the order is Created, or Processing until its production starts (PRINTAPI_PRODUCTION_DELAY
    after it became Processing). Fires the order's webhook, cancels an open payment (a paid one is
    refunded) and gives a coupon's use back. 403 with the reason once production started, or when the
    order is Shipped or Cancelled.

    Args:
        order_id (str):
        idempotency_key (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | OrderOut]
    """

    kwargs = _get_kwargs(
        order_id=order_id,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    order_id: str,
    *,
    client: AuthenticatedClient,
    idempotency_key: str | Unset = UNSET,
) -> ErrorOut | OrderOut | None:
    """Cancel an order before its production starts (extension)

     While the order is Created, or Processing until its production starts (PRINTAPI_PRODUCTION_DELAY
    after it became Processing). Fires the order's webhook, cancels an open payment (a paid one is
    refunded) and gives a coupon's use back. 403 with the reason once production started, or when the
    order is Shipped or Cancelled.

    Args:
        order_id (str):
        idempotency_key (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | OrderOut
    """

    return sync_detailed(
        order_id=order_id,
        client=client,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    order_id: str,
    *,
    client: AuthenticatedClient,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorOut | OrderOut]:
    """Cancel an order before its production starts (extension)

     While the order is Created, or Processing until its production starts (PRINTAPI_PRODUCTION_DELAY
    after it became Processing). Fires the order's webhook, cancels an open payment (a paid one is
    refunded) and gives a coupon's use back. 403 with the reason once production started, or when the
    order is Shipped or Cancelled.

    Args:
        order_id (str):
        idempotency_key (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | OrderOut]
    """

    kwargs = _get_kwargs(
        order_id=order_id,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    order_id: str,
    *,
    client: AuthenticatedClient,
    idempotency_key: str | Unset = UNSET,
) -> ErrorOut | OrderOut | None:
    """Cancel an order before its production starts (extension)

     While the order is Created, or Processing until its production starts (PRINTAPI_PRODUCTION_DELAY
    after it became Processing). Fires the order's webhook, cancels an open payment (a paid one is
    refunded) and gives a coupon's use back. 403 with the reason once production started, or when the
    order is Shipped or Cancelled.

    Args:
        order_id (str):
        idempotency_key (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | OrderOut
    """

    return (
        await asyncio_detailed(
            order_id=order_id,
            client=client,
            idempotency_key=idempotency_key,
        )
    ).parsed
