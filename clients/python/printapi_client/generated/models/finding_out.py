from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="FindingOut")


@_attrs_define
class FindingOut:
    """What preflight found in a print file (extension), worded for the person who made it.

    Attributes:
        severity (str):
        code (str):
        message (str):
        page (int | None | Unset):
        measured_mm (list[float] | None | Unset):
        expected_mm (list[float] | None | Unset):
        dpi (float | None | Unset):
    """

    severity: str
    code: str
    message: str
    page: int | None | Unset = UNSET
    measured_mm: list[float] | None | Unset = UNSET
    expected_mm: list[float] | None | Unset = UNSET
    dpi: float | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        severity = self.severity

        code = self.code

        message = self.message

        page: int | None | Unset
        if isinstance(self.page, Unset):
            page = UNSET
        else:
            page = self.page

        measured_mm: list[float] | None | Unset
        if isinstance(self.measured_mm, Unset):
            measured_mm = UNSET
        elif isinstance(self.measured_mm, list):
            measured_mm = self.measured_mm

        else:
            measured_mm = self.measured_mm

        expected_mm: list[float] | None | Unset
        if isinstance(self.expected_mm, Unset):
            expected_mm = UNSET
        elif isinstance(self.expected_mm, list):
            expected_mm = self.expected_mm

        else:
            expected_mm = self.expected_mm

        dpi: float | None | Unset
        if isinstance(self.dpi, Unset):
            dpi = UNSET
        else:
            dpi = self.dpi

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "severity": severity,
                "code": code,
                "message": message,
            }
        )
        if page is not UNSET:
            field_dict["page"] = page
        if measured_mm is not UNSET:
            field_dict["measuredMm"] = measured_mm
        if expected_mm is not UNSET:
            field_dict["expectedMm"] = expected_mm
        if dpi is not UNSET:
            field_dict["dpi"] = dpi

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        severity = d.pop("severity")

        code = d.pop("code")

        message = d.pop("message")

        def _parse_page(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        page = _parse_page(d.pop("page", UNSET))

        def _parse_measured_mm(data: object) -> list[float] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                measured_mm_type_0 = cast(list[float], data)

                return measured_mm_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[float] | None | Unset, data)

        measured_mm = _parse_measured_mm(d.pop("measuredMm", UNSET))

        def _parse_expected_mm(data: object) -> list[float] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                expected_mm_type_0 = cast(list[float], data)

                return expected_mm_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[float] | None | Unset, data)

        expected_mm = _parse_expected_mm(d.pop("expectedMm", UNSET))

        def _parse_dpi(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        dpi = _parse_dpi(d.pop("dpi", UNSET))

        finding_out = cls(
            severity=severity,
            code=code,
            message=message,
            page=page,
            measured_mm=measured_mm,
            expected_mm=expected_mm,
            dpi=dpi,
        )

        finding_out.additional_properties = d
        return finding_out

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
