from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.item_option_out import ItemOptionOut


T = TypeVar("T", bound="EstimateItemOut")


@_attrs_define
class EstimateItemOut:
    """An item as the order would have it: its id only when the request gave one.

    Attributes:
        product_id (str):
        page_count (int):
        quantity (int):
        options (list[ItemOptionOut]):
        id (None | str | Unset):
        title (None | str | Unset):
        metadata (None | str | Unset):
    """

    product_id: str
    page_count: int
    quantity: int
    options: list[ItemOptionOut]
    id: None | str | Unset = UNSET
    title: None | str | Unset = UNSET
    metadata: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        product_id = self.product_id

        page_count = self.page_count

        quantity = self.quantity

        options = []
        for options_item_data in self.options:
            options_item = options_item_data.to_dict()
            options.append(options_item)

        id: None | str | Unset
        if isinstance(self.id, Unset):
            id = UNSET
        else:
            id = self.id

        title: None | str | Unset
        if isinstance(self.title, Unset):
            title = UNSET
        else:
            title = self.title

        metadata: None | str | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        else:
            metadata = self.metadata

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "productId": product_id,
                "pageCount": page_count,
                "quantity": quantity,
                "options": options,
            }
        )
        if id is not UNSET:
            field_dict["id"] = id
        if title is not UNSET:
            field_dict["title"] = title
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.item_option_out import ItemOptionOut

        d = dict(src_dict)
        product_id = d.pop("productId")

        page_count = d.pop("pageCount")

        quantity = d.pop("quantity")

        options = []
        _options = d.pop("options")
        for options_item_data in _options:
            options_item = ItemOptionOut.from_dict(options_item_data)

            options.append(options_item)

        def _parse_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        id = _parse_id(d.pop("id", UNSET))

        def _parse_title(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        title = _parse_title(d.pop("title", UNSET))

        def _parse_metadata(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

        estimate_item_out = cls(
            product_id=product_id,
            page_count=page_count,
            quantity=quantity,
            options=options,
            id=id,
            title=title,
            metadata=metadata,
        )

        estimate_item_out.additional_properties = d
        return estimate_item_out

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
