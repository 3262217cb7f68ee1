"""All tables, on one ``MetaData`` (Alembic compares the migrations against it)."""

from printapi.models.accounts import AccessToken, Account, ApiClient
from printapi.models.base import Base
from printapi.models.catalogue import Product
from printapi.models.dashboard import DashboardSession, SignInAttempt
from printapi.models.feed import FeedEvent
from printapi.models.idempotency import IdempotencyKey
from printapi.models.mail import MailMessage
from printapi.models.orders import ItemFile, Order, OrderItem, OrderStatusChange
from printapi.models.payments import CheckoutPrice, Coupon, Payment, PaymentTask
from printapi.models.shipments import Shipment, ShipmentItem
from printapi.models.webhooks import OwnerAlert, WebhookAttempt, WebhookEndpoint, WebhookNotification

__all__ = [
    "AccessToken",
    "Account",
    "ApiClient",
    "Base",
    "CheckoutPrice",
    "Coupon",
    "DashboardSession",
    "FeedEvent",
    "IdempotencyKey",
    "ItemFile",
    "MailMessage",
    "Order",
    "OrderItem",
    "OrderStatusChange",
    "OwnerAlert",
    "Payment",
    "PaymentTask",
    "Product",
    "Shipment",
    "ShipmentItem",
    "SignInAttempt",
    "WebhookAttempt",
    "WebhookEndpoint",
    "WebhookNotification",
]
