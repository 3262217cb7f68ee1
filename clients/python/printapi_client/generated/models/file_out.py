from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.file_status import FileStatus, check_file_status
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.finding_out import FindingOut


T = TypeVar("T", bound="FileOut")


@_attrs_define
class FileOut:
    """
    Attributes:
        status (FileStatus): Print file statuses of the real service (the C# client's full enum).
        download_url (None | str | Unset):
        upload_url (None | str | Unset):
        findings (list[FindingOut] | None | Unset):
    """

    status: FileStatus
    download_url: None | str | Unset = UNSET
    upload_url: None | str | Unset = UNSET
    findings: list[FindingOut] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        status: str = self.status

        download_url: None | str | Unset
        if isinstance(self.download_url, Unset):
            download_url = UNSET
        else:
            download_url = self.download_url

        upload_url: None | str | Unset
        if isinstance(self.upload_url, Unset):
            upload_url = UNSET
        else:
            upload_url = self.upload_url

        findings: list[dict[str, Any]] | None | Unset
        if isinstance(self.findings, Unset):
            findings = UNSET
        elif isinstance(self.findings, list):
            findings = []
            for findings_type_0_item_data in self.findings:
                findings_type_0_item = findings_type_0_item_data.to_dict()
                findings.append(findings_type_0_item)

        else:
            findings = self.findings

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "status": status,
            }
        )
        if download_url is not UNSET:
            field_dict["downloadUrl"] = download_url
        if upload_url is not UNSET:
            field_dict["uploadUrl"] = upload_url
        if findings is not UNSET:
            field_dict["findings"] = findings

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.finding_out import FindingOut

        d = dict(src_dict)
        status = check_file_status(d.pop("status"))

        def _parse_download_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        download_url = _parse_download_url(d.pop("downloadUrl", UNSET))

        def _parse_upload_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        upload_url = _parse_upload_url(d.pop("uploadUrl", UNSET))

        def _parse_findings(data: object) -> list[FindingOut] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                findings_type_0 = []
                _findings_type_0 = data
                for findings_type_0_item_data in _findings_type_0:
                    findings_type_0_item = FindingOut.from_dict(
                        findings_type_0_item_data
                    )

                    findings_type_0.append(findings_type_0_item)

                return findings_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[FindingOut] | None | Unset, data)

        findings = _parse_findings(d.pop("findings", UNSET))

        file_out = cls(
            status=status,
            download_url=download_url,
            upload_url=upload_url,
            findings=findings,
        )

        file_out.additional_properties = d
        return file_out

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
