"""Attacks on the shared services' admin pages (users, tickets, invoices, payments, wallets,
files, audit log): forged selections and query values never crash a page or change a row, CSRF is
enforced on actions, a demoted admin's session decides nothing, look-alike digits are not money,
and one site's ids posted to another site's admin change nothing there."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tenant_apps.payments.models import Payment
from tenant_apps.wallet.models import LedgerEntry, Wallet
from tests.admin import admin_client, admin_url, messages_of
from tests.conftest import PASSWORD, host_of
from tests.factories import InvoiceFactory, PaymentFactory, UserFactory, WalletFactory, create_in

pytestmark = pytest.mark.django_db

PAYMENTS = "/admin/payments/payment/"


def _pending_payment(tenant: Tenant, email: str) -> Payment:
    with tenant_context(tenant):
        customer = UserFactory(email=email, roles=["student"])
        return PaymentFactory(invoice=InvoiceFactory(customer=customer))


def _status(tenant: Tenant, payment: Payment) -> str:
    with tenant_context(tenant):
        return Payment.objects.get(pk=payment.pk).status


FORGED_IDS = ["abc", "1e9999", "99999999999999999999999", "-1", "0", "", "1 OR 1=1", "\x00"]


@pytest.mark.parametrize(
    ("url", "action", "extra"),
    [
        (PAYMENTS, "approve_payments", {"index": "0"}),
        (PAYMENTS, "reject_payments", {"apply": "1", "reason": "forged"}),
        ("/admin/payments/invoice/", "cancel_invoices", {"apply": "1", "reason": "forged"}),
        ("/admin/accounts/user/", "log_out_everywhere", {"index": "0"}),
        ("/admin/tickets/ticket/", "close_tickets", {"index": "0"}),
        ("/admin/wallet/wallet/", "adjust_balance", {"apply": "1", "amount": "5", "reason": "forged"}),
    ],
)
def test_forged_selections_answer_no_server_error_and_change_nothing(
    alpha: Tenant, url: str, action: str, extra: dict[str, str]
) -> None:
    payment = _pending_payment(alpha, "ann@alpha.test")
    client = admin_client(alpha)

    response = client.post(url, {"action": action, "_selected_action": FORGED_IDS, **extra})

    assert response.status_code in (200, 302)
    assert _status(alpha, payment) == "pending"
    with tenant_context(alpha):
        assert not LedgerEntry.objects.exists() or not LedgerEntry.objects.filter(memo="forged").exists()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/files/storedfile/not-a-uuid/change/",
        "/admin/payments/payment/abc/change/",
        "/admin/payments/payment/99999999999999999999/change/",
        "/admin/payments/payment/?status__exact=zzz",
        "/admin/payments/payment/?id=abc",
        "/admin/payments/payment/?o=99",
        "/admin/payments/invoice/?issued_at__year=abc",
        "/admin/audit/auditlogentry/?created_at__year=abc&created_at__month=13",
        "/admin/audit/auditlogentry/?actor__id__exact=abc",
        "/admin/accounts/user/?role=nope",
        "/admin/accounts/user/?password__startswith=pbkdf2",
        "/admin/wallet/ledgerentry/?wallet__id__exact=abc",
        "/admin/tickets/ticket/?assignee__id__exact=abc",
        "/admin/tickets/ticket/?q=%00",
    ],
)
def test_bad_query_values_never_answer_a_server_error(alpha: Tenant, url: str) -> None:
    response = admin_client(alpha).get(url)

    assert response.status_code in (200, 302, 400, 404), response.status_code  # 400: the NUL guard's JSON


def test_lookups_on_secrets_are_not_allowed(alpha: Tenant) -> None:
    """``?password__startswith=`` would let a signed-in admin guess hashes a character at a time."""
    create_in(alpha, UserFactory, email="ann@alpha.test", roles=["student"])
    client = admin_client(alpha)

    for field in ("password", "token_version"):
        response = client.get(f"/admin/accounts/user/?{field}__startswith=p")
        assert response.status_code == 400, field  # Django's DisallowedModelAdminLookup, as JSON
        assert "ann@alpha.test" not in response.content.decode()
    assert client.get("/admin/accounts/user/?email__startswith=ann").status_code == 200  # the control


def test_actions_need_the_csrf_token(alpha: Tenant) -> None:
    payment = _pending_payment(alpha, "ann@alpha.test")
    client = Client(HTTP_HOST=host_of(alpha), enforce_csrf_checks=True)
    client.get("/admin/login/")
    token = client.cookies["csrftoken"].value
    signed_in = client.post(
        "/admin/login/?next=/admin/",
        {"username": "admin@alpha.test", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert signed_in.status_code == 302
    form = {"action": "approve_payments", "_selected_action": [payment.pk], "index": "0"}

    forged = client.post(PAYMENTS, form)

    assert forged.status_code == 403
    assert _status(alpha, payment) == "pending"
    token = client.cookies["csrftoken"].value  # rotated on sign-in
    assert client.post(PAYMENTS, {**form, "csrfmiddlewaretoken": token}).status_code == 302  # the control
    assert _status(alpha, payment) == "approved"


def test_a_demoted_admins_session_decides_nothing(alpha: Tenant) -> None:
    second = create_in(alpha, UserFactory, email="second@alpha.test", roles=["admin"])
    payment = _pending_payment(alpha, "ann@alpha.test")
    theirs = admin_client(alpha, "second@alpha.test")
    assert theirs.get(PAYMENTS).status_code == 200

    admin_client(alpha).post(
        admin_url("accounts.user", "change", second.pk), {"roles": ["teacher"], "is_active": "on", "_save": "Save"}
    )
    refused = theirs.post(PAYMENTS, {"action": "approve_payments", "_selected_action": [payment.pk], "index": "0"})

    assert refused.status_code == 302 and refused["Location"].startswith("/admin/login/")
    assert _status(alpha, payment) == "pending"
    with tenant_context(alpha):
        assert User.objects.get(pk=second.pk).role_names == ["teacher"]


@pytest.mark.parametrize("amount", ["\u0661\u0660", "\uff11\uff10", "1e1", "Infinity", "NaN", "10,00"])
def test_look_alike_digits_and_spellings_are_not_amounts(alpha: Tenant, amount: str) -> None:
    user = create_in(alpha, UserFactory, email="ann@alpha.test", roles=["student"])
    wallet = create_in(alpha, WalletFactory, user=user, balance="20.00")

    response = admin_client(alpha).post(
        "/admin/wallet/wallet/",
        {"action": "adjust_balance", "_selected_action": [wallet.pk], "apply": "1", "amount": amount, "reason": "x"},
    )

    assert response.status_code == 200 and "Enter a number." in response.content.decode()
    with tenant_context(alpha):
        assert Wallet.objects.get(pk=wallet.pk).balance == Decimal("20.00")
        assert LedgerEntry.objects.filter(wallet=wallet).count() == 1


def test_another_sites_ids_posted_to_an_admin_change_nothing_there(alpha: Tenant, beta: Tenant) -> None:
    victim = _pending_payment(beta, "victim@beta.test")
    with tenant_context(beta):
        wallet = WalletFactory(user=User.objects.get(email="victim@beta.test"), balance="50.00")
    client = admin_client(alpha)

    approve = client.post(PAYMENTS, {"action": "approve_payments", "_selected_action": [victim.pk], "index": "0"})
    adjust = client.post(
        "/admin/wallet/wallet/",
        {"action": "adjust_balance", "_selected_action": [wallet.pk], "apply": "1", "amount": "-50", "reason": "x"},
        follow=True,
    )

    assert approve.status_code == 302
    assert not any("victim" in m for m in messages_of(adjust))
    assert _status(beta, victim) == "pending"
    with tenant_context(beta):
        assert Wallet.objects.get(pk=wallet.pk).balance == Decimal("50.00")


def test_the_user_pages_ignore_fields_they_do_not_offer(alpha: Tenant) -> None:
    """Mass assignment through the admin's user forms: platform flags, password, token version."""
    client = admin_client(alpha)
    forged = {"is_staff": "on", "is_superuser": "on", "password": "pbkdf2_sha256$1$x$y", "token_version": "0"}

    client.post("/admin/accounts/user/add/", {"email": "new@alpha.test", "roles": ["student"], **forged})
    with tenant_context(alpha):
        new = User.objects.get(email="new@alpha.test")
        version = new.token_version
    client.post(
        admin_url("accounts.user", "change", new.pk),
        {"roles": ["student"], "is_active": "on", "email": "other@alpha.test", "_save": "Save", **forged},
    )

    with tenant_context(alpha):
        new = User.objects.get(pk=new.pk)
        assert (new.email, new.is_staff, new.is_superuser, new.has_usable_password()) == (
            "new@alpha.test",
            False,
            False,
            False,
        )
        assert new.token_version == version
