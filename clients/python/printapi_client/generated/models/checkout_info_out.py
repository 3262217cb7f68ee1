from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.refund_out import RefundOut


T = TypeVar("T", bound="CheckoutInfoOut")


@_attrs_define
class CheckoutInfoOut:
    """The payment screen's checkout of an order: what the customer pays (incl. VAT) and where it
    is set up; once it is, the payment's status and page too, and (extension) its refund.

        Attributes:
            amount (float):
            setup_url (str):
            status (None | str | Unset):
            payment_url (None | str | Unset):
            refund (None | RefundOut | Unset):
    """

    amount: float
    setup_url: str
    status: None | str | Unset = UNSET
    payment_url: None | str | Unset = UNSET
    refund: None | RefundOut | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.refund_out import RefundOut

        amount = self.amount

        setup_url = self.setup_url

        status: None | str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        else:
            status = self.status

        payment_url: None | str | Unset
        if isinstance(self.payment_url, Unset):
            payment_url = UNSET
        else:
            payment_url = self.payment_url

        refund: dict[str, Any] | None | Unset
        if isinstance(self.refund, Unset):
            refund = UNSET
        elif isinstance(self.refund, RefundOut):
            refund = self.refund.to_dict()
        else:
            refund = self.refund

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amount": amount,
                "setupUrl": setup_url,
            }
        )
        if status is not UNSET:
            field_dict["status"] = status
        if payment_url is not UNSET:
            field_dict["paymentUrl"] = payment_url
        if refund is not UNSET:
            field_dict["refund"] = refund

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.refund_out import RefundOut

        d = dict(src_dict)
        amount = d.pop("amount")

        setup_url = d.pop("setupUrl")

        def _parse_status(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        status = _parse_status(d.pop("status", UNSET))

        def _parse_payment_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        payment_url = _parse_payment_url(d.pop("paymentUrl", UNSET))

        def _parse_refund(data: object) -> None | RefundOut | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                refund_type_0 = RefundOut.from_dict(data)

                return refund_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RefundOut | Unset, data)

        refund = _parse_refund(d.pop("refund", UNSET))

        checkout_info_out = cls(
            amount=amount,
            setup_url=setup_url,
            status=status,
            payment_url=payment_url,
            refund=refund,
        )

        checkout_info_out.additional_properties = d
        return checkout_info_out

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
