from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.shipping_preference import ShippingPreference, check_shipping_preference
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.quote_item_in import QuoteItemIn


T = TypeVar("T", bound="ShippingQuoteIn")


@_attrs_define
class ShippingQuoteIn:
    """
    Attributes:
        country (str):
        items (list[QuoteItemIn]):
        state (None | str | Unset):
        preference (ShippingPreference | Unset):
    """

    country: str
    items: list[QuoteItemIn]
    state: None | str | Unset = UNSET
    preference: ShippingPreference | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        country = self.country

        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)

        state: None | str | Unset
        if isinstance(self.state, Unset):
            state = UNSET
        else:
            state = self.state

        preference: str | Unset = UNSET
        if not isinstance(self.preference, Unset):
            preference = self.preference

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "country": country,
                "items": items,
            }
        )
        if state is not UNSET:
            field_dict["state"] = state
        if preference is not UNSET:
            field_dict["preference"] = preference

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.quote_item_in import QuoteItemIn

        d = dict(src_dict)
        country = d.pop("country")

        items = []
        _items = d.pop("items")
        for items_item_data in _items:
            items_item = QuoteItemIn.from_dict(items_item_data)

            items.append(items_item)

        def _parse_state(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        state = _parse_state(d.pop("state", UNSET))

        _preference = d.pop("preference", UNSET)
        preference: ShippingPreference | Unset
        if isinstance(_preference, Unset):
            preference = UNSET
        else:
            preference = check_shipping_preference(_preference)

        shipping_quote_in = cls(
            country=country,
            items=items,
            state=state,
            preference=preference,
        )

        shipping_quote_in.additional_properties = d
        return shipping_quote_in

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
