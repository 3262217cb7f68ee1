from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.invoicing_state import InvoicingState, check_invoicing_state
from ..models.order_status import OrderStatus, check_order_status
from ..models.production_speed import ProductionSpeed, check_production_speed
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.checkout_info_out import CheckoutInfoOut
    from ..models.invoice_out import InvoiceOut
    from ..models.item_out import ItemOut
    from ..models.shipment_out import ShipmentOut
    from ..models.shipping_out import ShippingOut


T = TypeVar("T", bound="OrderOut")


@_attrs_define
class OrderOut:
    """An order: costs are purchase prices excl. VAT; dates are local time without offset.

    Attributes:
        id (str):
        date_time (str):
        status (OrderStatus):
        production_speed (ProductionSpeed):
        items (list[ItemOut]):
        shipping (ShippingOut):
        invoice (InvoiceOut):
        invoicing_state (InvoicingState):
        allowed_actions (list[str]):
        tracking_url (None | str | Unset):
        email (None | str | Unset):
        username (None | str | Unset):
        checkout (CheckoutInfoOut | None | Unset):
        metadata (None | str | Unset):
        shipments (list[ShipmentOut] | None | Unset):
    """

    id: str
    date_time: str
    status: OrderStatus
    production_speed: ProductionSpeed
    items: list[ItemOut]
    shipping: ShippingOut
    invoice: InvoiceOut
    invoicing_state: InvoicingState
    allowed_actions: list[str]
    tracking_url: None | str | Unset = UNSET
    email: None | str | Unset = UNSET
    username: None | str | Unset = UNSET
    checkout: CheckoutInfoOut | None | Unset = UNSET
    metadata: None | str | Unset = UNSET
    shipments: list[ShipmentOut] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.checkout_info_out import CheckoutInfoOut

        id = self.id

        date_time = self.date_time

        status: str = self.status

        production_speed: str = self.production_speed

        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)

        shipping = self.shipping.to_dict()

        invoice = self.invoice.to_dict()

        invoicing_state: str = self.invoicing_state

        allowed_actions = self.allowed_actions

        tracking_url: None | str | Unset
        if isinstance(self.tracking_url, Unset):
            tracking_url = UNSET
        else:
            tracking_url = self.tracking_url

        email: None | str | Unset
        if isinstance(self.email, Unset):
            email = UNSET
        else:
            email = self.email

        username: None | str | Unset
        if isinstance(self.username, Unset):
            username = UNSET
        else:
            username = self.username

        checkout: dict[str, Any] | None | Unset
        if isinstance(self.checkout, Unset):
            checkout = UNSET
        elif isinstance(self.checkout, CheckoutInfoOut):
            checkout = self.checkout.to_dict()
        else:
            checkout = self.checkout

        metadata: None | str | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        else:
            metadata = self.metadata

        shipments: list[dict[str, Any]] | None | Unset
        if isinstance(self.shipments, Unset):
            shipments = UNSET
        elif isinstance(self.shipments, list):
            shipments = []
            for shipments_type_0_item_data in self.shipments:
                shipments_type_0_item = shipments_type_0_item_data.to_dict()
                shipments.append(shipments_type_0_item)

        else:
            shipments = self.shipments

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "dateTime": date_time,
                "status": status,
                "productionSpeed": production_speed,
                "items": items,
                "shipping": shipping,
                "invoice": invoice,
                "invoicingState": invoicing_state,
                "allowedActions": allowed_actions,
            }
        )
        if tracking_url is not UNSET:
            field_dict["trackingUrl"] = tracking_url
        if email is not UNSET:
            field_dict["email"] = email
        if username is not UNSET:
            field_dict["username"] = username
        if checkout is not UNSET:
            field_dict["checkout"] = checkout
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if shipments is not UNSET:
            field_dict["shipments"] = shipments

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.checkout_info_out import CheckoutInfoOut
        from ..models.invoice_out import InvoiceOut
        from ..models.item_out import ItemOut
        from ..models.shipment_out import ShipmentOut
        from ..models.shipping_out import ShippingOut

        d = dict(src_dict)
        id = d.pop("id")

        date_time = d.pop("dateTime")

        status = check_order_status(d.pop("status"))

        production_speed = check_production_speed(d.pop("productionSpeed"))

        items = []
        _items = d.pop("items")
        for items_item_data in _items:
            items_item = ItemOut.from_dict(items_item_data)

            items.append(items_item)

        shipping = ShippingOut.from_dict(d.pop("shipping"))

        invoice = InvoiceOut.from_dict(d.pop("invoice"))

        invoicing_state = check_invoicing_state(d.pop("invoicingState"))

        allowed_actions = cast(list[str], d.pop("allowedActions"))

        def _parse_tracking_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        tracking_url = _parse_tracking_url(d.pop("trackingUrl", UNSET))

        def _parse_email(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        email = _parse_email(d.pop("email", UNSET))

        def _parse_username(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        username = _parse_username(d.pop("username", UNSET))

        def _parse_checkout(data: object) -> CheckoutInfoOut | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                checkout_type_0 = CheckoutInfoOut.from_dict(data)

                return checkout_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CheckoutInfoOut | None | Unset, data)

        checkout = _parse_checkout(d.pop("checkout", UNSET))

        def _parse_metadata(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

        def _parse_shipments(data: object) -> list[ShipmentOut] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                shipments_type_0 = []
                _shipments_type_0 = data
                for shipments_type_0_item_data in _shipments_type_0:
                    shipments_type_0_item = ShipmentOut.from_dict(
                        shipments_type_0_item_data
                    )

                    shipments_type_0.append(shipments_type_0_item)

                return shipments_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[ShipmentOut] | None | Unset, data)

        shipments = _parse_shipments(d.pop("shipments", UNSET))

        order_out = cls(
            id=id,
            date_time=date_time,
            status=status,
            production_speed=production_speed,
            items=items,
            shipping=shipping,
            invoice=invoice,
            invoicing_state=invoicing_state,
            allowed_actions=allowed_actions,
            tracking_url=tracking_url,
            email=email,
            username=username,
            checkout=checkout,
            metadata=metadata,
            shipments=shipments,
        )

        order_out.additional_properties = d
        return order_out

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
