from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.file_type import FileType, check_file_type

T = TypeVar("T", bound="FileSpecOut")


@_attrs_define
class FileSpecOut:
    """
    Attributes:
        id (str):
        height (float):
        width (float):
        bleed (float):
        accepts (list[FileType]):
    """

    id: str
    height: float
    width: float
    bleed: float
    accepts: list[FileType]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        height = self.height

        width = self.width

        bleed = self.bleed

        accepts = []
        for accepts_item_data in self.accepts:
            accepts_item: str = accepts_item_data
            accepts.append(accepts_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "height": height,
                "width": width,
                "bleed": bleed,
                "accepts": accepts,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        height = d.pop("height")

        width = d.pop("width")

        bleed = d.pop("bleed")

        accepts = []
        _accepts = d.pop("accepts")
        for accepts_item_data in _accepts:
            accepts_item = check_file_type(accepts_item_data)

            accepts.append(accepts_item)

        file_spec_out = cls(
            id=id,
            height=height,
            width=width,
            bleed=bleed,
            accepts=accepts,
        )

        file_spec_out.additional_properties = d
        return file_spec_out

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
