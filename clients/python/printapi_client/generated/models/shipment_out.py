from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.shipment_item_out import ShipmentItemOut


T = TypeVar("T", bound="ShipmentOut")


@_attrs_define
class ShipmentOut:
    """Extension: one parcel of the order, with what it carries and when it left.

    Attributes:
        number (int):
        items (list[ShipmentItemOut]):
        date_time (str):
        carrier (None | str | Unset):
        tracking_code (None | str | Unset):
        tracking_url (None | str | Unset):
    """

    number: int
    items: list[ShipmentItemOut]
    date_time: str
    carrier: None | str | Unset = UNSET
    tracking_code: None | str | Unset = UNSET
    tracking_url: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        number = self.number

        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)

        date_time = self.date_time

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

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "number": number,
                "items": items,
                "dateTime": date_time,
            }
        )
        if carrier is not UNSET:
            field_dict["carrier"] = carrier
        if tracking_code is not UNSET:
            field_dict["trackingCode"] = tracking_code
        if tracking_url is not UNSET:
            field_dict["trackingUrl"] = tracking_url

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.shipment_item_out import ShipmentItemOut

        d = dict(src_dict)
        number = d.pop("number")

        items = []
        _items = d.pop("items")
        for items_item_data in _items:
            items_item = ShipmentItemOut.from_dict(items_item_data)

            items.append(items_item)

        date_time = d.pop("dateTime")

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

        shipment_out = cls(
            number=number,
            items=items,
            date_time=date_time,
            carrier=carrier,
            tracking_code=tracking_code,
            tracking_url=tracking_url,
        )

        shipment_out.additional_properties = d
        return shipment_out

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
