"""The hosted test payment page (paymentUrl) and what each payment outcome does (spec §3.9, §4.1, §4.2)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from printapi.runtime import Runtime
from tests.api.helpers import assert_error
from tests.conftest import book_item
from tests.payments.conftest import (
    RETURN_URL,
    PrintFiles,
    choose,
    history,
    outcome_path,
    path_of,
    payment_notes,
    place,
    read_order,
    set_up,
    statuses,
    token_of,
    upload,
    upload_all,
)


async def order_with_checkout(
    client: httpx.AsyncClient, headers: dict[str, str], **overrides: Any
) -> tuple[dict[str, Any], str]:
    """An order on the payment screen with its checkout set up: (the order, its paymentUrl)."""
    order = await place(client, headers, **overrides)
    checkout = await set_up(client, headers, order)
    return order, checkout["paymentUrl"]


async def checkout_status(client: httpx.AsyncClient, headers: dict[str, str], order: dict[str, Any]) -> str:
    response = await client.get(path_of(order["checkout"]["setupUrl"]), headers=headers)
    assert response.status_code == 200, response.text
    status: str = response.json()["status"]
    return status


def file_statuses(order: dict[str, Any]) -> dict[str, str]:
    return {kind: file["status"] for kind, file in order["items"][0]["files"].items()}


class TestThePageShowsWhatIsPaidFor:
    async def test_it_is_html_with_the_amount_the_lines_and_the_words_test_payment(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        poster = {"productId": "poster_a3_sta", "quantity": 2}
        order, payment_url = await order_with_checkout(client, paying_headers, items=[book_item(), poster])

        page = await client.get(path_of(payment_url))

        assert page.status_code == 200, page.text
        assert page.headers["content-type"].startswith("text/html")
        assert "no-store" in page.headers["cache-control"]
        assert f"€ {order['checkout']['amount']:.2f}".replace(".", ",") in page.text
        assert "Test payment" in page.text
        assert "1 × Boek Hardcover A5 Staand (32 pages)" in page.text
        assert "2 × Poster A3 Staand" in page.text
        assert order["id"] in page.text

    async def test_the_amount_reads_as_euros_with_a_decimal_comma(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        _, payment_url = await order_with_checkout(client, paying_headers)

        page = await client.get(path_of(payment_url))

        assert "€ 22,87" in page.text

    async def test_it_offers_the_three_outcomes_in_a_form_that_needs_no_javascript(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        _, payment_url = await order_with_checkout(client, paying_headers)

        page = (await client.get(path_of(payment_url))).text

        assert f'action="{payment_url.removesuffix("/start")}/test"' in page
        for outcome in ("Successful", "Failed", "Cancelled"):
            assert f'name="outcome" value="{outcome}"' in page
        assert "<script" not in page

    async def test_what_the_shop_sent_is_escaped(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        order = await place(client, paying_headers)
        checkout = await set_up(client, paying_headers, order, name="<script>alert(1)</script>")

        page = (await client.get(path_of(checkout["paymentUrl"]))).text

        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page

    async def test_an_unknown_payment_code_is_404(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/v2/payments/NoSuchCode0000000000/start")

        assert response.status_code == 404, response.text
        assert response.headers["content-type"].startswith("text/html")  # a customer's browser
        assert "This payment link is not known" in response.text

    async def test_no_other_site_may_frame_it_or_its_error_page(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        _order, payment_url = await order_with_checkout(client, paying_headers)

        for page in (
            await client.get(path_of(payment_url)),
            await client.get("/v2/payments/NoSuchCode00/start"),
        ):
            assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
            assert page.headers["x-frame-options"] == "DENY"
            assert page.headers["x-content-type-options"] == "nosniff"

    async def test_once_paid_it_shows_the_status_and_offers_no_buttons(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        _, payment_url = await order_with_checkout(client, paying_headers)
        await choose(client, payment_url, "Successful")

        page = (await client.get(path_of(payment_url))).text

        assert "This payment is Successful." in page
        assert 'name="outcome"' not in page
        assert f'href="{RETURN_URL}"' in page


class TestChoosingAnOutcome:
    @pytest.mark.parametrize("outcome", ["Successful", "Failed", "Cancelled"])
    async def test_each_outcome_sends_the_customer_back_to_the_return_url(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str], outcome: str
    ) -> None:
        order, payment_url = await order_with_checkout(client, paying_headers)

        response = await choose(client, payment_url, outcome)

        assert response.status_code == 303, response.text
        assert response.headers["location"] == RETURN_URL
        assert await checkout_status(client, paying_headers, order) == outcome
        assert (await statuses(client, paying_headers, order["id"]))["payment"] == outcome

    async def test_the_return_url_of_a_second_setup_is_where_the_customer_goes(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        order, payment_url = await order_with_checkout(client, paying_headers)
        await set_up(client, paying_headers, order, return_url="https://shop.example.nl/changed")

        response = await choose(client, payment_url, "Successful")

        assert response.headers["location"] == "https://shop.example.nl/changed"

    @pytest.mark.parametrize("token", ["", "0" * 64, "forged"], ids=["missing", "zeros", "forged"])
    async def test_a_forged_or_missing_token_is_403_and_changes_nothing(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str], token: str
    ) -> None:
        order, payment_url = await order_with_checkout(client, paying_headers)

        response = await choose(client, payment_url, "Successful", token=token)

        assert_error(response, 403)
        assert await checkout_status(client, paying_headers, order) == "Open"
        assert await history(client, paying_headers) == ["Created"]

    async def test_a_form_without_any_token_field_is_403(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        order, payment_url = await order_with_checkout(client, paying_headers)

        response = await client.post(outcome_path(payment_url), data={"outcome": "Successful"})

        assert_error(response, 403)
        assert await checkout_status(client, paying_headers, order) == "Open"

    async def test_the_token_of_another_payment_is_403(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        order, payment_url = await order_with_checkout(client, paying_headers)
        _, other_url = await order_with_checkout(client, paying_headers)

        response = await choose(client, payment_url, "Successful", token=await token_of(client, other_url))

        assert_error(response, 403)
        assert await checkout_status(client, paying_headers, order) == "Open"

    @pytest.mark.parametrize("outcome", ["Open", "Paid", ""])
    async def test_an_outcome_that_is_not_a_final_status_is_403(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str], outcome: str
    ) -> None:
        order, payment_url = await order_with_checkout(client, paying_headers)

        response = await choose(client, payment_url, outcome)

        assert_error(response, 403)
        assert await checkout_status(client, paying_headers, order) == "Open"

    async def test_an_unknown_payment_code_is_404(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            "/v2/payments/NoSuchCode0000000000/test", data={"token": "x", "outcome": "Successful"}
        )

        assert_error(response, 404)

    @pytest.mark.parametrize(("first", "second"), [("Successful", "Failed"), ("Cancelled", "Successful")])
    async def test_a_second_post_changes_nothing(
        self,
        client: httpx.AsyncClient,
        paying_headers: dict[str, str],
        runtime: Runtime,
        first: str,
        second: str,
    ) -> None:
        order, payment_url = await order_with_checkout(client, paying_headers)
        token = await token_of(client, payment_url)

        one = await choose(client, payment_url, first, token=token)
        two = await choose(client, payment_url, second, token=token)

        assert (one.status_code, two.status_code) == (303, 303)
        assert two.headers["location"] == RETURN_URL
        assert await checkout_status(client, paying_headers, order) == first
        notes = await payment_notes(runtime, order["id"])
        assert len(notes) == 1
        assert notes[0].lower() == f"payment {first.lower()}"

    async def test_a_double_click_on_pay_pays_once(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str], runtime: Runtime
    ) -> None:
        order, payment_url = await order_with_checkout(client, paying_headers)
        token = await token_of(client, payment_url)

        first = await choose(client, payment_url, "Successful", token=token)
        second = await choose(client, payment_url, "Successful", token=token)

        assert (first.status_code, second.status_code) == (303, 303)
        assert await payment_notes(runtime, order["id"]) == ["payment Successful"]
        assert await history(client, paying_headers) == ["Created", "Created"]

    async def test_after_an_outcome_the_checkout_cannot_be_set_up_again(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        order, payment_url = await order_with_checkout(client, paying_headers)
        await choose(client, payment_url, "Successful")

        response = await client.post(
            path_of(order["checkout"]["setupUrl"]),
            json={
                "returnUrl": "https://other.example/",
                "billing": {"address": order["shipping"]["address"]},
            },
            headers=paying_headers,
        )

        assert_error(response, 403)
        assert (await client.get(path_of(order["checkout"]["setupUrl"]), headers=paying_headers)).json()[
            "returnUrl"
        ] == RETURN_URL


class TestASuccessfulPayment:
    async def test_without_files_the_order_stays_created(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        order, payment_url = await order_with_checkout(client, paying_headers)

        await choose(client, payment_url, "Successful")

        assert await statuses(client, paying_headers, order["id"]) == {
            "id": order["id"],
            "order": "Created",
            "payment": "Successful",
        }
        # The payment change is a row of sync/statuses of its own.
        assert await history(client, paying_headers) == ["Created", "Created"]

    async def test_paid_first_then_the_last_file_accepted_moves_the_order_to_processing(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str], print_files: PrintFiles
    ) -> None:
        order, payment_url = await order_with_checkout(client, paying_headers)
        await choose(client, payment_url, "Successful")
        await upload(client, paying_headers, order, "content", print_files.content)
        between = await statuses(client, paying_headers, order["id"])

        await upload(client, paying_headers, order, "cover", print_files.cover)

        assert between["order"] == "Created"
        assert (await statuses(client, paying_headers, order["id"]))["order"] == "Processing"
        assert await history(client, paying_headers) == ["Created", "Created", "Processing"]

    async def test_files_first_then_the_payment_moves_the_order_to_processing(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str], print_files: PrintFiles
    ) -> None:
        order, payment_url = await order_with_checkout(client, paying_headers)
        await upload_all(client, paying_headers, order, print_files)
        before = await read_order(client, paying_headers, order["id"])

        await choose(client, payment_url, "Successful")

        # With the payment screen, accepted files alone do not start production.
        assert before["status"] == "Created"
        assert set(file_statuses(before).values()) == {"Accepted"}
        assert await statuses(client, paying_headers, order["id"]) == {
            "id": order["id"],
            "order": "Processing",
            "payment": "Successful",
        }
        assert await history(client, paying_headers) == ["Created", "Created", "Processing"]

    async def test_files_uploaded_before_the_checkout_was_set_up_count_too(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str], print_files: PrintFiles
    ) -> None:
        order = await place(client, paying_headers)
        await upload_all(client, paying_headers, order, print_files)
        checkout = await set_up(client, paying_headers, order)

        await choose(client, checkout["paymentUrl"], "Successful")

        assert (await statuses(client, paying_headers, order["id"]))["order"] == "Processing"


class TestAFailedOrCancelledPayment:
    @pytest.mark.parametrize("outcome", ["Failed", "Cancelled"])
    async def test_it_cancels_the_order_and_its_waiting_files(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str], print_files: PrintFiles, outcome: str
    ) -> None:
        order, payment_url = await order_with_checkout(client, paying_headers)
        await upload(client, paying_headers, order, "content", print_files.content)

        await choose(client, payment_url, outcome)

        after = await read_order(client, paying_headers, order["id"])
        assert after["status"] == "Cancelled"
        assert after["checkout"]["status"] == outcome
        # The accepted file stays accepted; the one still waiting stops waiting.
        assert file_statuses(after) == {"content": "Accepted", "cover": "Cancelled"}
        assert await history(client, paying_headers) == ["Created", "Cancelled"]

    @pytest.mark.parametrize("outcome", ["Failed", "Cancelled"])
    async def test_the_order_can_no_longer_take_files(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str], print_files: PrintFiles, outcome: str
    ) -> None:
        order, payment_url = await order_with_checkout(client, paying_headers)
        await choose(client, payment_url, outcome)

        response = await client.post(
            path_of(order["items"][0]["files"]["cover"]["uploadUrl"]),
            content=print_files.cover,
            headers={**paying_headers, "Content-Type": "application/pdf"},
        )

        assert response.status_code == 403, response.text

    async def test_its_history_row_says_why(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str], runtime: Runtime
    ) -> None:
        order, payment_url = await order_with_checkout(client, paying_headers)

        await choose(client, payment_url, "Failed")

        assert await payment_notes(runtime, order["id"]) == ["payment failed"]


class TestAnOrderCancelledWhileItsPaymentIsOpen:
    async def test_its_payment_can_no_longer_be_paid(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        order, payment_url = await order_with_checkout(client, paying_headers)
        token = await token_of(client, payment_url)
        cancel = await client.post(
            f"/v2/orders/{order['id']}/status", json={"status": "Cancelled"}, headers=paying_headers
        )
        assert cancel.status_code == 200, cancel.text
        assert cancel.json()["payment"] == "Cancelled"  # the answer tells what the change did

        await choose(client, payment_url, "Successful", token=token)

        # Taking the customer's money for an order that will never be made is wrong.
        assert await checkout_status(client, paying_headers, order) != "Successful"

    async def test_its_page_no_longer_offers_to_pay(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        order, payment_url = await order_with_checkout(client, paying_headers)
        await client.post(
            f"/v2/orders/{order['id']}/status", json={"status": "Cancelled"}, headers=paying_headers
        )

        page = (await client.get(path_of(payment_url))).text

        assert 'value="Successful"' not in page


class TestTheProviderCallback:
    async def test_a_verified_callback_settles_the_payment_once(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str], runtime: Runtime
    ) -> None:
        order, payment_url = await order_with_checkout(client, paying_headers)
        callback = path_of(payment_url).removesuffix("/start") + "/callback"
        form = {"token": await token_of(client, payment_url), "outcome": "Successful"}

        first = await client.post(callback, data=form)
        second = await client.post(callback, data=form)

        assert (first.status_code, second.status_code) == (200, 200), first.text
        assert first.json() == {"status": "received"}
        assert await checkout_status(client, paying_headers, order) == "Successful"
        assert await payment_notes(runtime, order["id"]) == ["payment Successful"]

    async def test_a_forged_callback_is_403_and_changes_nothing(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str]
    ) -> None:
        order, payment_url = await order_with_checkout(client, paying_headers)
        callback = path_of(payment_url).removesuffix("/start") + "/callback"

        response = await client.post(callback, data={"token": "f" * 64, "outcome": "Successful"})

        assert_error(response, 403)
        assert await checkout_status(client, paying_headers, order) == "Open"
