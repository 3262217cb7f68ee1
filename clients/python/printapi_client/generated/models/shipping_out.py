from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.address_out import AddressOut
    from ..models.method_out import MethodOut


T = TypeVar("T", bound="ShippingOut")


@_attrs_define
class ShippingOut:
    """
    Attributes:
        method (MethodOut):
        address (AddressOut):
    """

    method: MethodOut
    address: AddressOut
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        method = self.method.to_dict()

        address = self.address.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "method": method,
                "address": address,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.address_out import AddressOut
        from ..models.method_out import MethodOut

        d = dict(src_dict)
        method = MethodOut.from_dict(d.pop("method"))

        address = AddressOut.from_dict(d.pop("address"))

        shipping_out = cls(
            method=method,
            address=address,
        )

        shipping_out.additional_properties = d
        return shipping_out

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
