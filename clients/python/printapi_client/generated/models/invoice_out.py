from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.section_out import SectionOut


T = TypeVar("T", bound="InvoiceOut")


@_attrs_define
class InvoiceOut:
    """
    Attributes:
        production (SectionOut):
        shipping (SectionOut):
        handling (SectionOut):
        discount (SectionOut):
        total (SectionOut):
    """

    production: SectionOut
    shipping: SectionOut
    handling: SectionOut
    discount: SectionOut
    total: SectionOut
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        production = self.production.to_dict()

        shipping = self.shipping.to_dict()

        handling = self.handling.to_dict()

        discount = self.discount.to_dict()

        total = self.total.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "production": production,
                "shipping": shipping,
                "handling": handling,
                "discount": discount,
                "total": total,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.section_out import SectionOut

        d = dict(src_dict)
        production = SectionOut.from_dict(d.pop("production"))

        shipping = SectionOut.from_dict(d.pop("shipping"))

        handling = SectionOut.from_dict(d.pop("handling"))

        discount = SectionOut.from_dict(d.pop("discount"))

        total = SectionOut.from_dict(d.pop("total"))

        invoice_out = cls(
            production=production,
            shipping=shipping,
            handling=handling,
            discount=discount,
            total=total,
        )

        invoice_out.additional_properties = d
        return invoice_out

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
