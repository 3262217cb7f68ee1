from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.shipment_item_in import ShipmentItemIn


T = TypeVar("T", bound="ShipmentIn")


@_attrs_define
class ShipmentIn:
    """One parcel. Without ``items`` it carries everything that is left to ship.

    Attributes:
        carrier (None | str | Unset):
        tracking_code (None | str | Unset):
        tracking_url (None | str | Unset):
        items (list[ShipmentItemIn] | None | Unset):
    """

    carrier: None | str | Unset = UNSET
    tracking_code: None | str | Unset = UNSET
    tracking_url: None | str | Unset = UNSET
    items: list[ShipmentItemIn] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        carrier: None | str | Unset
        if isinstance(self.carrier, Unset):
            carrier = UNSET
        else:
            carrier = self.carrier

        tracking_code: None | str | Unset
        if isinstance(self.tracking_code, Unset):
            tracking_code = UNSET
        else:
            tracking_code = self.tracking_code

        tracking_url: None | str | Unset
        if isinstance(self.tracking_url, Unset):
            tracking_url = UNSET
        else:
            tracking_url = self.tracking_url

        items: list[dict[str, Any]] | None | Unset
        if isinstance(self.items, Unset):
            items = UNSET
        elif isinstance(self.items, list):
            items = []
            for items_type_0_item_data in self.items:
                items_type_0_item = items_type_0_item_data.to_dict()
                items.append(items_type_0_item)

        else:
            items = self.items

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if carrier is not UNSET:
            field_dict["carrier"] = carrier
        if tracking_code is not UNSET:
            field_dict["trackingCode"] = tracking_code
        if tracking_url is not UNSET:
            field_dict["trackingUrl"] = tracking_url
        if items is not UNSET:
            field_dict["items"] = items

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.shipment_item_in import ShipmentItemIn

        d = dict(src_dict)

        def _parse_carrier(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        carrier = _parse_carrier(d.pop("carrier", UNSET))

        def _parse_tracking_code(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        tracking_code = _parse_tracking_code(d.pop("trackingCode", UNSET))

        def _parse_tracking_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        tracking_url = _parse_tracking_url(d.pop("trackingUrl", UNSET))

        def _parse_items(data: object) -> list[ShipmentItemIn] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                items_type_0 = []
                _items_type_0 = data
                for items_type_0_item_data in _items_type_0:
                    items_type_0_item = ShipmentItemIn.from_dict(items_type_0_item_data)

                    items_type_0.append(items_type_0_item)

                return items_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[ShipmentItemIn] | None | Unset, data)

        items = _parse_items(d.pop("items", UNSET))

        shipment_in = cls(
            carrier=carrier,
            tracking_code=tracking_code,
            tracking_url=tracking_url,
            items=items,
        )

        shipment_in.additional_properties = d
        return shipment_in

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
