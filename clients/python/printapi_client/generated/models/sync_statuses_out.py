from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.status_event_out import StatusEventOut


T = TypeVar("T", bound="SyncStatusesOut")


@_attrs_define
class SyncStatusesOut:
    """
    Attributes:
        since (str):
        results (list[StatusEventOut]):
    """

    since: str
    results: list[StatusEventOut]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        since = self.since

        results = []
        for results_item_data in self.results:
            results_item = results_item_data.to_dict()
            results.append(results_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "since": since,
                "results": results,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.status_event_out import StatusEventOut

        d = dict(src_dict)
        since = d.pop("since")

        results = []
        _results = d.pop("results")
        for results_item_data in _results:
            results_item = StatusEventOut.from_dict(results_item_data)

            results.append(results_item)

        sync_statuses_out = cls(
            since=since,
            results=results,
        )

        sync_statuses_out.additional_properties = d
        return sync_statuses_out

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
