"""The writing site's admin beyond orders, payouts, reviews, fines, special orders, content and
writers (each has its own ``test_admin.py``): discounts, loyalty, campaigns, the price list,
bundles, referrals, order files and messages.

Every registered model: its list, filtered and searched, and one row's page answer 200 to the site
admin and show the row; other roles are sent to the login page. Each action does what the API
does through its service (and a refused one shows the service's reason and changes nothing).
A list costs the same queries for 2 rows as for 10, per app. The writing site shows no model of
another kind, and every model of the writing apps an admin manages is on it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Model
from django.utils import timezone
from django_tenants.utils import tenant_context
from pytest_django import DjangoCaptureOnCommitCallbacks

from saas.admin import tenant_admin_site
from tenant_apps.audit.models import AuditLogEntry
from tenant_apps.writing.bundles.models import Bundle, BundlePurchase, ExpressClass
from tenant_apps.writing.campaigns.models import Campaign, CampaignRecipient, CampaignStatus, MarketingOptOut
from tenant_apps.writing.campaigns.services import marketing_preference_set
from tenant_apps.writing.discounts.models import Discount
from tenant_apps.writing.files.models import OrderFile
from tenant_apps.writing.loyalty.models import LoyaltyAccount, LoyaltyTier, PointsEntry
from tenant_apps.writing.messages.models import MessageSettings, OrderMessage
from tenant_apps.writing.pricing.models import ExtraService, OrderOption, PageRate
from tenant_apps.writing.referrals.models import Referral, ReferralCode, ReferralSettings
from tests.admin import (
    admin_client,
    admin_url,
    assert_list_queries_fixed,
    messages_of,
    run_action,
    session_client,
)
from tests.api import error_code
from tests.factories import OrderFactory
from tests.factories.writing_bundles import BundleFactory, BundlePurchaseFactory, ExpressClassFactory
from tests.factories.writing_campaigns import CampaignFactory
from tests.factories.writing_discounts import DiscountFactory
from tests.factories.writing_files import OrderFileFactory
from tests.factories.writing_loyalty import LoyaltyTierFactory, PointsAwardFactory
from tests.factories.writing_messages import OrderMessageFactory
from tests.factories.writing_pricing import (
    AcademicLevelFactory,
    ExtraServiceFactory,
    OrderOptionFactory,
    PageRateFactory,
)
from tests.factories.writing_referrals import ReferralCodeFactory, ReferralFactory
from tests.tenant_apps.writing.conftest import Writing, reload
from tests.tenant_apps.writing.discounts.conftest import QUOTE, quote_body


def _yesterday() -> str:
    return str(timezone.now() - timedelta(days=1))  # aware, as the admin's date filter links are


@dataclass
class Case:
    """A model's row (``build(writing)``: the row and the text its list row shows), the list's
    ``filters`` that keep it and a ``search`` that finds it."""

    model: type[Model]
    build: Callable[[Writing], tuple[Model, str]]
    search: str
    filters: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.model.__name__


def _discount(w: Writing) -> tuple[Model, str]:
    return DiscountFactory(name="Spring sale", code="SPRING"), "Spring sale"


def _account(w: Writing) -> tuple[Model, str]:
    return PointsAwardFactory(user=w.cleo).account, w.cleo.email


def _tier(w: Writing) -> tuple[Model, str]:
    return LoyaltyTierFactory(name="Gold club", slug="gold-club"), "Gold club"


def _campaign(w: Writing) -> tuple[Model, str]:
    return CampaignFactory(subject="Spring news"), "Spring news"


def _recipient(w: Writing) -> tuple[Model, str]:
    campaign = CampaignFactory(sent=True)
    return CampaignRecipient.objects.get(campaign=campaign, email=w.cleo.email), w.cleo.email


def _opt_out(w: Writing) -> tuple[Model, str]:
    marketing_preference_set(user=w.carl, subscribed=False)
    return MarketingOptOut.objects.get(email=w.carl.email), w.carl.email


def _option(w: Writing) -> tuple[Model, str]:
    return OrderOptionFactory(name="Marine biology"), "Marine biology"


def _rate(w: Writing) -> tuple[Model, str]:
    return PageRateFactory(academic_level=AcademicLevelFactory(name="Postdoctoral")), "Postdoctoral"


def _extra(w: Writing) -> tuple[Model, str]:
    return ExtraServiceFactory(name="Citation audit"), "Citation audit"


def _bundle(w: Writing) -> tuple[Model, str]:
    return BundleFactory(name="Ten pages pack"), "Ten pages pack"


def _purchase(w: Writing) -> tuple[Model, str]:
    return BundlePurchaseFactory(client=w.cleo, bundle=BundleFactory(name="Starter pack")), "Starter pack"


def _express(w: Writing) -> tuple[Model, str]:
    return ExpressClassFactory(name="Overnight"), "Overnight"


def _referral(w: Writing) -> tuple[Model, str]:
    return ReferralFactory(referrer=w.cleo, referred=w.carl), w.carl.email


def _code(w: Writing) -> tuple[Model, str]:
    code = ReferralCodeFactory(user=w.cleo)
    return code, code.code


def _file(w: Writing) -> tuple[Model, str]:
    order = OrderFactory(client=w.cleo, writer=w.wren, in_progress=True)
    return OrderFileFactory(order=order, name="outline.pdf"), order.number


def _message(w: Writing) -> tuple[Model, str]:
    order = OrderFactory(client=w.cleo, writer=w.wren, in_progress=True)
    return OrderMessageFactory(order=order, body="Please add a table."), order.number


CASES = [
    Case(Discount, _discount, "SPRING", {"is_active__exact": "1"}),
    Case(LoyaltyAccount, _account, "cleo@", {"updated_at__gte": _yesterday()}),
    Case(LoyaltyTier, _tier, "Gold"),
    Case(Campaign, _campaign, "Spring", {"status__exact": "draft"}),
    Case(CampaignRecipient, _recipient, "cleo@", {"status__exact": "sent"}),
    Case(MarketingOptOut, _opt_out, "carl@", {"source__exact": "preference"}),
    Case(OrderOption, _option, "Marine", {"group__exact": "subject", "is_active__exact": "1"}),
    Case(PageRate, _rate, "Postdoc"),
    Case(ExtraService, _extra, "Citation", {"is_active__exact": "1"}),
    Case(Bundle, _bundle, "Ten pages", {"is_active__exact": "1"}),
    Case(BundlePurchase, _purchase, "cleo@", {"status__exact": "active"}),
    Case(ExpressClass, _express, "Overnight", {"is_active__exact": "1"}),
    Case(Referral, _referral, "carl@", {"status__exact": "pending"}),
    Case(ReferralCode, _code, "cleo@", {"created_at__gte": _yesterday()}),
    Case(OrderFile, _file, "outline", {"category__exact": "attachment"}),
    Case(OrderMessage, _message, "table", {"masked__exact": "0"}),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_the_admin_lists_filters_searches_and_opens_each_model(writing: Writing, case: Case) -> None:
    # given: a row of the model (and another site's admin signed in elsewhere changes nothing)
    with tenant_context(writing.tenant):
        obj, shown = case.build(writing)
    client = admin_client(writing.tenant)
    # when: the list, filtered and searched
    listed = client.get(admin_url(case.model), {**case.filters, "q": case.search})
    # then: the row is on it; a search for something else leaves it out; its page opens
    assert listed.status_code == 200
    assert shown in listed.content.decode()
    other = client.get(admin_url(case.model), {"q": "nothing-matches-this"})
    assert other.status_code == 200 and f"/{obj.pk}/change/" not in other.content.decode()
    page = client.get(admin_url(case.model, "change", obj.pk))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_client_is_sent_to_the_login_page(writing: Writing, case: Case) -> None:
    with tenant_context(writing.tenant):
        obj, _ = case.build(writing)
    client = session_client(writing.tenant, writing.cleo)

    for url in (admin_url(case.model), admin_url(case.model, "change", obj.pk)):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


# -- actions ----------------------------------------------------------------------------------


def _quote_code(writing: Writing, code: str) -> tuple[int, str]:
    """``(status, discount_code or error code)`` of a quote with ``code``."""
    response = writing.client(None).post(QUOTE, quote_body(discount_code=code), format="json")
    if response.status_code == 200:
        return 200, response.json()["discount_code"]
    return response.status_code, error_code(response)


def test_switching_a_discount_off_and_on_goes_through_the_service(writing: Writing) -> None:
    with tenant_context(writing.tenant):
        discount = DiscountFactory(code="SPRING")
    client = admin_client(writing.tenant)

    assert messages_of(run_action(client, Discount, "deactivate_discounts", [discount])) == ["1 switched off."]
    assert reload(writing, discount).is_active is False
    # a quote no longer takes the code; switched on again, it does
    assert _quote_code(writing, "SPRING") == (400, "invalid_discount_code")

    assert messages_of(run_action(client, Discount, "activate_discounts", [discount])) == ["1 switched on."]
    assert reload(writing, discount).is_active is True
    with tenant_context(writing.tenant):
        assert (
            AuditLogEntry.objects.filter(
                verb="writing.discount_updated", target_id=str(discount.pk), actor=writing.admin
            ).count()
            == 2
        )


def test_adjusting_points_adds_a_ledger_entry_and_never_goes_below_zero(writing: Writing) -> None:
    # given: cleo's 100 points
    with tenant_context(writing.tenant):
        account = PointsAwardFactory(user=writing.cleo).account
    client = admin_client(writing.tenant)
    # when: 50 added, then 500 taken
    added = run_action(client, LoyaltyAccount, "adjust_points", [account], points=50, reason="Goodwill.")
    taken = run_action(client, LoyaltyAccount, "adjust_points", [account], points=-500, reason="Abuse.")
    # then: 150, one adjustment entry; the second refused with the service's reason
    assert messages_of(added) == ["1 adjusted."]
    assert len(messages_of(taken)) == 1 and messages_of(taken)[0].endswith(": Only 150 points are available.")
    assert reload(writing, account).balance == 150
    with tenant_context(writing.tenant):
        entries = PointsEntry.objects.filter(account=account, kind="adjust")
        assert [(e.points, e.reason, e.actor_id) for e in entries] == [(50, "Goodwill.", writing.admin.pk)]


def test_sending_a_campaign_now_and_a_sent_one_is_not_cancelled(writing: Writing) -> None:
    # given: a draft and a sent campaign
    with tenant_context(writing.tenant):
        draft, sent = CampaignFactory(), CampaignFactory(sent=True)
    client = admin_client(writing.tenant)
    # when
    sending = run_action(client, Campaign, "send_campaigns_now", [draft])
    cancelling = run_action(client, Campaign, "cancel_campaigns", [sent])
    # then: the draft is sending to its audience (cleo among them); the sent one stays sent
    assert messages_of(sending) == ["1 sending."]
    assert reload(writing, draft).status == CampaignStatus.SENDING
    with tenant_context(writing.tenant):
        assert CampaignRecipient.objects.filter(campaign=draft, email=writing.cleo.email).exists()
    assert messages_of(cancelling) == [f"{sent}: A sent campaign cannot be cancelled."]
    assert reload(writing, sent).status == CampaignStatus.SENT


def test_cancelling_a_draft_campaign(writing: Writing) -> None:
    with tenant_context(writing.tenant):
        draft = CampaignFactory()

    response = run_action(admin_client(writing.tenant), Campaign, "cancel_campaigns", [draft])

    assert messages_of(response) == ["1 cancelled."]
    assert reload(writing, draft).status == CampaignStatus.CANCELLED
    with tenant_context(writing.tenant):
        assert AuditLogEntry.objects.filter(verb="writing_campaign.cancelled", target_id=str(draft.pk)).exists()


def test_retiring_an_option_takes_it_off_the_order_form(
    writing: Writing, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with tenant_context(writing.tenant):
        option = OrderOptionFactory(name="Marine biology")
    client = admin_client(writing.tenant)

    def offered() -> bool:
        body = writing.client("cleo").get("/api/v1/dropdown-options/").content.decode()
        return "Marine biology" in body

    assert offered()
    with django_capture_on_commit_callbacks(execute=True):  # the cached dropdowns are dropped after commit
        assert messages_of(run_action(client, OrderOption, "retire_options", [option])) == ["1 retired."]
    assert reload(writing, option).is_active is False and not offered()
    with django_capture_on_commit_callbacks(execute=True):
        assert messages_of(run_action(client, OrderOption, "offer_options", [option])) == ["1 offered."]
    assert reload(writing, option).is_active is True and offered()


def test_withdrawing_a_bundle_takes_it_off_sale_and_purchases_keep_their_units(writing: Writing) -> None:
    with tenant_context(writing.tenant):
        purchase = BundlePurchaseFactory(client=writing.cleo)
        bundle = purchase.bundle
    client = admin_client(writing.tenant)

    assert messages_of(run_action(client, Bundle, "withdraw_bundles", [bundle])) == ["1 withdrawn."]
    assert reload(writing, bundle).is_active is False
    assert reload(writing, purchase).remaining == purchase.remaining
    bought = writing.client("carl").post(f"/api/v1/bundles/{bundle.pk}/buy/", {"method": "wallet"}, format="json")
    assert bought.status_code == 404  # clients see only bundles on sale

    assert messages_of(run_action(client, Bundle, "sell_bundles", [bundle])) == ["1 on sale."]
    assert reload(writing, bundle).is_active is True


# -- queries ----------------------------------------------------------------------------------

ROWS: list[tuple[type[Model], Callable[[], Any]]] = [
    (Discount, lambda: DiscountFactory()),
    (LoyaltyAccount, lambda: PointsAwardFactory()),
    (Campaign, lambda: CampaignFactory()),
    (PageRate, lambda: PageRateFactory()),
    (BundlePurchase, lambda: BundlePurchaseFactory()),
    (Referral, lambda: ReferralFactory()),
    (OrderFile, lambda: OrderFileFactory()),
    (OrderMessage, lambda: OrderMessageFactory()),
]


@pytest.mark.parametrize(("model", "make"), ROWS, ids=[m.__name__ for m, _ in ROWS])
def test_each_list_costs_the_same_queries_for_2_and_for_10_rows(
    writing: Writing, model: type[Model], make: Callable[[], Any]
) -> None:
    assert_list_queries_fixed(writing.tenant, model, make)


# -- the site ---------------------------------------------------------------------------------


def test_the_writing_site_shows_its_models_and_no_other_kinds() -> None:
    registry = tenant_admin_site("writing")._registry
    labels = {model._meta.app_label for model in registry}

    assert not any(label.startswith(("school", "store", "rental")) for label in labels)
    expected = {case.model for case in CASES}
    assert expected <= set(registry)
    for kind in ("school", "store", "rental"):
        assert not any(model._meta.app_label.startswith("writing_") for model in tenant_admin_site(kind)._registry)


# -- settings rows ----------------------------------------------------------------------------


def test_the_referral_settings_are_changed_through_the_service(writing: Writing) -> None:
    client = admin_client(writing.tenant)
    listed = client.get(admin_url(ReferralSettings), {"enabled__exact": "1", "q": "wallet"})
    assert listed.status_code == 200 and "referral settings" in listed.content.decode()
    assert client.get(admin_url(ReferralSettings, "change", 1)).status_code == 200

    response = client.post(
        admin_url(ReferralSettings, "change", 1),
        {"enabled": "on", "reward_kind": "wallet", "reward_amount": "7.50", "reward_points": "100"},
    )

    assert response.status_code == 302
    with tenant_context(writing.tenant):
        assert ReferralSettings.objects.get().reward_amount == Decimal("7.50")
        entry = AuditLogEntry.objects.get(verb="writing_referral_settings.updated", actor=writing.admin)
        assert entry.changes["reward_amount"] == "7.50"


@pytest.mark.parametrize("amount", ["٥", "0", "-1", "1e3", "7.505"])
def test_referral_rewards_of_the_wrong_shape_are_refused_by_the_form(writing: Writing, amount: str) -> None:
    client = admin_client(writing.tenant)
    client.get(admin_url(ReferralSettings))
    with tenant_context(writing.tenant):
        before = ReferralSettings.objects.get().reward_amount

    response = client.post(
        admin_url(ReferralSettings, "change", 1),
        {"enabled": "on", "reward_kind": "wallet", "reward_amount": amount, "reward_points": "100"},
    )

    assert response.status_code == 200 and "errorlist" in response.content.decode()
    with tenant_context(writing.tenant):
        assert ReferralSettings.objects.get().reward_amount == before
        assert not AuditLogEntry.objects.filter(verb="writing_referral_settings.updated").exists()


def test_the_message_settings_are_changed_through_the_service(writing: Writing) -> None:
    client = admin_client(writing.tenant)
    assert "message settings" in client.get(admin_url(MessageSettings), {"q": "US"}).content.decode()

    response = client.post(admin_url(MessageSettings, "change", 1), {"phone_region": "GB"})  # masking off

    assert response.status_code == 302
    with tenant_context(writing.tenant):
        row = MessageSettings.objects.get()
        assert (row.block_contact_details, row.phone_region) == (False, "GB")
        assert AuditLogEntry.objects.filter(verb="writing_message_settings.updated", actor=writing.admin).exists()
    # an unknown region is refused by the form
    refused = client.post(admin_url(MessageSettings, "change", 1), {"phone_region": "ZZ"})
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()


@pytest.mark.parametrize("model", [ReferralSettings, MessageSettings], ids=lambda m: m.__name__)
def test_other_roles_cannot_change_the_settings(writing: Writing, model: type[Model]) -> None:
    admin_client(writing.tenant).get(admin_url(model))  # the row exists
    client = session_client(writing.tenant, writing.sue)

    for response in (client.get(admin_url(model)), client.post(admin_url(model, "change", 1), {})):
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    with tenant_context(writing.tenant):
        assert not AuditLogEntry.objects.filter(verb__endswith="settings.updated").exists()


def test_a_settings_save_the_service_refuses_shows_its_reason_and_changes_nothing(
    writing: Writing, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: a site where loyalty points are not available (the service then refuses points rewards)
    from tenant_apps.writing.referrals import services as referrals

    monkeypatch.setattr(referrals, "points_available", lambda: False)
    client = admin_client(writing.tenant)
    client.get(admin_url(ReferralSettings))
    with tenant_context(writing.tenant):
        before = ReferralSettings.objects.get().reward_amount
    # when: the admin switches rewards to points and changes the amount too
    response = client.post(
        admin_url(ReferralSettings, "change", 1),
        {"enabled": "on", "reward_kind": "points", "reward_amount": "9.00", "reward_points": "100"},
    )
    # then: back to the page with the service's reason; nothing saved, nothing audited
    assert response.status_code == 302
    assert messages_of(response) == ["Points rewards need the loyalty app."]
    with tenant_context(writing.tenant):
        row = ReferralSettings.objects.get()
        assert (row.reward_kind, row.reward_amount) == ("wallet", before)
        assert not AuditLogEntry.objects.filter(
            verb__in=["writing_referral_settings.updated", "admin.changed"]
        ).exists()
