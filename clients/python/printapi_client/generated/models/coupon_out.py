from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="CouponOut")


@_attrs_define
class CouponOut:
    """A coupon as the print shop sees it: its terms, its limit and how often it was used.

    Attributes:
        code (str):
        type_ (str):
        scope (str):
        used (int):
        expiration_date_time (None | str | Unset):
        percentage (int | None | Unset):
        amount (float | None | Unset):
        usage_limit (int | None | Unset):
    """

    code: str
    type_: str
    scope: str
    used: int
    expiration_date_time: None | str | Unset = UNSET
    percentage: int | None | Unset = UNSET
    amount: float | None | Unset = UNSET
    usage_limit: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        type_ = self.type_

        scope = self.scope

        used = self.used

        expiration_date_time: None | str | Unset
        if isinstance(self.expiration_date_time, Unset):
            expiration_date_time = UNSET
        else:
            expiration_date_time = self.expiration_date_time

        percentage: int | None | Unset
        if isinstance(self.percentage, Unset):
            percentage = UNSET
        else:
            percentage = self.percentage

        amount: float | None | Unset
        if isinstance(self.amount, Unset):
            amount = UNSET
        else:
            amount = self.amount

        usage_limit: int | None | Unset
        if isinstance(self.usage_limit, Unset):
            usage_limit = UNSET
        else:
            usage_limit = self.usage_limit

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "type": type_,
                "scope": scope,
                "used": used,
            }
        )
        if expiration_date_time is not UNSET:
            field_dict["expirationDateTime"] = expiration_date_time
        if percentage is not UNSET:
            field_dict["percentage"] = percentage
        if amount is not UNSET:
            field_dict["amount"] = amount
        if usage_limit is not UNSET:
            field_dict["usageLimit"] = usage_limit

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        code = d.pop("code")

        type_ = d.pop("type")

        scope = d.pop("scope")

        used = d.pop("used")

        def _parse_expiration_date_time(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        expiration_date_time = _parse_expiration_date_time(
            d.pop("expirationDateTime", UNSET)
        )

        def _parse_percentage(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        percentage = _parse_percentage(d.pop("percentage", UNSET))

        def _parse_amount(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        amount = _parse_amount(d.pop("amount", UNSET))

        def _parse_usage_limit(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        usage_limit = _parse_usage_limit(d.pop("usageLimit", UNSET))

        coupon_out = cls(
            code=code,
            type_=type_,
            scope=scope,
            used=used,
            expiration_date_time=expiration_date_time,
            percentage=percentage,
            amount=amount,
            usage_limit=usage_limit,
        )

        coupon_out.additional_properties = d
        return coupon_out

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
