"""What a product is: the document stored per product and the rules that follow from it.

Everything here is pure (no database, no clock): pricing and validation in ``orders`` and
``shipping`` ask a ``ProductSpec`` about page counts, prices, files and production times.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class FileType(StrEnum):
    PDF = "PDF"
    PNG = "PNG"
    JPEG = "JPEG"


class ProductionSpeed(StrEnum):
    STANDARD = "Standard"
    EXPRESS = "Express"


class ShippingClass(StrEnum):
    """How an item travels; the shipping quote picks the cheapest method that carries all items."""

    FLAT = "flat"  # photo prints, cards: fits a letter
    LETTERBOX = "letterbox"  # books up to A4, calendars, small gifts: a letterbox parcel
    PARCEL = "parcel"  # posters (rolled), canvas, panels, mugs: a parcel
    OVERSIZE = "oversize"  # longest side over 100 cm or very heavy: a large parcel


Money = Annotated[Decimal, Field(ge=0, decimal_places=2)]


class _Doc(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Price(_Doc):
    base: Money
    per_extra_page: Money = Decimal("0.00")


class Choice(_Doc):
    value: str
    name: str
    cost: Price


class ProductOption(_Doc):
    id: str
    default: str
    label: str
    choices: list[Choice]

    @model_validator(mode="after")
    def _default_is_a_choice(self) -> ProductOption:
        values = [choice.value for choice in self.choices]
        if self.default not in values:
            raise ValueError(f"option {self.id}: default {self.default!r} is not one of {values}")
        if len(set(values)) != len(values):
            raise ValueError(f"option {self.id}: duplicate choice values")
        return self

    def choice(self, value: str) -> Choice | None:
        return next((choice for choice in self.choices if choice.value == value), None)


class FileSpec(_Doc):
    """A print file slot. Width and height are in millimetres and include the bleed on all sides."""

    id: Literal["content", "cover"]
    width: Annotated[Decimal, Field(gt=0, decimal_places=2)]
    height: Annotated[Decimal, Field(gt=0, decimal_places=2)]
    bleed: Annotated[Decimal, Field(ge=0, decimal_places=2)]
    accepts: list[FileType]
    # Pages the cover PDF must have (a wrap-around cover is one spread); content pages follow the item.
    pages: int | None = None


class ProductionTime(_Doc):
    speed: ProductionSpeed
    days: int = Field(ge=0)
    limit_hour: int = Field(ge=0, le=23)


class ProductSpec(_Doc):
    id: str = Field(min_length=1, max_length=200)
    name: str
    category: str
    tax_rate: Annotated[Decimal, Field(ge=0, lt=1, decimal_places=2)]
    cost: Price
    min_quantity: int = Field(ge=1)
    max_quantity: int = Field(ge=1)
    has_variable_page_count: bool
    fixed_page_count: int | None = None
    min_page_count: int | None = None
    max_page_count: int | None = None
    page_count_increment: int | None = None
    # Millimetres of cover width per page increment above the minimum (books only).
    paper_thickness: Annotated[Decimal, Field(gt=0, decimal_places=2)] | None = None
    options: list[ProductOption] = []
    files: list[FileSpec]
    production_times: list[ProductionTime]
    # Internal: shipping and surcharge inputs, not on the wire.
    shipping_class: ShippingClass
    weight_grams: int = Field(ge=1)
    weight_per_page_grams: Annotated[Decimal, Field(ge=0, decimal_places=2)] = Decimal("0.00")
    express_surcharge: Annotated[Decimal, Field(ge=0, decimal_places=2)] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> ProductSpec:  # noqa: PLR0912 - one check per rule, each with its message
        if self.min_quantity > self.max_quantity:
            raise ValueError(f"{self.id}: minQuantity above maxQuantity")
        if self.has_variable_page_count:
            if None in (self.min_page_count, self.max_page_count, self.page_count_increment):
                raise ValueError(f"{self.id}: variable products need min/max page count and increment")
            assert self.min_page_count is not None
            assert self.max_page_count is not None
            assert self.page_count_increment is not None
            if self.fixed_page_count is not None:
                raise ValueError(f"{self.id}: a variable product has no fixedPageCount")
            if not 1 <= self.min_page_count <= self.max_page_count or self.page_count_increment < 1:
                raise ValueError(f"{self.id}: bad page range")
            if self.min_page_count % self.page_count_increment:
                raise ValueError(f"{self.id}: minPageCount is not a multiple of the increment")
        else:
            if self.fixed_page_count is None or self.fixed_page_count < 1:
                raise ValueError(f"{self.id}: a fixed product needs fixedPageCount >= 1")
            if self.page_count_increment is not None or self.paper_thickness is not None:
                raise ValueError(f"{self.id}: a fixed product has no increment or paper thickness")
        ids = [f.id for f in self.files]
        if "content" not in ids or len(set(ids)) != len(ids):
            raise ValueError(f"{self.id}: needs exactly one content file and at most one cover")
        if self.paper_thickness is not None and "cover" not in ids:
            raise ValueError(f"{self.id}: paper thickness only makes sense with a cover")
        speeds = [t.speed for t in self.production_times]
        if ProductionSpeed.STANDARD not in speeds or len(set(speeds)) != len(speeds):
            raise ValueError(f"{self.id}: needs one Standard production time, speeds unique")
        option_ids = [o.id for o in self.options]
        if len(set(option_ids)) != len(option_ids):
            raise ValueError(f"{self.id}: duplicate option ids")
        return self

    # -- questions the order and shipping rules ask ---------------------------------------

    def option(self, option_id: str) -> ProductOption | None:
        return next((option for option in self.options if option.id == option_id), None)

    def file(self, file_id: str) -> FileSpec | None:
        return next((spec for spec in self.files if spec.id == file_id), None)

    def production_time(self, speed: ProductionSpeed) -> ProductionTime | None:
        return next((time for time in self.production_times if time.speed is speed), None)

    @property
    def standard_days(self) -> int:
        time = self.production_time(ProductionSpeed.STANDARD)
        assert time is not None  # guaranteed by the validator
        return time.days

    @property
    def first_page_count(self) -> int:
        """The page count that ``base`` includes: the minimum, or the fixed count."""
        if self.has_variable_page_count:
            assert self.min_page_count is not None
            return self.min_page_count
        assert self.fixed_page_count is not None
        return self.fixed_page_count

    def extra_pages(self, page_count: int) -> int:
        return max(0, page_count - self.first_page_count) if self.has_variable_page_count else 0

    def cover_width(self, page_count: int) -> Decimal | None:
        """Cover width (mm, incl. bleed) for ``page_count``: the spine grows with the pages (spec §3.7)."""
        cover = self.file("cover")
        if cover is None:
            return None
        if self.paper_thickness is None or not self.has_variable_page_count:
            return cover.width
        assert self.page_count_increment is not None
        steps = Decimal(self.extra_pages(page_count)) / Decimal(self.page_count_increment)
        return cover.width + steps * self.paper_thickness

    def page_count_for(self, page_count: int | None) -> int:
        """The item's page count, or ``ValueError`` saying what this product allows.

        Variable products need a count within their range and on their increment; fixed products
        take null, 0 or their fixed count (spec §3.2) and always have their fixed count.
        """
        if not self.has_variable_page_count:
            assert self.fixed_page_count is not None
            if page_count in (None, 0, self.fixed_page_count):
                return self.fixed_page_count
            raise ValueError(f"must be {self.fixed_page_count}, 0 or left out for {self.id}")
        assert self.min_page_count is not None
        assert self.max_page_count is not None
        assert self.page_count_increment is not None
        if page_count is None:
            raise ValueError(f"is required for {self.id} (a variable page count)")
        if not self.min_page_count <= page_count <= self.max_page_count:
            raise ValueError(f"must be between {self.min_page_count} and {self.max_page_count} for {self.id}")
        if page_count % self.page_count_increment:
            raise ValueError(f"must be a multiple of {self.page_count_increment} for {self.id}")
        return page_count

    def check_quantity(self, quantity: int) -> None:
        if not self.min_quantity <= quantity <= self.max_quantity:
            raise ValueError(f"must be between {self.min_quantity} and {self.max_quantity} for {self.id}")

    def weight(self, page_count: int) -> Decimal:
        """Grams of one copy with ``page_count`` pages."""
        return Decimal(self.weight_grams) + self.weight_per_page_grams * self.extra_pages(page_count)
