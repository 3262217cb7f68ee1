from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.order_status import OrderStatus, check_order_status

if TYPE_CHECKING:
    from ..models.shipment_item_out import ShipmentItemOut
    from ..models.shipment_out import ShipmentOut


T = TypeVar("T", bound="RecordedShipmentOut")


@_attrs_define
class RecordedShipmentOut:
    """What recording a shipment did: the order's status after it, the parcel, and what is left.

    Attributes:
        id (str):
        status (OrderStatus):
        shipment (ShipmentOut): Extension: one parcel of the order, with what it carries and when it left.
        left (list[ShipmentItemOut]):
    """

    id: str
    status: OrderStatus
    shipment: ShipmentOut
    left: list[ShipmentItemOut]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        status: str = self.status

        shipment = self.shipment.to_dict()

        left = []
        for left_item_data in self.left:
            left_item = left_item_data.to_dict()
            left.append(left_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "status": status,
                "shipment": shipment,
                "left": left,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.shipment_item_out import ShipmentItemOut
        from ..models.shipment_out import ShipmentOut

        d = dict(src_dict)
        id = d.pop("id")

        status = check_order_status(d.pop("status"))

        shipment = ShipmentOut.from_dict(d.pop("shipment"))

        left = []
        _left = d.pop("left")
        for left_item_data in _left:
            left_item = ShipmentItemOut.from_dict(left_item_data)

            left.append(left_item)

        recorded_shipment_out = cls(
            id=id,
            status=status,
            shipment=shipment,
            left=left,
        )

        recorded_shipment_out.additional_properties = d
        return recorded_shipment_out

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
