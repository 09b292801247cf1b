"""A special order from request to completion through the API: quoted by an admin with a plan,
accepted (an invoice per installment), paid in two installments from the wallet, started once the
first is paid and completed once both are."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from django_tenants.utils import tenant_context

from tenant_apps.notifications.models import Notification
from tenant_apps.payments.models import Invoice
from tenant_apps.wallet.selectors import wallet_of
from tests.api import error_code
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.orders.conftest import fund
from tests.tenant_apps.writing.special_orders.conftest import SPECIAL, make_special, pay_url, quote_body, special_url


def test_a_special_order_paid_in_two_installments(writing: Writing) -> None:
    cleo, admin = writing.client("cleo"), writing.client("admin")
    # given: cleo asks for a special order
    created = cleo.post(SPECIAL, {"title": "A custom thesis", "description": "40 pages."}, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["status"] == "requested"
    assert created.json()["total"] is None
    # when: an admin quotes 100.00 in two installments
    quoted = admin.post(special_url(pk, "quote/"), quote_body(admin_note="Two parts."), format="json")
    assert quoted.status_code == 200, quoted.content
    body = quoted.json()
    assert (body["status"], body["total"], body["admin_note"]) == ("quoted", "100.00", "Two parts.")
    assert [(i["sequence"], i["amount"], i["status"], i["invoice_number"]) for i in body["installments"]] == [
        (1, "50.00", "pending", None),
        (2, "50.00", "pending", None),
    ]
    # and: cleo accepts: each installment gets its invoice, due on its date
    accepted = cleo.post(special_url(pk, "accept/"))
    assert accepted.status_code == 200, accepted.content
    plan = accepted.json()["installments"]
    assert accepted.json()["status"] == "accepted"
    with tenant_context(writing.tenant):
        invoices = [Invoice.objects.get(number=i["invoice_number"]) for i in plan]
    assert [(inv.total, inv.due_date.isoformat(), inv.status) for inv in invoices] == [
        (Decimal("50.00"), plan[0]["due_date"], "unpaid"),
        (Decimal("50.00"), plan[1]["due_date"], "unpaid"),
    ]
    # then: the work cannot start before the first installment is paid
    early = admin.post(special_url(pk, "start/"), {}, format="json")
    assert (early.status_code, error_code(early)) == (409, "installments_unpaid")
    # and: the second installment cannot be paid before the first
    fund(writing, "cleo", "100.00")
    ahead = cleo.post(pay_url(pk, 2))
    assert (ahead.status_code, error_code(ahead)) == (409, "installment_out_of_order")
    # when: cleo pays the first from her wallet; the admin starts the work with wren
    first = cleo.post(pay_url(pk, 1))
    assert first.status_code == 200, first.content
    assert [i["status"] for i in first.json()["installments"]] == ["paid", "pending"]
    started = admin.post(special_url(pk, "start/"), {"writer": writing.wren.pk}, format="json")
    assert started.status_code == 200, started.content
    assert (started.json()["status"], started.json()["writer"]["id"]) == ("in_progress", writing.wren.pk)
    # then: it cannot be completed before the second is paid
    unpaid = admin.post(special_url(pk, "complete/"))
    assert (unpaid.status_code, error_code(unpaid)) == (409, "installments_unpaid")
    assert unpaid.json()["error"]["details"]["unpaid"] == [2]
    # when: cleo pays the second; the admin completes it
    second = cleo.post(pay_url(pk, 2))
    assert second.status_code == 200, second.content
    done = admin.post(special_url(pk, "complete/"))
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "completed"
    assert [i["status"] for i in done.json()["installments"]] == ["paid", "paid"]
    # then: both invoices are paid and cleo's wallet paid 100.00
    with tenant_context(writing.tenant):
        assert [Invoice.objects.get(pk=inv.pk).status for inv in invoices] == ["paid", "paid"]
        assert wallet_of(user=writing.cleo).balance == Decimal("0.00")
        verbs = set(Notification.objects.filter(recipient=writing.cleo).values_list("verb", flat=True))
    assert {"special_order.quoted", "special_order.installment_paid", "special_order.completed"} <= verbs
    # and: paying again is refused
    again = cleo.post(pay_url(pk, 2))
    assert (again.status_code, error_code(again)) == (409, "invalid_status_transition")


def test_the_writer_sees_the_assigned_order_without_client_or_money(writing: Writing) -> None:
    # given
    special = make_special(writing, "in_progress", writer=writing.wren)
    # when
    response = writing.client("wren").get(special_url(special.pk))
    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["client"], body["total"], body["installments"]) == (None, None, [])
    assert writing.client("will").get(special_url(special.pk)).status_code == 404


def test_a_quote_is_refused_unless_the_plan_adds_up(writing: Writing) -> None:
    special = make_special(writing)
    admin = writing.client("admin")
    url = special_url(special.pk, "quote/")
    # amounts not adding up to the total
    wrong = admin.post(url, quote_body(total="100.00", amounts=("50.00", "49.99")), format="json")
    assert (wrong.status_code, error_code(wrong)) == (400, "validation_error")
    assert "installments" in wrong.json()["error"]["details"]
    # due dates not ascending
    body = quote_body()
    body["installments"].reverse()
    assert admin.post(url, body, format="json").status_code == 400
    # a due date in the past
    body = quote_body(amounts=("100.00",))
    body["installments"][0]["due_date"] = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert admin.post(url, body, format="json").status_code == 400
    # thirteen installments
    many = quote_body(total="13.00", amounts=("1.00",) * 13)
    assert admin.post(url, many, format="json").status_code == 400
    # a zero or over-precise amount
    assert admin.post(url, quote_body(amounts=("100.00", "0.00")), format="json").status_code == 400
    assert admin.post(url, quote_body(total="100.001", amounts=("100.001",)), format="json").status_code == 400
    # nothing was stored
    assert writing.client("admin").get(special_url(special.pk)).json()["status"] == "requested"


def test_a_quote_may_be_changed_until_accepted(writing: Writing) -> None:
    special = make_special(writing, "quoted")
    admin = writing.client("admin")
    response = admin.post(
        special_url(special.pk, "quote/"), quote_body(total="90.00", amounts=("30.00", "30.00", "30.00")), format="json"
    )
    assert response.status_code == 200, response.content
    assert [i["amount"] for i in response.json()["installments"]] == ["30.00", "30.00", "30.00"]
    assert writing.client("cleo").post(special_url(special.pk, "accept/")).status_code == 200
    again = admin.post(special_url(special.pk, "quote/"), quote_body(), format="json")
    assert (again.status_code, error_code(again)) == (409, "invalid_status_transition")


def test_the_client_declines_a_quote(writing: Writing) -> None:
    special = make_special(writing, "quoted")
    response = writing.client("cleo").post(special_url(special.pk, "decline/"), {"reason": "Too dear."}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["reason"]) == ("declined", "Too dear.")
    assert writing.client("cleo").post(special_url(special.pk, "accept/")).status_code == 409


def test_cancelling_an_accepted_order_calls_off_its_unpaid_invoices(writing: Writing) -> None:
    # given: accepted, the first installment paid
    special = make_special(writing, "accepted")
    fund(writing, "cleo", "50.00")
    assert writing.client("cleo").post(pay_url(special.pk, 1)).status_code == 200
    # the client may no longer cancel it
    refused = writing.client("cleo").post(special_url(special.pk, "cancel/"), {}, format="json")
    assert refused.status_code == 403
    # when: an admin cancels
    response = writing.client("admin").post(special_url(special.pk, "cancel/"), {"reason": "Gone."}, format="json")
    # then: the paid one stays paid, the other is cancelled with its invoice
    assert response.status_code == 200
    plan = response.json()["installments"]
    assert [i["status"] for i in plan] == ["paid", "cancelled"]
    with tenant_context(writing.tenant):
        assert Invoice.objects.get(number=plan[1]["invoice_number"]).status == "cancelled"
        assert Invoice.objects.get(number=plan[0]["invoice_number"]).status == "paid"
    assert writing.client("cleo").post(pay_url(special.pk, 2)).status_code == 409


def test_accepting_an_expired_quote_is_refused(writing: Writing) -> None:
    # given: a quote whose first due date has passed since
    special = make_special(writing, "quoted")
    with tenant_context(writing.tenant):
        special.installments.filter(sequence=1).update(due_date=timezone.localdate() - timedelta(days=1))
    # when
    response = writing.client("cleo").post(special_url(special.pk, "accept/"))
    # then
    assert (response.status_code, error_code(response)) == (409, "quote_expired")


def test_paying_without_funds_answers_402(writing: Writing) -> None:
    special = make_special(writing, "accepted")
    response = writing.client("cleo").post(pay_url(special.pk, 1))
    assert (response.status_code, error_code(response)) == (402, "insufficient_funds")
    missing = writing.client("cleo").post(pay_url(special.pk, 3))
    assert missing.status_code == 404


def test_the_list_filters_by_status(writing: Writing) -> None:
    make_special(writing)
    quoted = make_special(writing, "quoted")
    response = writing.client("cleo").get(SPECIAL, {"status": "quoted"})
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [quoted.pk]
    assert writing.client("cleo").get(SPECIAL, {"status": "nonsense"}).status_code == 400


def test_marking_an_installment_paid_twice_changes_nothing(writing: Writing) -> None:
    from tenant_apps.payments.signals import invoice_paid
    from tenant_apps.writing.special_orders.models import Installment

    # given: installment 1 paid from the wallet
    special = make_special(writing, "accepted")
    fund(writing, "cleo", "50.00")
    assert writing.client("cleo").post(pay_url(special.pk, 1)).status_code == 200
    with tenant_context(writing.tenant):
        installment = Installment.objects.select_related("invoice").get(special_order=special, sequence=1)
        told = Notification.objects.filter(verb="special_order.installment_paid").count()
        # when: invoice_paid is sent again for its invoice
        invoice_paid.send(sender=Invoice, invoice=installment.invoice)
        # then: nothing changes, nobody is told again
        again = Installment.objects.get(pk=installment.pk)
        assert (again.status, again.paid_at) == ("paid", installment.paid_at)
        assert Notification.objects.filter(verb="special_order.installment_paid").count() == told


def test_a_request_ignores_fields_it_does_not_take(writing: Writing) -> None:
    # when: cleo tries to set the status, the total and the client
    response = writing.client("cleo").post(
        SPECIAL,
        {"title": "Sneaky", "status": "completed", "total": "1.00", "currency": "XXX", "client": writing.carl.pk},
        format="json",
    )
    # then: a plain request of hers
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["total"], body["currency"], body["client"]["id"]) == (
        "requested",
        None,
        "",
        writing.cleo.pk,
    )
