from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="EventOut")


@_attrs_define
class EventOut:
    """
    Attributes:
        id (str): The event's id: also the cursor that reads on after it.
        type_ (str): One of order.created, order.status_changed, payment.status_changed, shipment.created; more may
            come.
        order_id (str):
        status (str): The order's status after the change.
        date_time (str):
        previous_status (None | str | Unset): order.status_changed: the status before.
        payment_status (None | str | Unset): payment.status_changed: the payment's new status.
    """

    id: str
    type_: str
    order_id: str
    status: str
    date_time: str
    previous_status: None | str | Unset = UNSET
    payment_status: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        type_ = self.type_

        order_id = self.order_id

        status = self.status

        date_time = self.date_time

        previous_status: None | str | Unset
        if isinstance(self.previous_status, Unset):
            previous_status = UNSET
        else:
            previous_status = self.previous_status

        payment_status: None | str | Unset
        if isinstance(self.payment_status, Unset):
            payment_status = UNSET
        else:
            payment_status = self.payment_status

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "type": type_,
                "orderId": order_id,
                "status": status,
                "dateTime": date_time,
            }
        )
        if previous_status is not UNSET:
            field_dict["previousStatus"] = previous_status
        if payment_status is not UNSET:
            field_dict["paymentStatus"] = payment_status

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        type_ = d.pop("type")

        order_id = d.pop("orderId")

        status = d.pop("status")

        date_time = d.pop("dateTime")

        def _parse_previous_status(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        previous_status = _parse_previous_status(d.pop("previousStatus", UNSET))

        def _parse_payment_status(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        payment_status = _parse_payment_status(d.pop("paymentStatus", UNSET))

        event_out = cls(
            id=id,
            type_=type_,
            order_id=order_id,
            status=status,
            date_time=date_time,
            previous_status=previous_status,
            payment_status=payment_status,
        )

        event_out.additional_properties = d
        return event_out

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
