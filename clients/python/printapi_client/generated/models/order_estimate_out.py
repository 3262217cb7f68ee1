from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.invoicing_state import InvoicingState, check_invoicing_state
from ..models.production_speed import ProductionSpeed, check_production_speed
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.checkout_estimate_out import CheckoutEstimateOut
    from ..models.estimate_item_out import EstimateItemOut
    from ..models.invoice_out import InvoiceOut
    from ..models.shipping_out import ShippingOut


T = TypeVar("T", bound="OrderEstimateOut")


@_attrs_define
class OrderEstimateOut:
    """``POST /orders/estimate``: the order's members that placing would fix (no id unless sent,
    no dates, statuses or files), with the same invoice and checkout amount to the cent.

        Attributes:
            production_speed (ProductionSpeed):
            items (list[EstimateItemOut]):
            shipping (ShippingOut):
            invoice (InvoiceOut):
            invoicing_state (InvoicingState):
            id (None | str | Unset):
            checkout (CheckoutEstimateOut | None | Unset):
            metadata (None | str | Unset):
    """

    production_speed: ProductionSpeed
    items: list[EstimateItemOut]
    shipping: ShippingOut
    invoice: InvoiceOut
    invoicing_state: InvoicingState
    id: None | str | Unset = UNSET
    checkout: CheckoutEstimateOut | None | Unset = UNSET
    metadata: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.checkout_estimate_out import CheckoutEstimateOut

        production_speed: str = self.production_speed

        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)

        shipping = self.shipping.to_dict()

        invoice = self.invoice.to_dict()

        invoicing_state: str = self.invoicing_state

        id: None | str | Unset
        if isinstance(self.id, Unset):
            id = UNSET
        else:
            id = self.id

        checkout: dict[str, Any] | None | Unset
        if isinstance(self.checkout, Unset):
            checkout = UNSET
        elif isinstance(self.checkout, CheckoutEstimateOut):
            checkout = self.checkout.to_dict()
        else:
            checkout = self.checkout

        metadata: None | str | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        else:
            metadata = self.metadata

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "productionSpeed": production_speed,
                "items": items,
                "shipping": shipping,
                "invoice": invoice,
                "invoicingState": invoicing_state,
            }
        )
        if id is not UNSET:
            field_dict["id"] = id
        if checkout is not UNSET:
            field_dict["checkout"] = checkout
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.checkout_estimate_out import CheckoutEstimateOut
        from ..models.estimate_item_out import EstimateItemOut
        from ..models.invoice_out import InvoiceOut
        from ..models.shipping_out import ShippingOut

        d = dict(src_dict)
        production_speed = check_production_speed(d.pop("productionSpeed"))

        items = []
        _items = d.pop("items")
        for items_item_data in _items:
            items_item = EstimateItemOut.from_dict(items_item_data)

            items.append(items_item)

        shipping = ShippingOut.from_dict(d.pop("shipping"))

        invoice = InvoiceOut.from_dict(d.pop("invoice"))

        invoicing_state = check_invoicing_state(d.pop("invoicingState"))

        def _parse_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        id = _parse_id(d.pop("id", UNSET))

        def _parse_checkout(data: object) -> CheckoutEstimateOut | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                checkout_type_0 = CheckoutEstimateOut.from_dict(data)

                return checkout_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CheckoutEstimateOut | None | Unset, data)

        checkout = _parse_checkout(d.pop("checkout", UNSET))

        def _parse_metadata(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

        order_estimate_out = cls(
            production_speed=production_speed,
            items=items,
            shipping=shipping,
            invoice=invoice,
            invoicing_state=invoicing_state,
            id=id,
            checkout=checkout,
            metadata=metadata,
        )

        order_estimate_out.additional_properties = d
        return order_estimate_out

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
