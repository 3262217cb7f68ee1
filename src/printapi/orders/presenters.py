"""Orders on the wire, member for member in the real service's order (spec §3.3–3.6)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from printapi.kit.urls import Urls
from printapi.models import ItemFile, Order, OrderItem, OrderStatusChange, Payment
from printapi.orders.pricing import Invoice, Section
from printapi.orders.service import invoice_of
from printapi.orders.states import FileStatus

# The real service writes a zero discount as 0.0 (a .NET decimal with scale 1).
_ZERO_DISCOUNT = Decimal("0.0")

Json = dict[str, Any]


# Where an upload is (still) possible: a slot without URL, or a download that failed for good.
_UPLOADABLE = {FileStatus.AWAITING_UPLOAD, FileStatus.UPLOAD_IN_PROGRESS, FileStatus.DOWNLOAD_FAILED}


def _file(file: ItemFile, urls: Urls) -> Json:
    uploadable = file.upload_code and (file.download_url is None or file.status in _UPLOADABLE)
    return {
        "status": file.status,
        "downloadUrl": file.download_url,
        "uploadUrl": urls.upload(file.upload_code) if uploadable and file.upload_code else None,
        # Extension: what preflight found (errors of a refused file, warnings of an accepted one).
        "findings": list(file.findings) if file.findings else None,
    }


def _item(item: OrderItem, urls: Urls) -> Json:
    return {
        "id": item.id,
        "productId": item.product_id,
        "pageCount": item.page_count,
        "quantity": item.quantity,
        "files": {file.kind: _file(file, urls) for file in item.files},
        "options": [dict(option) for option in item.options],
        "title": item.title,
        "metadata": item.meta,
    }


def address(order: Order) -> Json:
    return {
        "name": order.ship_name,
        "company": order.ship_company,
        "line1": order.ship_line1,
        "line2": order.ship_line2,
        "postCode": order.ship_post_code,
        "city": order.ship_city,
        "state": order.ship_state,
        "country": order.ship_country,
    }


def _section(section: Section) -> Json:
    return {
        "cost": section.cost,
        "taxes": [
            {"rate": tax.rate, "amount": tax.amount, "calculatedOver": tax.calculated_over}
            for tax in section.taxes
        ],
    }


def _invoice(invoice: Invoice) -> Json:
    discount = _section(invoice.discount)
    if invoice.discount.cost == 0:
        discount["cost"] = _ZERO_DISCOUNT
    return {
        "production": _section(invoice.production),
        "shipping": _section(invoice.shipping),
        "handling": _section(invoice.handling),
        "discount": discount,
        "total": _section(invoice.total),
    }


def order(order: Order, urls: Urls) -> Json:
    shipping: Json = {"method": {"name": order.shipping_method, "isTrackable": order.shipping_trackable}}
    body: Json = {
        "id": order.id,
        "dateTime": order.created_at,
        "status": order.status,
        "trackingUrl": order.tracking_url,
        "email": order.email,
        "username": order.username,
        "productionSpeed": order.production_speed,
        "checkout": _checkout(order, urls),
        "items": [_item(item, urls) for item in order.items],
        "metadata": order.meta,
    }
    if urls.version == "v1":
        body["shippingAddress"] = address(order)
    else:
        shipping["address"] = address(order)
        body["shipping"] = shipping
    body["invoice"] = _invoice(invoice_of(order))
    body["invoicingState"] = order.invoicing_state
    return body


def _checkout(order: Order, urls: Urls) -> Json | None:
    """Only with the payment screen: ``{amount, setupUrl}``, and once set up the payment too."""
    if order.checkout_code is None:
        return None
    payment = order.payment
    return {
        "status": payment.status if payment else None,
        "amount": order.checkout_amount,
        "paymentUrl": urls.payment(payment.code) if payment else None,
        "setupUrl": urls.checkout(order.checkout_code),
        # Extension: a paid order cancelled afterwards is paid back (payments.md).
        "refund": refund(payment) if payment else None,
    }


def refund(payment: Payment) -> Json | None:
    """A paid payment of a cancelled order, paid back: how much, how far, since when (the
    checkout's ``refund`` here and in ``payments/presenters.py``)."""
    if payment.refund_status is None:
        return None
    return {"amount": payment.refund_amount, "status": payment.refund_status, "dateTime": payment.refund_at}


def summary(order: Order, urls: Urls) -> Json:
    return {
        "id": order.id,
        "dateTime": order.created_at,
        "email": order.email,
        "username": order.username,
        "status": order.status,
        "url": urls.order(order.id),
    }


def status(order: Order) -> Json:
    return {"id": order.id, "order": order.status, "payment": order.payment.status if order.payment else None}


def status_event(change: OrderStatusChange) -> Json:
    return {"id": change.order_id, "status": change.status, "dateTime": change.changed_at}
