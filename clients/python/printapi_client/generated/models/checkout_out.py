from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.billing_out import BillingOut


T = TypeVar("T", bound="CheckoutOut")


@_attrs_define
class CheckoutOut:
    """``amount`` is what the end customer pays, incl. VAT.

    Attributes:
        amount (float):
        status (str):
        payment_url (str):
        return_url (str):
        billing (BillingOut):
    """

    amount: float
    status: str
    payment_url: str
    return_url: str
    billing: BillingOut
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount

        status = self.status

        payment_url = self.payment_url

        return_url = self.return_url

        billing = self.billing.to_dict()

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

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.billing_out import BillingOut

        d = dict(src_dict)
        amount = d.pop("amount")

        status = d.pop("status")

        payment_url = d.pop("paymentUrl")

        return_url = d.pop("returnUrl")

        billing = BillingOut.from_dict(d.pop("billing"))

        checkout_out = cls(
            amount=amount,
            status=status,
            payment_url=payment_url,
            return_url=return_url,
            billing=billing,
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
