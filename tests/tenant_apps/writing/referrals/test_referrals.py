"""Referrals end to end: a client's code and link, a claim, and the reward landing on both wallets
when the referred client's first order completes; the refusals (own code, same e-mail, already
referred, same card, too late) and the settings."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from tenant_apps.notifications.models import Notification
from tenant_apps.wallet.models import LedgerEntry
from tenant_apps.writing.referrals.services import email_key
from tests.factories import UserFactory
from tests.fixture_types import ClientFor, Login
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.orders.conftest import error_code, make_order
from tests.tenant_apps.writing.referrals.conftest import (
    LIST,
    ME,
    REWARD,
    SETTINGS,
    balance,
    claim,
    code_of,
    pay_by_card,
    referral_of,
)


def test_a_client_gets_one_short_code_and_a_link_on_the_site(writing: Writing) -> None:
    # when
    first = writing.client("cleo").get(ME).json()
    again = writing.client("cleo").get(ME).json()
    # then: one code, 8 characters, stable; the link is the site's sign-up page with it
    assert first["code"] == again["code"] and len(first["code"]) == 8
    assert first["link"].endswith(f"/register?ref={first['code']}")
    assert first["link"].startswith("http")
    assert first["referred_by"] is None and first["referrals"] == []
    assert first["reward"] == {
        "enabled": True,
        "reward_kind": "wallet",
        "reward_amount": "5.00",
        "currency": "USD",
        "reward_points": 100,
    }
    assert code_of(writing, "carl") != first["code"]


def test_a_referral_reward_lands_on_both_wallets_when_the_first_order_completes(writing: Writing) -> None:
    # given: carl claims cleo's code
    response = claim(writing, "carl", code_of(writing, "cleo").lower())
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "pending"
    before = (balance(writing, writing.cleo), balance(writing, writing.carl))
    # when: carl's first order completes
    order = make_order(writing, "completed", client=writing.carl)
    # then: 5.00 to each, once, with the referral's references
    assert balance(writing, writing.cleo) == before[0] + REWARD
    assert balance(writing, writing.carl) == before[1] + REWARD
    referral = referral_of(writing, writing.carl)
    assert (referral.status, referral.order_id, referral.reward_amount) == ("rewarded", order.pk, REWARD)
    with tenant_context(writing.tenant):
        references = set(
            LedgerEntry.objects.filter(reference__startswith=f"referral:{referral.pk}:").values_list(
                "reference", flat=True
            )
        )
        told = Notification.objects.filter(verb="writing_referral.rewarded").values_list("recipient_id", flat=True)
        assert sorted(told) == sorted([writing.cleo.pk, writing.carl.pk])
    assert references == {f"referral:{referral.pk}:referrer", f"referral:{referral.pk}:referred"}
    # and both see it
    mine = writing.client("cleo").get(ME).json()["referrals"]
    assert [(r["referred"], r["status"], r["reward_amount"]) for r in mine] == [("Carl", "rewarded", "5.00")]
    theirs = writing.client("carl").get(ME).json()["referred_by"]
    assert (theirs["status"], theirs["reward_amount"], theirs["reward_currency"]) == ("rewarded", "5.00", "USD")


def test_a_second_completed_order_rewards_nobody_again(writing: Writing) -> None:
    # given: carl referred by cleo, his first order completed (rewarded)
    claim(writing, "carl", code_of(writing, "cleo"))
    make_order(writing, "completed", client=writing.carl)
    before = (balance(writing, writing.cleo), balance(writing, writing.carl))
    # when
    make_order(writing, "completed", client=writing.carl)
    # then
    assert (balance(writing, writing.cleo), balance(writing, writing.carl)) == before


def test_an_order_that_does_not_complete_rewards_nothing(writing: Writing) -> None:
    # given
    claim(writing, "carl", code_of(writing, "cleo"))
    # when: carl's order is only delivered
    make_order(writing, "delivered", client=writing.carl)
    # then
    assert referral_of(writing, writing.carl).status == "pending"
    assert balance(writing, writing.cleo) == Decimal("0")


def test_the_reward_follows_the_settings_an_admin_sets(writing: Writing) -> None:
    # given: the admin raises the reward
    response = writing.client("admin").patch(SETTINGS, {"reward_amount": "12.50"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["reward_amount"] == "12.50"
    claim(writing, "carl", code_of(writing, "cleo"))
    # when
    make_order(writing, "completed", client=writing.carl)
    # then
    assert balance(writing, writing.cleo) == Decimal("12.50")


def test_the_admin_lists_every_referral(writing: Writing) -> None:
    # given
    claim(writing, "carl", code_of(writing, "cleo"))
    # when
    body = writing.client("admin").get(LIST).json()
    # then
    assert [(r["referrer"]["id"], r["referred"]["id"], r["status"]) for r in body["results"]] == [
        (writing.cleo.pk, writing.carl.pk, "pending")
    ]


def test_own_code_is_refused(writing: Writing) -> None:
    response = claim(writing, "cleo", code_of(writing, "cleo"))
    assert (response.status_code, error_code(response)) == (400, "referral_refused")
    assert response.json()["error"]["details"]["reason"] == "own_code"


def test_an_unknown_code_is_refused(writing: Writing) -> None:
    response = claim(writing, "carl", "NOPE2345")
    assert (response.status_code, error_code(response)) == (400, "referral_code_invalid")


def test_an_account_is_referred_once(writing: Writing) -> None:
    # given
    with tenant_context(writing.tenant):
        UserFactory(email="dora@golf.test", full_name="Dora", roles=["client"])
    assert claim(writing, "carl", code_of(writing, "cleo")).status_code == 201
    # when: carl tries another code
    other = code_of(writing, "carl")
    response = claim(writing, "carl", other)
    # then: own code is checked first; a third client's code shows the rule
    assert response.status_code == 400
    dora_code = _code_for_new_client(writing, "dora2@golf.test")
    response = claim(writing, "carl", dora_code)
    assert (response.status_code, error_code(response)) == (409, "referral_refused")
    assert response.json()["error"]["details"]["reason"] == "already_referred"


def _code_for_new_client(writing: Writing, email: str, name: str = "New Client") -> str:
    from tenant_apps.writing.referrals.services import referral_code_for

    with tenant_context(writing.tenant):
        user = UserFactory(email=email, full_name=name, roles=["client"])
        return referral_code_for(user=user).code


def test_referring_back_the_one_who_referred_you_is_refused(writing: Writing) -> None:
    # given: cleo referred carl
    assert claim(writing, "carl", code_of(writing, "cleo")).status_code == 201
    # when: cleo claims carl's code
    response = claim(writing, "cleo", code_of(writing, "carl"))
    # then
    assert (response.status_code, response.json()["error"]["details"]["reason"]) == (400, "mutual")


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Ann.Smith@gmail.com", "annsmith+promo@googlemail.com"),
        ("ann@example.com", "ANN+second@example.com"),
    ],
)
def test_the_same_email_once_normalised_is_refused(
    writing: Writing, client_for: ClientFor, login: Login, one: str, other: str
) -> None:
    # given: two accounts of one person
    code = _code_for_new_client(writing, one)
    with tenant_context(writing.tenant):
        second = UserFactory(email=other, roles=["client"])
    client = client_for(writing.tenant, login(writing.tenant, second.email)["access"])
    # when
    response = client.post("/api/v1/referrals/claim/", {"code": code}, format="json")
    # then
    assert (response.status_code, response.json()["error"]["details"]["reason"]) == (400, "same_email")


def test_email_keys() -> None:
    assert email_key("A.B+x@GoogleMail.com") == "ab@gmail.com"
    assert email_key("a.b+x@example.com") == "a.b@example.com"
    assert email_key("a.b@example.com") != email_key("ab@example.com")
    assert email_key("not an address") == ""


def test_a_client_whose_order_completed_already_cannot_claim(writing: Writing) -> None:
    # given
    make_order(writing, "completed", client=writing.carl)
    # when
    response = claim(writing, "carl", code_of(writing, "cleo"))
    # then
    assert (response.status_code, response.json()["error"]["details"]["reason"]) == (409, "order_completed")


def test_the_webhook_keeps_the_card_fingerprint(writing: Writing) -> None:
    payment = pay_by_card(writing, writing.cleo, "fp_card_one")
    assert (payment.status, payment.card_fingerprint) == ("approved", "fp_card_one")


def test_a_card_both_paid_with_refuses_the_claim(writing: Writing) -> None:
    # given: cleo and carl paid with one card
    pay_by_card(writing, writing.cleo, "fp_shared")
    pay_by_card(writing, writing.carl, "fp_shared")
    # when
    response = claim(writing, "carl", code_of(writing, "cleo"))
    # then
    assert (response.status_code, response.json()["error"]["details"]["reason"]) == (400, "same_card")


def test_a_card_shared_after_the_claim_refuses_the_reward(writing: Writing) -> None:
    # given: carl claimed, then both paid with one card
    assert claim(writing, "carl", code_of(writing, "cleo")).status_code == 201
    pay_by_card(writing, writing.cleo, "fp_later")
    pay_by_card(writing, writing.carl, "fp_later")
    before = balance(writing, writing.cleo)
    # when
    make_order(writing, "completed", client=writing.carl)
    # then: refused, nobody rewarded
    referral = referral_of(writing, writing.carl)
    assert (referral.status, referral.refused_reason) == ("refused", "same_card")
    assert balance(writing, writing.cleo) == before


def test_claims_are_refused_while_referrals_are_off(writing: Writing) -> None:
    # given
    assert writing.client("admin").patch(SETTINGS, {"enabled": False}, format="json").status_code == 200
    # when
    response = claim(writing, "carl", code_of(writing, "cleo"))
    # then
    assert (response.status_code, response.json()["error"]["details"]["reason"]) == (409, "disabled")


def test_bad_settings_are_refused(writing: Writing) -> None:
    admin = writing.client("admin")
    assert admin.patch(SETTINGS, {"reward_amount": "0.00"}, format="json").status_code == 400
    assert admin.patch(SETTINGS, {"reward_amount": 5}, format="json").status_code == 400
    assert admin.patch(SETTINGS, {"reward_points": 0}, format="json").status_code == 400
    assert admin.patch(SETTINGS, {"reward_kind": "gold"}, format="json").status_code == 400


def test_a_points_reward_lands_loyalty_points_on_both_sides(writing: Writing) -> None:
    from tenant_apps.writing.loyalty.models import PointsEntry

    # given: the site rewards 250 points; carl claims cleo's code
    response = writing.client("admin").patch(SETTINGS, {"reward_kind": "points", "reward_points": 250}, format="json")
    assert (response.status_code, response.json()["reward_kind"]) == (200, "points"), response.content
    claim(writing, "carl", code_of(writing, "cleo"))
    wallet_before = balance(writing, writing.cleo)
    # when
    make_order(writing, "completed", client=writing.carl)
    # then: 250 points each by the referral's references, no wallet credit
    referral = referral_of(writing, writing.carl)
    assert (referral.status, referral.reward_kind, referral.reward_points) == ("rewarded", "points", 250)
    with tenant_context(writing.tenant):
        awards = dict(
            PointsEntry.objects.filter(reference__startswith=f"referral:{referral.pk}:").values_list(
                "reference", "points"
            )
        )
    assert awards == {f"referral:{referral.pk}:referrer": 250, f"referral:{referral.pk}:referred": 250}
    assert balance(writing, writing.cleo) == wallet_before
