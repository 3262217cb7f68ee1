from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.choice_out import ChoiceOut


T = TypeVar("T", bound="ProductOptionOut")


@_attrs_define
class ProductOptionOut:
    """
    Attributes:
        id (str):
        default (str):
        label (str):
        choices (list[ChoiceOut]):
    """

    id: str
    default: str
    label: str
    choices: list[ChoiceOut]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        default = self.default

        label = self.label

        choices = []
        for choices_item_data in self.choices:
            choices_item = choices_item_data.to_dict()
            choices.append(choices_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "default": default,
                "label": label,
                "choices": choices,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.choice_out import ChoiceOut

        d = dict(src_dict)
        id = d.pop("id")

        default = d.pop("default")

        label = d.pop("label")

        choices = []
        _choices = d.pop("choices")
        for choices_item_data in _choices:
            choices_item = ChoiceOut.from_dict(choices_item_data)

            choices.append(choices_item)

        product_option_out = cls(
            id=id,
            default=default,
            label=label,
            choices=choices,
        )

        product_option_out.additional_properties = d
        return product_option_out

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
