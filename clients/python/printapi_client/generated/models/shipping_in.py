from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.shipping_preference import ShippingPreference, check_shipping_preference
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.address_in import AddressIn


T = TypeVar("T", bound="ShippingIn")


@_attrs_define
class ShippingIn:
    """
    Attributes:
        address (AddressIn):
        preference (ShippingPreference | Unset):
    """

    address: AddressIn
    preference: ShippingPreference | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        address = self.address.to_dict()

        preference: str | Unset = UNSET
        if not isinstance(self.preference, Unset):
            preference = self.preference

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "address": address,
            }
        )
        if preference is not UNSET:
            field_dict["preference"] = preference

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.address_in import AddressIn

        d = dict(src_dict)
        address = AddressIn.from_dict(d.pop("address"))

        _preference = d.pop("preference", UNSET)
        preference: ShippingPreference | Unset
        if isinstance(_preference, Unset):
            preference = UNSET
        else:
            preference = check_shipping_preference(_preference)

        shipping_in = cls(
            address=address,
            preference=preference,
        )

        shipping_in.additional_properties = d
        return shipping_in

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
