from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="CouponQuoteIn")


@_attrs_define
class CouponQuoteIn:
    """
    Attributes:
        code (str):
        products_amount (float | None | str | Unset):
        shipping_amount (float | None | str | Unset):
    """

    code: str
    products_amount: float | None | str | Unset = UNSET
    shipping_amount: float | None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        products_amount: float | None | str | Unset
        if isinstance(self.products_amount, Unset):
            products_amount = UNSET
        else:
            products_amount = self.products_amount

        shipping_amount: float | None | str | Unset
        if isinstance(self.shipping_amount, Unset):
            shipping_amount = UNSET
        else:
            shipping_amount = self.shipping_amount

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
            }
        )
        if products_amount is not UNSET:
            field_dict["productsAmount"] = products_amount
        if shipping_amount is not UNSET:
            field_dict["shippingAmount"] = shipping_amount

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        code = d.pop("code")

        def _parse_products_amount(data: object) -> float | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | str | Unset, data)

        products_amount = _parse_products_amount(d.pop("productsAmount", UNSET))

        def _parse_shipping_amount(data: object) -> float | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | str | Unset, data)

        shipping_amount = _parse_shipping_amount(d.pop("shippingAmount", UNSET))

        coupon_quote_in = cls(
            code=code,
            products_amount=products_amount,
            shipping_amount=shipping_amount,
        )

        coupon_quote_in.additional_properties = d
        return coupon_quote_in

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
