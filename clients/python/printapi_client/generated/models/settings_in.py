from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.consumer_shipping_in import ConsumerShippingIn


T = TypeVar("T", bound="SettingsIn")


@_attrs_define
class SettingsIn:
    """
    Attributes:
        payment_screen (bool | None | Unset):
        notification_email (None | str | Unset):
        consumer_shipping (ConsumerShippingIn | None | Unset):
    """

    payment_screen: bool | None | Unset = UNSET
    notification_email: None | str | Unset = UNSET
    consumer_shipping: ConsumerShippingIn | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.consumer_shipping_in import ConsumerShippingIn

        payment_screen: bool | None | Unset
        if isinstance(self.payment_screen, Unset):
            payment_screen = UNSET
        else:
            payment_screen = self.payment_screen

        notification_email: None | str | Unset
        if isinstance(self.notification_email, Unset):
            notification_email = UNSET
        else:
            notification_email = self.notification_email

        consumer_shipping: dict[str, Any] | None | Unset
        if isinstance(self.consumer_shipping, Unset):
            consumer_shipping = UNSET
        elif isinstance(self.consumer_shipping, ConsumerShippingIn):
            consumer_shipping = self.consumer_shipping.to_dict()
        else:
            consumer_shipping = self.consumer_shipping

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if payment_screen is not UNSET:
            field_dict["paymentScreen"] = payment_screen
        if notification_email is not UNSET:
            field_dict["notificationEmail"] = notification_email
        if consumer_shipping is not UNSET:
            field_dict["consumerShipping"] = consumer_shipping

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.consumer_shipping_in import ConsumerShippingIn

        d = dict(src_dict)

        def _parse_payment_screen(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        payment_screen = _parse_payment_screen(d.pop("paymentScreen", UNSET))

        def _parse_notification_email(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        notification_email = _parse_notification_email(
            d.pop("notificationEmail", UNSET)
        )

        def _parse_consumer_shipping(data: object) -> ConsumerShippingIn | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                consumer_shipping_type_0 = ConsumerShippingIn.from_dict(data)

                return consumer_shipping_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ConsumerShippingIn | None | Unset, data)

        consumer_shipping = _parse_consumer_shipping(d.pop("consumerShipping", UNSET))

        settings_in = cls(
            payment_screen=payment_screen,
            notification_email=notification_email,
            consumer_shipping=consumer_shipping,
        )

        settings_in.additional_properties = d
        return settings_in

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
