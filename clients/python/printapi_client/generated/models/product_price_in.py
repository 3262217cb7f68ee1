from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.option_price_in import OptionPriceIn
    from ..models.price_in import PriceIn


T = TypeVar("T", bound="ProductPriceIn")


@_attrs_define
class ProductPriceIn:
    """
    Attributes:
        checkout (PriceIn):
        options (list[OptionPriceIn] | Unset):
    """

    checkout: PriceIn
    options: list[OptionPriceIn] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        checkout = self.checkout.to_dict()

        options: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.options, Unset):
            options = []
            for options_item_data in self.options:
                options_item = options_item_data.to_dict()
                options.append(options_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "checkout": checkout,
            }
        )
        if options is not UNSET:
            field_dict["options"] = options

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.option_price_in import OptionPriceIn
        from ..models.price_in import PriceIn

        d = dict(src_dict)
        checkout = PriceIn.from_dict(d.pop("checkout"))

        _options = d.pop("options", UNSET)
        options: list[OptionPriceIn] | Unset = UNSET
        if _options is not UNSET:
            options = []
            for options_item_data in _options:
                options_item = OptionPriceIn.from_dict(options_item_data)

                options.append(options_item)

        product_price_in = cls(
            checkout=checkout,
            options=options,
        )

        product_price_in.additional_properties = d
        return product_price_in

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
