from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.billing_address_in import BillingAddressIn
    from ..models.billing_in import BillingIn


T = TypeVar("T", bound="CheckoutIn")


@_attrs_define
class CheckoutIn:
    """
    Attributes:
        return_url (str):
        billing (BillingIn | None | Unset):
        billing_address (BillingAddressIn | None | Unset):
    """

    return_url: str
    billing: BillingIn | None | Unset = UNSET
    billing_address: BillingAddressIn | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.billing_address_in import BillingAddressIn
        from ..models.billing_in import BillingIn

        return_url = self.return_url

        billing: dict[str, Any] | None | Unset
        if isinstance(self.billing, Unset):
            billing = UNSET
        elif isinstance(self.billing, BillingIn):
            billing = self.billing.to_dict()
        else:
            billing = self.billing

        billing_address: dict[str, Any] | None | Unset
        if isinstance(self.billing_address, Unset):
            billing_address = UNSET
        elif isinstance(self.billing_address, BillingAddressIn):
            billing_address = self.billing_address.to_dict()
        else:
            billing_address = self.billing_address

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "returnUrl": return_url,
            }
        )
        if billing is not UNSET:
            field_dict["billing"] = billing
        if billing_address is not UNSET:
            field_dict["billingAddress"] = billing_address

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.billing_address_in import BillingAddressIn
        from ..models.billing_in import BillingIn

        d = dict(src_dict)
        return_url = d.pop("returnUrl")

        def _parse_billing(data: object) -> BillingIn | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                billing_type_0 = BillingIn.from_dict(data)

                return billing_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(BillingIn | None | Unset, data)

        billing = _parse_billing(d.pop("billing", UNSET))

        def _parse_billing_address(data: object) -> BillingAddressIn | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                billing_address_type_0 = BillingAddressIn.from_dict(data)

                return billing_address_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(BillingAddressIn | None | Unset, data)

        billing_address = _parse_billing_address(d.pop("billingAddress", UNSET))

        checkout_in = cls(
            return_url=return_url,
            billing=billing,
            billing_address=billing_address,
        )

        checkout_in.additional_properties = d
        return checkout_in

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
