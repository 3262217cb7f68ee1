from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.consumer_shipping_out import ConsumerShippingOut


T = TypeVar("T", bound="SettingsOut")


@_attrs_define
class SettingsOut:
    """
    Attributes:
        email (str):
        payment_screen (bool):
        consumer_shipping (ConsumerShippingOut):
        notification_email (None | str | Unset):
    """

    email: str
    payment_screen: bool
    consumer_shipping: ConsumerShippingOut
    notification_email: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        payment_screen = self.payment_screen

        consumer_shipping = self.consumer_shipping.to_dict()

        notification_email: None | str | Unset
        if isinstance(self.notification_email, Unset):
            notification_email = UNSET
        else:
            notification_email = self.notification_email

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "email": email,
                "paymentScreen": payment_screen,
                "consumerShipping": consumer_shipping,
            }
        )
        if notification_email is not UNSET:
            field_dict["notificationEmail"] = notification_email

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.consumer_shipping_out import ConsumerShippingOut

        d = dict(src_dict)
        email = d.pop("email")

        payment_screen = d.pop("paymentScreen")

        consumer_shipping = ConsumerShippingOut.from_dict(d.pop("consumerShipping"))

        def _parse_notification_email(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        notification_email = _parse_notification_email(
            d.pop("notificationEmail", UNSET)
        )

        settings_out = cls(
            email=email,
            payment_screen=payment_screen,
            consumer_shipping=consumer_shipping,
            notification_email=notification_email,
        )

        settings_out.additional_properties = d
        return settings_out

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
