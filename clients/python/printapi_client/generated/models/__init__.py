"""Contains all the data models used in inputs/outputs"""

from .address_in import AddressIn
from .address_out import AddressOut
from .attempt_out import AttemptOut
from .billing_address_in import BillingAddressIn
from .billing_address_out import BillingAddressOut
from .billing_in import BillingIn
from .billing_out import BillingOut
from .check_health_response_checkhealth import CheckHealthResponseCheckhealth
from .checkout_estimate_out import CheckoutEstimateOut
from .checkout_in import CheckoutIn
from .checkout_info_out import CheckoutInfoOut
from .checkout_out import CheckoutOut
from .choice_out import ChoiceOut
from .consumer_shipping_in import ConsumerShippingIn
from .consumer_shipping_in_rule import ConsumerShippingInRule
from .consumer_shipping_out import ConsumerShippingOut
from .coupon_in import CouponIn
from .coupon_list_out import CouponListOut
from .coupon_out import CouponOut
from .coupon_quote_in import CouponQuoteIn
from .coupon_quote_out import CouponQuoteOut
from .coupon_scope import CouponScope
from .coupon_type import CouponType
from .endpoint_in import EndpointIn
from .endpoint_list_out import EndpointListOut
from .endpoint_out import EndpointOut
from .endpoint_patch import EndpointPatch
from .environment import Environment
from .error_field import ErrorField
from .error_out import ErrorOut
from .estimate_item_out import EstimateItemOut
from .event_list_out import EventListOut
from .event_out import EventOut
from .file_out import FileOut
from .file_spec_out import FileSpecOut
from .file_status import FileStatus
from .file_type import FileType
from .files_in import FilesIn
from .files_out import FilesOut
from .finding_out import FindingOut
from .get_account_item_file_kind import GetAccountItemFileKind
from .get_item_file_kind import GetItemFileKind
from .invoice_out import InvoiceOut
from .invoicing_state import InvoicingState
from .issue_token_body import IssueTokenBody
from .issue_token_body_grant_type import IssueTokenBodyGrantType
from .issue_token_response_200 import IssueTokenResponse200
from .item_in import ItemIn
from .item_option_out import ItemOptionOut
from .item_out import ItemOut
from .method_out import MethodOut
from .notification_list_out import NotificationListOut
from .notification_out import NotificationOut
from .option_in import OptionIn
from .option_price_in import OptionPriceIn
from .order_estimate_out import OrderEstimateOut
from .order_in import OrderIn
from .order_list_out import OrderListOut
from .order_notifications_out import OrderNotificationsOut
from .order_out import OrderOut
from .order_status import OrderStatus
from .order_status_out import OrderStatusOut
from .order_summary_out import OrderSummaryOut
from .price_in import PriceIn
from .price_out import PriceOut
from .product_entry_out import ProductEntryOut
from .product_list_out import ProductListOut
from .product_option_out import ProductOptionOut
from .product_out import ProductOut
from .product_price_in import ProductPriceIn
from .production_speed import ProductionSpeed
from .production_time_out import ProductionTimeOut
from .quote_item_in import QuoteItemIn
from .receive_payment_callback_response_receivepaymentcallback import (
    ReceivePaymentCallbackResponseReceivepaymentcallback,
)
from .receive_provider_events_response_receiveproviderevents import (
    ReceiveProviderEventsResponseReceiveproviderevents,
)
from .recorded_shipment_out import RecordedShipmentOut
from .recovery_out import RecoveryOut
from .refund_out import RefundOut
from .section_out import SectionOut
from .settings_in import SettingsIn
from .settings_out import SettingsOut
from .shipment_in import ShipmentIn
from .shipment_item_in import ShipmentItemIn
from .shipment_item_out import ShipmentItemOut
from .shipment_out import ShipmentOut
from .shipping_in import ShippingIn
from .shipping_out import ShippingOut
from .shipping_preference import ShippingPreference
from .shipping_quote_in import ShippingQuoteIn
from .shipping_quote_out import ShippingQuoteOut
from .status_change_in import StatusChangeIn
from .status_event_out import StatusEventOut
from .sync_statuses_out import SyncStatusesOut
from .tax_out import TaxOut
from .test_clock_in import TestClockIn
from .upload_item_file_files_body import UploadItemFileFilesBody
from .upload_out import UploadOut
from .upload_out_filename import UploadOutFilename
from .upload_out_filetype import UploadOutFiletype

__all__ = (
    "AddressIn",
    "AddressOut",
    "AttemptOut",
    "BillingAddressIn",
    "BillingAddressOut",
    "BillingIn",
    "BillingOut",
    "CheckHealthResponseCheckhealth",
    "CheckoutEstimateOut",
    "CheckoutIn",
    "CheckoutInfoOut",
    "CheckoutOut",
    "ChoiceOut",
    "ConsumerShippingIn",
    "ConsumerShippingInRule",
    "ConsumerShippingOut",
    "CouponIn",
    "CouponListOut",
    "CouponOut",
    "CouponQuoteIn",
    "CouponQuoteOut",
    "CouponScope",
    "CouponType",
    "EndpointIn",
    "EndpointListOut",
    "EndpointOut",
    "EndpointPatch",
    "Environment",
    "ErrorField",
    "ErrorOut",
    "EstimateItemOut",
    "EventListOut",
    "EventOut",
    "FileOut",
    "FileSpecOut",
    "FileStatus",
    "FileType",
    "FilesIn",
    "FilesOut",
    "FindingOut",
    "GetAccountItemFileKind",
    "GetItemFileKind",
    "InvoiceOut",
    "InvoicingState",
    "IssueTokenBody",
    "IssueTokenBodyGrantType",
    "IssueTokenResponse200",
    "ItemIn",
    "ItemOptionOut",
    "ItemOut",
    "MethodOut",
    "NotificationListOut",
    "NotificationOut",
    "OptionIn",
    "OptionPriceIn",
    "OrderEstimateOut",
    "OrderIn",
    "OrderListOut",
    "OrderNotificationsOut",
    "OrderOut",
    "OrderStatus",
    "OrderStatusOut",
    "OrderSummaryOut",
    "PriceIn",
    "PriceOut",
    "ProductEntryOut",
    "ProductListOut",
    "ProductOptionOut",
    "ProductOut",
    "ProductPriceIn",
    "ProductionSpeed",
    "ProductionTimeOut",
    "QuoteItemIn",
    "ReceivePaymentCallbackResponseReceivepaymentcallback",
    "ReceiveProviderEventsResponseReceiveproviderevents",
    "RecordedShipmentOut",
    "RecoveryOut",
    "RefundOut",
    "SectionOut",
    "SettingsIn",
    "SettingsOut",
    "ShipmentIn",
    "ShipmentItemIn",
    "ShipmentItemOut",
    "ShipmentOut",
    "ShippingIn",
    "ShippingOut",
    "ShippingPreference",
    "ShippingQuoteIn",
    "ShippingQuoteOut",
    "StatusChangeIn",
    "StatusEventOut",
    "SyncStatusesOut",
    "TaxOut",
    "TestClockIn",
    "UploadItemFileFilesBody",
    "UploadOut",
    "UploadOutFilename",
    "UploadOutFiletype",
)
