from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.environment import Environment
from ...models.error_out import ErrorOut
from ...models.order_status_out import OrderStatusOut
from ...models.status_change_in import StatusChangeIn
from ...types import UNSET, Response, Unset


def _get_kwargs(
    account_id: int,
    order_id: str,
    *,
    body: StatusChangeIn,
    environment: Environment | None | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    params: dict[str, Any] = {}

    json_environment: None | str | Unset
    if isinstance(environment, Unset):
        json_environment = UNSET
    elif isinstance(environment, str):
        json_environment = environment
    else:
        json_environment = environment
    params["environment"] = json_environment

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v2/operator/accounts/{account_id}/orders/{order_id}/status".format(
            account_id=quote(str(account_id), safe=""),
            order_id=quote(str(order_id), safe=""),
        ),
        "params": params,
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorOut | OrderStatusOut | None:
    if response.status_code == 200:
        response_200 = OrderStatusOut.from_dict(response.json())

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

    if response.status_code == 413:
        response_413 = ErrorOut.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = ErrorOut.from_dict(response.json())

        return response_415

    if response.status_code == 422:
        response_422 = ErrorOut.from_dict(response.json())

        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorOut | OrderStatusOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    account_id: int,
    order_id: str,
    *,
    client: AuthenticatedClient,
    body: StatusChangeIn,
    environment: Environment | None | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorOut | OrderStatusOut]:
    """Move an order (operators)

     Processing, Shipped (with an optional trackingUrl) or Cancelled (with an optional reason).

    Args:
        account_id (int):
        order_id (str):
        environment (Environment | None | Unset): test or live, when the account uses the id in
            both
        idempotency_key (str | Unset):
        body (StatusChangeIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | OrderStatusOut]
    """

    kwargs = _get_kwargs(
        account_id=account_id,
        order_id=order_id,
        body=body,
        environment=environment,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    account_id: int,
    order_id: str,
    *,
    client: AuthenticatedClient,
    body: StatusChangeIn,
    environment: Environment | None | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> ErrorOut | OrderStatusOut | None:
    """Move an order (operators)

     Processing, Shipped (with an optional trackingUrl) or Cancelled (with an optional reason).

    Args:
        account_id (int):
        order_id (str):
        environment (Environment | None | Unset): test or live, when the account uses the id in
            both
        idempotency_key (str | Unset):
        body (StatusChangeIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | OrderStatusOut
    """

    return sync_detailed(
        account_id=account_id,
        order_id=order_id,
        client=client,
        body=body,
        environment=environment,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    account_id: int,
    order_id: str,
    *,
    client: AuthenticatedClient,
    body: StatusChangeIn,
    environment: Environment | None | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorOut | OrderStatusOut]:
    """Move an order (operators)

     Processing, Shipped (with an optional trackingUrl) or Cancelled (with an optional reason).

    Args:
        account_id (int):
        order_id (str):
        environment (Environment | None | Unset): test or live, when the account uses the id in
            both
        idempotency_key (str | Unset):
        body (StatusChangeIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | OrderStatusOut]
    """

    kwargs = _get_kwargs(
        account_id=account_id,
        order_id=order_id,
        body=body,
        environment=environment,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    account_id: int,
    order_id: str,
    *,
    client: AuthenticatedClient,
    body: StatusChangeIn,
    environment: Environment | None | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> ErrorOut | OrderStatusOut | None:
    """Move an order (operators)

     Processing, Shipped (with an optional trackingUrl) or Cancelled (with an optional reason).

    Args:
        account_id (int):
        order_id (str):
        environment (Environment | None | Unset): test or live, when the account uses the id in
            both
        idempotency_key (str | Unset):
        body (StatusChangeIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | OrderStatusOut
    """

    return (
        await asyncio_detailed(
            account_id=account_id,
            order_id=order_id,
            client=client,
            body=body,
            environment=environment,
            idempotency_key=idempotency_key,
        )
    ).parsed
