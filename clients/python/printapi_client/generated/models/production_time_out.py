from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.production_speed import ProductionSpeed, check_production_speed

T = TypeVar("T", bound="ProductionTimeOut")


@_attrs_define
class ProductionTimeOut:
    """
    Attributes:
        speed (ProductionSpeed):
        days (int):
        limit_hour (int):
    """

    speed: ProductionSpeed
    days: int
    limit_hour: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        speed: str = self.speed

        days = self.days

        limit_hour = self.limit_hour

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "speed": speed,
                "days": days,
                "limitHour": limit_hour,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        speed = check_production_speed(d.pop("speed"))

        days = d.pop("days")

        limit_hour = d.pop("limitHour")

        production_time_out = cls(
            speed=speed,
            days=days,
            limit_hour=limit_hour,
        )

        production_time_out.additional_properties = d
        return production_time_out

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
