from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_out import ErrorOut
from ...models.receive_payment_callback_response_receivepaymentcallback import (
    ReceivePaymentCallbackResponseReceivepaymentcallback,
)
from ...types import Response


def _get_kwargs(
    code: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v2/payments/{code}/callback".format(
            code=quote(str(code), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorOut | ReceivePaymentCallbackResponseReceivepaymentcallback | None:
    if response.status_code == 200:
        response_200 = ReceivePaymentCallbackResponseReceivepaymentcallback.from_dict(
            response.json()
        )

        return response_200

    if response.status_code == 400:
        response_400 = ErrorOut.from_dict(response.json())

        return response_400

    if response.status_code == 404:
        response_404 = ErrorOut.from_dict(response.json())

        return response_404

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorOut | ReceivePaymentCallbackResponseReceivepaymentcallback]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    code: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[ErrorOut | ReceivePaymentCallbackResponseReceivepaymentcallback]:
    """A payment provider's notification about one payment (verified, idempotent)

     Mollie posts id=tr_… here (its webhookUrl); the test page's form is accepted too.

    Args:
        code (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | ReceivePaymentCallbackResponseReceivepaymentcallback]
    """

    kwargs = _get_kwargs(
        code=code,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    code: str,
    *,
    client: AuthenticatedClient | Client,
) -> ErrorOut | ReceivePaymentCallbackResponseReceivepaymentcallback | None:
    """A payment provider's notification about one payment (verified, idempotent)

     Mollie posts id=tr_… here (its webhookUrl); the test page's form is accepted too.

    Args:
        code (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | ReceivePaymentCallbackResponseReceivepaymentcallback
    """

    return sync_detailed(
        code=code,
        client=client,
    ).parsed


async def asyncio_detailed(
    code: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[ErrorOut | ReceivePaymentCallbackResponseReceivepaymentcallback]:
    """A payment provider's notification about one payment (verified, idempotent)

     Mollie posts id=tr_… here (its webhookUrl); the test page's form is accepted too.

    Args:
        code (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorOut | ReceivePaymentCallbackResponseReceivepaymentcallback]
    """

    kwargs = _get_kwargs(
        code=code,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    code: str,
    *,
    client: AuthenticatedClient | Client,
) -> ErrorOut | ReceivePaymentCallbackResponseReceivepaymentcallback | None:
    """A payment provider's notification about one payment (verified, idempotent)

     Mollie posts id=tr_… here (its webhookUrl); the test page's form is accepted too.

    Args:
        code (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorOut | ReceivePaymentCallbackResponseReceivepaymentcallback
    """

    return (
        await asyncio_detailed(
            code=code,
            client=client,
        )
    ).parsed
