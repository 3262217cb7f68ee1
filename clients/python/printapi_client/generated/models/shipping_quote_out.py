from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.method_out import MethodOut


T = TypeVar("T", bound="ShippingQuoteOut")


@_attrs_define
class ShippingQuoteOut:
    """Purchase prices excl. VAT; ``payment`` is the consumer price incl. VAT on the payment screen.

    Attributes:
        shipping (float):
        handling (float):
        tax_rate (float):
        payment (float):
        method (MethodOut):
    """

    shipping: float
    handling: float
    tax_rate: float
    payment: float
    method: MethodOut
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        shipping = self.shipping

        handling = self.handling

        tax_rate = self.tax_rate

        payment = self.payment

        method = self.method.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "shipping": shipping,
                "handling": handling,
                "taxRate": tax_rate,
                "payment": payment,
                "method": method,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.method_out import MethodOut

        d = dict(src_dict)
        shipping = d.pop("shipping")

        handling = d.pop("handling")

        tax_rate = d.pop("taxRate")

        payment = d.pop("payment")

        method = MethodOut.from_dict(d.pop("method"))

        shipping_quote_out = cls(
            shipping=shipping,
            handling=handling,
            tax_rate=tax_rate,
            payment=payment,
            method=method,
        )

        shipping_quote_out.additional_properties = d
        return shipping_quote_out

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
