from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PriceIn")


@_attrs_define
class PriceIn:
    """
    Attributes:
        base (float | str):
        per_extra_page (float | str | Unset):  Default: 0.0.
    """

    base: float | str
    per_extra_page: float | str | Unset = 0.0
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        base: float | str
        base = self.base

        per_extra_page: float | str | Unset
        if isinstance(self.per_extra_page, Unset):
            per_extra_page = UNSET
        else:
            per_extra_page = self.per_extra_page

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "base": base,
            }
        )
        if per_extra_page is not UNSET:
            field_dict["perExtraPage"] = per_extra_page

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_base(data: object) -> float | str:
            return cast(float | str, data)

        base = _parse_base(d.pop("base"))

        def _parse_per_extra_page(data: object) -> float | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(float | str | Unset, data)

        per_extra_page = _parse_per_extra_page(d.pop("perExtraPage", UNSET))

        price_in = cls(
            base=base,
            per_extra_page=per_extra_page,
        )

        price_in.additional_properties = d
        return price_in

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
