"""Contact details are masked in messages when the site blocks them (the default): e-mail
addresses and phone numbers become ``[hidden]``, the message is flagged, and support and admins
list the flagged messages with their originals. Prices, dates and order numbers stay as written.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tenant_apps.writing.messages.masking import HIDDEN, mask_contact_details
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.messages.conftest import FLAGGED, SETTINGS, messages_url, post, set_message_settings
from tests.tenant_apps.writing.orders.conftest import error_code, make_order


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Write to jane.doe@example.com please", "Write to [hidden] please"),
        ("JANE+essays@Mail.Example.co.uk", "[hidden]"),
        ("jane (at) mail (dot) com", "[hidden]"),
        ("jane[at]mail[dot]com", "[hidden]"),
        ("jane at gmail dot com", "[hidden]"),
        ("Call +1 415-555-2671 tonight", "Call [hidden] tonight"),
        ("(415) 555-2671", "[hidden]"),
        ("my cell 415.555.2671", "my cell [hidden]"),
        ("London: +44 20 7946 0958", "London: [hidden]"),
        ("whatsapp +91 98765 43210", "whatsapp [hidden]"),
        ("text 4 1 5 5 5 5 2 6 7 1", "text [hidden]"),
        ("mail a@b.io or call +33 6 12 34 56 78", "mail [hidden] or call [hidden]"),
    ],
)
def test_contact_details_are_hidden(text: str, masked: str) -> None:
    assert mask_contact_details(text, region="US").text == masked


@pytest.mark.parametrize(
    "text",
    [
        "The price is $1200.50 for 12 pages",
        "1,250,000 words is too many",
        "Deadline 2026-12-03 at 14:00",
        "due 12/03/2026",
        "Order WO-7F3A9C21, pages 10-12",
        "ISBN 978-3-16-148410-0",
        "Meet at noon. Look at page 3.2",
        "We meet at school.org",
        "see chapter 4, section 12.3, p. 215",
        "I need 2000000 words",
    ],
)
def test_prices_dates_and_numbers_are_not_contact_details(text: str) -> None:
    result = mask_contact_details(text, region="US")
    assert (result.text, result.masked) == (text, False)


def test_the_region_reads_national_numbers() -> None:
    assert mask_contact_details("ring 020 7946 0958", region="GB").text == "ring [hidden]"
    assert mask_contact_details("ring 020 7946 0958", region="US").masked is False


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_masking_any_text_never_fails_and_leaves_no_address(text: str) -> None:
    result = mask_contact_details(text, region="US")
    assert result.masked == (result.text != text)
    again = mask_contact_details(result.text, region="US")
    assert again.text.count(HIDDEN) >= result.text.count(HIDDEN)


@settings(max_examples=100, deadline=None)
@given(
    st.from_regex(r"[a-z][a-z0-9._]{0,20}@[a-z][a-z0-9]{0,20}\.(com|org|io|net)", fullmatch=True),
    st.text(alphabet=st.characters(categories=["L", "Zs"]), max_size=40),
)
def test_an_address_inside_any_words_is_hidden(address: str, words: str) -> None:
    result = mask_contact_details(f"{words} {address} {words}", region="US")
    assert address not in result.text and result.masked


def test_a_masked_message_is_flagged_and_its_original_kept_for_support(writing: Writing) -> None:
    # given
    order = make_order(writing, "in_progress")
    # when cleo shares her address
    sent = post(writing, "cleo", order.pk, "Mail me at cleo.private@example.com or +1 415-555-2671")
    # then she and wren see it masked, without the original
    assert sent.status_code == 201
    assert sent.json()["body"] == "Mail me at [hidden] or [hidden]"
    assert (sent.json()["masked"], sent.json()["original_body"]) == (True, None)
    seen = writing.client("wren").get(messages_url(order.pk)).json()["results"][0]
    assert "cleo.private" not in str(seen) and "555" not in str(seen)
    # and support lists it, with the original and the author
    flagged = writing.client("sue").get(FLAGGED).json()["results"]
    assert [(m["order"], m["original_body"], m["author"]["id"]) for m in flagged] == [
        (order.pk, "Mail me at cleo.private@example.com or +1 415-555-2671", writing.cleo.pk)
    ]
    assert flagged[0]["order_number"] == order.number


def test_an_unmasked_message_is_not_flagged(writing: Writing) -> None:
    order = make_order(writing, "in_progress")
    sent = post(writing, "cleo", order.pk, "The price of $120.50 by 2026-12-03 is fine.")
    assert sent.json()["masked"] is False
    assert writing.client("admin").get(FLAGGED).json()["results"] == []


def test_only_support_and_admins_list_the_flagged_messages(writing: Writing) -> None:
    statuses = {who: writing.client(who).get(FLAGGED).status_code for who in ("cleo", "wren", "eddie", "sue", "admin")}
    assert statuses == {"cleo": 403, "wren": 403, "eddie": 403, "sue": 200, "admin": 200}


def test_with_the_setting_off_messages_are_stored_as_written(writing: Writing) -> None:
    # given
    set_message_settings(writing, block_contact_details=False)
    order = make_order(writing, "in_progress")
    # when
    sent = post(writing, "cleo", order.pk, "cleo@example.com")
    # then
    assert (sent.json()["body"], sent.json()["masked"]) == ("cleo@example.com", False)


def test_admins_change_the_settings(writing: Writing) -> None:
    admin = writing.client("admin")
    assert admin.get(SETTINGS).json() == {"block_contact_details": True, "phone_region": "US"}
    changed = admin.patch(SETTINGS, {"block_contact_details": False, "phone_region": "GB"}, format="json")
    assert changed.json() == {"block_contact_details": False, "phone_region": "GB"}
    for bad_body in ({"phone_region": "XX"}, {"block_contact_details": 0}, {"block_contact_details": "yes"}):
        bad = admin.patch(SETTINGS, bad_body, format="json")
        assert bad.status_code == 400 and error_code(bad) == "validation_error", bad_body
    assert writing.client("sue").patch(SETTINGS, {"block_contact_details": True}, format="json").status_code == 403
    assert writing.client("sue").get(SETTINGS).status_code == 403
    # and the new region reads national numbers
    order = make_order(writing, "in_progress")
    set_message_settings(writing, block_contact_details=True)
    assert post(writing, "cleo", order.pk, "ring 020 7946 0958").json()["body"] == "ring [hidden]"
