"""``verify_webhook``: calls signed by the Standard Webhooks reference library (``standardwebhooks``)
are taken, altered, old, future or unsigned ones refused; and a real call from ``printapi serve``
(a ping, and an order moved by the simulator) verified as it arrived and refused once tampered
with, or old.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
from standardwebhooks import Webhook

from printapi_client import PrintApi, VerifiedWebhook, WebhookVerificationError, ok, verify_webhook
from printapi_client.generated.api.orders import place_order, simulate_order_status
from printapi_client.generated.api.webhooks import create_webhook, ping_webhook
from printapi_client.generated.models import EndpointIn, OrderIn, StatusChangeIn
from tests.sdk.conftest import Receiver, Server, order_body, order_id

SECRET = "whsec_" + base64.b64encode(b"a secret of thirty-two bytes!!!!").decode()
OTHER = "whsec_" + base64.b64encode(b"the secret before its rotation!!").decode()
NOW = 1_732_745_120
BODY = b"orderId=83432183"


def signed(body: bytes = BODY, *, at: int = NOW, secrets: tuple[str, ...] = (SECRET,)) -> dict[str, str]:
    """The headers of a call, signed by the reference implementation with each of ``secrets``."""
    moment = datetime.fromtimestamp(at, tz=UTC)
    signatures = " ".join(Webhook(secret).sign("msg_1", moment, body.decode()) for secret in secrets)
    return {"webhook-id": "msg_1", "webhook-timestamp": str(at), "webhook-signature": signatures}


def refusal(headers: dict[str, str], body: bytes = BODY, secret: str = SECRET, now: float = NOW) -> str:
    with pytest.raises(WebhookVerificationError) as refused:
        verify_webhook(headers, body, secret, now=now)
    return str(refused.value)


class TestACallThatHolds:
    def test_gives_its_id_timestamp_body_and_order_id(self) -> None:
        call = verify_webhook(signed(), BODY, SECRET, now=NOW)

        assert call == VerifiedWebhook("msg_1", NOW, BODY)
        assert call.order_id == "83432183"

    def test_is_taken_with_either_secret_while_both_sign_after_a_rotation(self) -> None:
        headers = signed(secrets=(SECRET, OTHER))

        assert verify_webhook(headers, BODY, SECRET, now=NOW).id == "msg_1"
        assert verify_webhook(headers, BODY, OTHER, now=NOW).id == "msg_1"

    def test_is_taken_with_headers_in_any_case_a_text_body_and_a_secret_without_its_prefix(self) -> None:
        headers = {name.title(): value for name, value in signed().items()}

        call = verify_webhook(headers, BODY.decode(), SECRET.removeprefix("whsec_"), now=NOW)

        assert call.body == BODY

    def test_is_taken_up_to_the_tolerance_either_way(self) -> None:
        assert verify_webhook(signed(at=NOW - 300), BODY, SECRET, now=NOW)
        assert verify_webhook(signed(at=NOW + 300), BODY, SECRET, now=NOW)
        assert verify_webhook(signed(at=NOW - 3600), BODY, SECRET, now=NOW, tolerance_seconds=3601)

    def test_of_a_ping_has_the_order_id_ping_and_a_body_without_one_none(self) -> None:
        assert verify_webhook(signed(b"orderId=ping"), b"orderId=ping", SECRET, now=NOW).order_id == "ping"
        assert verify_webhook(signed(b"other=1"), b"other=1", SECRET, now=NOW).order_id is None


class TestACallThatIsRefused:
    def test_whose_body_was_altered(self) -> None:
        assert "no signature matches" in refusal(signed(), b"orderId=83432184")

    def test_whose_signature_was_altered_or_made_with_another_secret(self) -> None:
        headers = signed()
        version, signature = headers["webhook-signature"].split(",")
        forged = base64.b64encode(
            bytes([base64.b64decode(signature)[0] ^ 1]) + base64.b64decode(signature)[1:]
        )

        assert "no signature matches" in refusal(
            {**headers, "webhook-signature": f"{version},{forged.decode()}"}
        )
        assert "no signature matches" in refusal(signed(secrets=(OTHER,)))

    def test_whose_id_or_timestamp_was_altered(self) -> None:
        assert "no signature matches" in refusal({**signed(), "webhook-id": "msg_2"})
        assert "no signature matches" in refusal({**signed(at=NOW), "webhook-timestamp": str(NOW + 1)})

    def test_that_is_older_than_the_tolerance_or_from_the_future(self) -> None:
        assert "301 s old" in refusal(signed(at=NOW - 301))
        assert "301 s in the future" in refusal(signed(at=NOW + 301))

    def test_without_a_v1_signature_or_without_its_headers(self) -> None:
        headers = signed()
        _, signature = headers["webhook-signature"].split(",")

        assert "no signature matches" in refusal({**headers, "webhook-signature": f"v1a,{signature} v1,%%%"})
        assert "no signature matches" in refusal({**headers, "webhook-signature": ""})
        for name in headers:
            missing = {key: value for key, value in headers.items() if key != name}
            assert f"no {name} header" in refusal(missing)
        assert "not unix seconds" in refusal({**headers, "webhook-timestamp": "yesterday"})

    def test_checked_with_a_secret_that_is_not_base64(self) -> None:
        assert "not whsec_ followed by base64" in refusal(signed(), secret="whsec_not base64!")


class TestARealCall:
    def test_from_the_server_is_verified_and_refused_once_tampered_with_or_old(
        self, server: Server, receiver: Receiver
    ) -> None:
        number = order_id("hooked")
        with PrintApi(server.client_id, server.client_secret, server.base) as api:
            endpoint = ok(
                create_webhook.sync_detailed(client=api.client, body=EndpointIn(url=receiver.url("/hook")))
            )
            ok(ping_webhook.sync_detailed(endpoint.id, client=api.client))
            ok(place_order.sync_detailed(client=api.client, body=OrderIn.from_dict(order_body(number))))
            moved = StatusChangeIn(status="Processing")
            ok(simulate_order_status.sync_detailed(number, client=api.client, body=moved))
        assert isinstance(endpoint.secret, str)
        ping = receiver.call("/hook", b"orderId=ping")
        call = receiver.call("/hook", f"orderId={number}".encode())
        sent_at = int(call.headers["webhook-timestamp"])

        verified = verify_webhook(call.headers, call.body, endpoint.secret)

        assert verify_webhook(ping.headers, ping.body, endpoint.secret).order_id == "ping"
        assert verified.order_id == number
        assert verified.id == call.headers["webhook-id"]
        with pytest.raises(WebhookVerificationError, match="no signature matches"):
            verify_webhook(call.headers, b"orderId=83432183", endpoint.secret)
        with pytest.raises(WebhookVerificationError, match="no signature matches"):
            verify_webhook(ping.headers, call.body, endpoint.secret)  # another call's signature
        with pytest.raises(WebhookVerificationError, match="old"):
            verify_webhook(call.headers, call.body, endpoint.secret, now=sent_at + 301)
