from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.price_out import PriceOut


T = TypeVar("T", bound="ChoiceOut")


@_attrs_define
class ChoiceOut:
    """
    Attributes:
        value (str):
        name (str):
        cost (PriceOut):
        checkout (None | PriceOut | Unset):
    """

    value: str
    name: str
    cost: PriceOut
    checkout: None | PriceOut | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.price_out import PriceOut

        value = self.value

        name = self.name

        cost = self.cost.to_dict()

        checkout: dict[str, Any] | None | Unset
        if isinstance(self.checkout, Unset):
            checkout = UNSET
        elif isinstance(self.checkout, PriceOut):
            checkout = self.checkout.to_dict()
        else:
            checkout = self.checkout

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "value": value,
                "name": name,
                "cost": cost,
            }
        )
        if checkout is not UNSET:
            field_dict["checkout"] = checkout

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.price_out import PriceOut

        d = dict(src_dict)
        value = d.pop("value")

        name = d.pop("name")

        cost = PriceOut.from_dict(d.pop("cost"))

        def _parse_checkout(data: object) -> None | PriceOut | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                checkout_type_0 = PriceOut.from_dict(data)

                return checkout_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PriceOut | Unset, data)

        checkout = _parse_checkout(d.pop("checkout", UNSET))

        choice_out = cls(
            value=value,
            name=name,
            cost=cost,
            checkout=checkout,
        )

        choice_out.additional_properties = d
        return choice_out

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
