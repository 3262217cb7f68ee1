from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.consumer_shipping_in_rule import (
    ConsumerShippingInRule,
    check_consumer_shipping_in_rule,
)
from ..types import UNSET, Unset

T = TypeVar("T", bound="ConsumerShippingIn")


@_attrs_define
class ConsumerShippingIn:
    """
    Attributes:
        rule (ConsumerShippingInRule):
        flat (float | None | str | Unset):
    """

    rule: ConsumerShippingInRule
    flat: float | None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        rule: str = self.rule

        flat: float | None | str | Unset
        if isinstance(self.flat, Unset):
            flat = UNSET
        else:
            flat = self.flat

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "rule": rule,
            }
        )
        if flat is not UNSET:
            field_dict["flat"] = flat

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        rule = check_consumer_shipping_in_rule(d.pop("rule"))

        def _parse_flat(data: object) -> float | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | str | Unset, data)

        flat = _parse_flat(d.pop("flat", UNSET))

        consumer_shipping_in = cls(
            rule=rule,
            flat=flat,
        )

        consumer_shipping_in.additional_properties = d
        return consumer_shipping_in

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
