from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="TaxOut")


@_attrs_define
class TaxOut:
    """
    Attributes:
        rate (float):
        amount (float):
        calculated_over (float):
    """

    rate: float
    amount: float
    calculated_over: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        rate = self.rate

        amount = self.amount

        calculated_over = self.calculated_over

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "rate": rate,
                "amount": amount,
                "calculatedOver": calculated_over,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        rate = d.pop("rate")

        amount = d.pop("amount")

        calculated_over = d.pop("calculatedOver")

        tax_out = cls(
            rate=rate,
            amount=amount,
            calculated_over=calculated_over,
        )

        tax_out.additional_properties = d
        return tax_out

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
