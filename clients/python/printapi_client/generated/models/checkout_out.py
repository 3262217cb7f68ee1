from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.billing_out import BillingOut
    from ..models.refund_out import RefundOut


T = TypeVar("T", bound="CheckoutOut")


@_attrs_define
class CheckoutOut:
    """``amount`` is what the end customer pays, incl. VAT. ``method`` (extension): how the
    customer paid, as the provider names it (ideal, creditcard, card, …); ``refund`` (extension):
    once a paid order was cancelled.

        Attributes:
            amount (float):
            status (str):
            payment_url (str):
            return_url (str):
            billing (BillingOut):
            method (None | str | Unset):
            refund (None | RefundOut | Unset):
    """

    amount: float
    status: str
    payment_url: str
    return_url: str
    billing: BillingOut
    method: None | str | Unset = UNSET
    refund: None | RefundOut | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.refund_out import RefundOut

        amount = self.amount

        status = self.status

        payment_url = self.payment_url

        return_url = self.return_url

        billing = self.billing.to_dict()

        method: None | str | Unset
        if isinstance(self.method, Unset):
            method = UNSET
        else:
            method = self.method

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
                "status": status,
                "paymentUrl": payment_url,
                "returnUrl": return_url,
                "billing": billing,
            }
        )
        if method is not UNSET:
            field_dict["method"] = method
        if refund is not UNSET:
            field_dict["refund"] = refund

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.billing_out import BillingOut
        from ..models.refund_out import RefundOut

        d = dict(src_dict)
        amount = d.pop("amount")

        status = d.pop("status")

        payment_url = d.pop("paymentUrl")

        return_url = d.pop("returnUrl")

        billing = BillingOut.from_dict(d.pop("billing"))

        def _parse_method(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        method = _parse_method(d.pop("method", UNSET))

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

        checkout_out = cls(
            amount=amount,
            status=status,
            payment_url=payment_url,
            return_url=return_url,
            billing=billing,
            method=method,
            refund=refund,
        )

        checkout_out.additional_properties = d
        return checkout_out

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
