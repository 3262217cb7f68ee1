from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.file_spec_out import FileSpecOut
    from ..models.price_out import PriceOut
    from ..models.product_option_out import ProductOptionOut
    from ..models.production_time_out import ProductionTimeOut


T = TypeVar("T", bound="ProductOut")


@_attrs_define
class ProductOut:
    """Costs are purchase prices excl. VAT; file sizes are millimetres including bleed. With the
    payment screen on, ``checkout`` holds the consumer prices incl. VAT.

        Attributes:
            id (str):
            name (str):
            category (str):
            tax_rate (float):
            cost (PriceOut):
            min_quantity (int):
            max_quantity (int):
            has_variable_page_count (bool):
            options (list[ProductOptionOut]):
            files (list[FileSpecOut]):
            production_time_in_days (int):
            production_times (list[ProductionTimeOut]):
            checkout (None | PriceOut | Unset):
            fixed_page_count (int | None | Unset):
            min_page_count (int | None | Unset):
            max_page_count (int | None | Unset):
            page_count_increment (int | None | Unset):
            paper_thickness (float | None | Unset):
    """

    id: str
    name: str
    category: str
    tax_rate: float
    cost: PriceOut
    min_quantity: int
    max_quantity: int
    has_variable_page_count: bool
    options: list[ProductOptionOut]
    files: list[FileSpecOut]
    production_time_in_days: int
    production_times: list[ProductionTimeOut]
    checkout: None | PriceOut | Unset = UNSET
    fixed_page_count: int | None | Unset = UNSET
    min_page_count: int | None | Unset = UNSET
    max_page_count: int | None | Unset = UNSET
    page_count_increment: int | None | Unset = UNSET
    paper_thickness: float | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.price_out import PriceOut

        id = self.id

        name = self.name

        category = self.category

        tax_rate = self.tax_rate

        cost = self.cost.to_dict()

        min_quantity = self.min_quantity

        max_quantity = self.max_quantity

        has_variable_page_count = self.has_variable_page_count

        options = []
        for options_item_data in self.options:
            options_item = options_item_data.to_dict()
            options.append(options_item)

        files = []
        for files_item_data in self.files:
            files_item = files_item_data.to_dict()
            files.append(files_item)

        production_time_in_days = self.production_time_in_days

        production_times = []
        for production_times_item_data in self.production_times:
            production_times_item = production_times_item_data.to_dict()
            production_times.append(production_times_item)

        checkout: dict[str, Any] | None | Unset
        if isinstance(self.checkout, Unset):
            checkout = UNSET
        elif isinstance(self.checkout, PriceOut):
            checkout = self.checkout.to_dict()
        else:
            checkout = self.checkout

        fixed_page_count: int | None | Unset
        if isinstance(self.fixed_page_count, Unset):
            fixed_page_count = UNSET
        else:
            fixed_page_count = self.fixed_page_count

        min_page_count: int | None | Unset
        if isinstance(self.min_page_count, Unset):
            min_page_count = UNSET
        else:
            min_page_count = self.min_page_count

        max_page_count: int | None | Unset
        if isinstance(self.max_page_count, Unset):
            max_page_count = UNSET
        else:
            max_page_count = self.max_page_count

        page_count_increment: int | None | Unset
        if isinstance(self.page_count_increment, Unset):
            page_count_increment = UNSET
        else:
            page_count_increment = self.page_count_increment

        paper_thickness: float | None | Unset
        if isinstance(self.paper_thickness, Unset):
            paper_thickness = UNSET
        else:
            paper_thickness = self.paper_thickness

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "category": category,
                "taxRate": tax_rate,
                "cost": cost,
                "minQuantity": min_quantity,
                "maxQuantity": max_quantity,
                "hasVariablePageCount": has_variable_page_count,
                "options": options,
                "files": files,
                "productionTimeInDays": production_time_in_days,
                "productionTimes": production_times,
            }
        )
        if checkout is not UNSET:
            field_dict["checkout"] = checkout
        if fixed_page_count is not UNSET:
            field_dict["fixedPageCount"] = fixed_page_count
        if min_page_count is not UNSET:
            field_dict["minPageCount"] = min_page_count
        if max_page_count is not UNSET:
            field_dict["maxPageCount"] = max_page_count
        if page_count_increment is not UNSET:
            field_dict["pageCountIncrement"] = page_count_increment
        if paper_thickness is not UNSET:
            field_dict["paperThickness"] = paper_thickness

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.file_spec_out import FileSpecOut
        from ..models.price_out import PriceOut
        from ..models.product_option_out import ProductOptionOut
        from ..models.production_time_out import ProductionTimeOut

        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        category = d.pop("category")

        tax_rate = d.pop("taxRate")

        cost = PriceOut.from_dict(d.pop("cost"))

        min_quantity = d.pop("minQuantity")

        max_quantity = d.pop("maxQuantity")

        has_variable_page_count = d.pop("hasVariablePageCount")

        options = []
        _options = d.pop("options")
        for options_item_data in _options:
            options_item = ProductOptionOut.from_dict(options_item_data)

            options.append(options_item)

        files = []
        _files = d.pop("files")
        for files_item_data in _files:
            files_item = FileSpecOut.from_dict(files_item_data)

            files.append(files_item)

        production_time_in_days = d.pop("productionTimeInDays")

        production_times = []
        _production_times = d.pop("productionTimes")
        for production_times_item_data in _production_times:
            production_times_item = ProductionTimeOut.from_dict(
                production_times_item_data
            )

            production_times.append(production_times_item)

        def _parse_checkout(data: object) -> None | PriceOut | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                checkout_type_0 = PriceOut.from_dict(data)

                return checkout_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PriceOut | Unset, data)

        checkout = _parse_checkout(d.pop("checkout", UNSET))

        def _parse_fixed_page_count(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        fixed_page_count = _parse_fixed_page_count(d.pop("fixedPageCount", UNSET))

        def _parse_min_page_count(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        min_page_count = _parse_min_page_count(d.pop("minPageCount", UNSET))

        def _parse_max_page_count(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_page_count = _parse_max_page_count(d.pop("maxPageCount", UNSET))

        def _parse_page_count_increment(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        page_count_increment = _parse_page_count_increment(
            d.pop("pageCountIncrement", UNSET)
        )

        def _parse_paper_thickness(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        paper_thickness = _parse_paper_thickness(d.pop("paperThickness", UNSET))

        product_out = cls(
            id=id,
            name=name,
            category=category,
            tax_rate=tax_rate,
            cost=cost,
            min_quantity=min_quantity,
            max_quantity=max_quantity,
            has_variable_page_count=has_variable_page_count,
            options=options,
            files=files,
            production_time_in_days=production_time_in_days,
            production_times=production_times,
            checkout=checkout,
            fixed_page_count=fixed_page_count,
            min_page_count=min_page_count,
            max_page_count=max_page_count,
            page_count_increment=page_count_increment,
            paper_thickness=paper_thickness,
        )

        product_out.additional_properties = d
        return product_out

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
