"""The factories (``tests/factories/``) make valid rows through the services, in the current schema.

Each factory's row passes ``full_clean`` (fields and database constraints, checked by Django) and
holds the invariants its service keeps; what the service refuses, the factory refuses too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import models
from django_tenants.utils import tenant_context
from factory.errors import FactoryError

from saas.api.errors import ApplicationError
from tenant_apps.accounts.models import User
from tenant_apps.audit.models import AuditLogEntry
from tenant_apps.payments.models import Payment, PaymentStatus
from tenant_apps.school.lessons.models import GroupMembership
from tenant_apps.tickets.access import can_view_ticket
from tenant_apps.wallet.models import LedgerEntry
from tenant_apps.wallet.selectors import ledger_discrepancies
from tests.conftest import PASSWORD
from tests.factories import (
    AdvancedCourseEnrolmentFactory,
    AdvancedCourseFactory,
    AuditLogEntryFactory,
    AuthorFactory,
    BootcampEnrolmentFactory,
    BootcampFactory,
    BrandFactory,
    CategoryFactory,
    GroupMembershipFactory,
    InvoiceFactory,
    LedgerEntryFactory,
    LessonFactory,
    NotificationFactory,
    PaymentFactory,
    ProductFactory,
    ProductImageFactory,
    ProductPurchaseFactory,
    SaleEventFactory,
    SellerAccountFactory,
    StoredFileFactory,
    StoreProductFactory,
    StripePaymentFactory,
    TicketAttachmentFactory,
    TicketFactory,
    TicketMessageFactory,
    UserFactory,
    WalletFactory,
    create_in,
)
from tests.factories.billing import PlanFactory
from tests.factories.programs import WALK
from tests.factories.tenancy import DomainFactory, TenantFactory

D = Decimal

#: One call per factory of a tenant model, with its defaults: what the other tests build on.
SCHOOL_FACTORIES: dict[str, Callable[[], models.Model]] = {
    "user": UserFactory,
    "stored_file": StoredFileFactory,
    "invoice": InvoiceFactory,
    "payment": PaymentFactory,
    "stripe_payment": StripePaymentFactory,
    "wallet": WalletFactory,
    "ledger_entry": LedgerEntryFactory,
    "ticket": TicketFactory,
    "ticket_message": TicketMessageFactory,
    "ticket_attachment": TicketAttachmentFactory,
    "notification": NotificationFactory,
    "audit_log_entry": AuditLogEntryFactory,
    "bootcamp": BootcampFactory,
    "advanced_course": AdvancedCourseFactory,
    "bootcamp_enrolment": BootcampEnrolmentFactory,
    "advanced_course_enrolment": AdvancedCourseEnrolmentFactory,
    "author": AuthorFactory,
    "product": ProductFactory,
    "lesson": LessonFactory,
    "product_purchase": ProductPurchaseFactory,
    "group_membership": GroupMembershipFactory,
}


@pytest.fixture
def in_alpha(alpha: Any) -> Iterator[Any]:
    """The test body runs in alpha's schema (a school)."""
    with tenant_context(alpha):
        yield alpha


@pytest.mark.parametrize("name", SCHOOL_FACTORIES)
def test_each_factory_makes_a_valid_stored_row_in_the_current_schema(in_alpha: Any, name: str) -> None:
    # when
    row = SCHOOL_FACTORIES[name]()
    # then: its fields and the database constraints hold (Django checks both), and it is stored
    row.full_clean()
    assert type(row)._default_manager.filter(pk=row.pk).exists()


def test_a_user_gets_the_kinds_default_role_a_password_and_an_audit_row(alpha: Any, gamma: Any) -> None:
    # when
    student = create_in(alpha, UserFactory, email="Ann@Alpha.TEST")
    customer = create_in(gamma, UserFactory)
    # then
    with tenant_context(alpha):
        assert student.email == "ann@alpha.test"
        assert student.role_names == ["student"]
        assert student.check_password(PASSWORD)
        assert AuditLogEntry.objects.filter(verb="user.created", target_id=str(student.pk)).exists()
        assert not User.objects.filter(email=customer.email).exists()
    with tenant_context(gamma):
        assert customer.role_names == ["customer"]


def test_a_user_factory_refuses_what_user_create_refuses(in_alpha: Any) -> None:
    UserFactory(email="taken@alpha.test")
    with pytest.raises(ApplicationError) as unknown:
        UserFactory(roles=["wizard"])
    with pytest.raises(ApplicationError) as taken:
        UserFactory(email="TAKEN@alpha.test")
    assert (unknown.value.code, taken.value.code) == ("invalid_role", "email_taken")


def test_a_factory_never_builds_an_unsaved_row(in_alpha: Any) -> None:
    with pytest.raises(FactoryError, match="only creates rows"):
        UserFactory.build()


def test_a_wallet_equals_the_sums_of_its_ledger(in_alpha: Any) -> None:
    # when
    wallet = WalletFactory(balance="30.00", held_balance="12.50")
    entry = LedgerEntryFactory(wallet=wallet, kind="payment", amount="5.00")
    wallet.refresh_from_db()
    # then
    assert (wallet.balance, wallet.held_balance) == (D("25.00"), D("12.50"))
    entries = LedgerEntry.objects.filter(wallet=wallet)
    assert sum(e.balance_delta for e in entries) == wallet.balance
    assert sum(e.held_delta for e in entries) == wallet.held_balance
    assert entry.balance_after == wallet.balance
    assert ledger_discrepancies(wallet_ids=[wallet.pk]) == []


def test_a_ledger_entry_cannot_spend_money_the_wallet_does_not_have(in_alpha: Any) -> None:
    wallet = WalletFactory(balance="1.00")
    with pytest.raises(ApplicationError) as refused:
        LedgerEntryFactory(wallet=wallet, kind="payout", amount="2.00")
    assert refused.value.code == "insufficient_funds"


def test_a_wallet_in_another_currency_is_one_opened_while_the_site_used_it(in_alpha: Any) -> None:
    wallet = WalletFactory(currency="JPY", balance="500")
    assert (wallet.currency, wallet.balance) == ("JPY", D("500.00"))
    assert ledger_discrepancies(wallet_ids=[wallet.pk]) == []


def test_invoice_states_are_derived_from_its_payments(in_alpha: Any) -> None:
    # when
    unpaid = InvoiceFactory(total="80.00")
    partly = InvoiceFactory(total="80.00", amount_paid="30.00")
    paid = InvoiceFactory(total="80.00", paid=True)
    cancelled = InvoiceFactory(cancelled=True)
    # then
    assert [(i.status, i.amount_paid) for i in (unpaid, partly, paid)] == [
        ("unpaid", D("0.00")),
        ("partially_paid", D("30.00")),
        ("paid", D("80.00")),
    ]
    assert paid.paid_at is not None
    for invoice in (unpaid, partly, paid):
        approved = Payment.objects.filter(invoice=invoice, status=PaymentStatus.APPROVED)
        assert sum((p.amount for p in approved), D("0")) == invoice.amount_paid
    assert (cancelled.status, cancelled.cancelled_at is not None) == ("cancelled", True)
    assert len({unpaid.number, partly.number, paid.number, cancelled.number}) == 4


def test_payments_are_decided_by_a_finance_user_and_never_overpay(in_alpha: Any) -> None:
    # given
    invoice = InvoiceFactory(total="50.00")
    # when
    rejected = PaymentFactory(invoice=invoice, amount="20.00", rejected=True)
    approved = PaymentFactory(invoice=invoice, amount="20.00", approved=True)
    # then
    invoice.refresh_from_db()
    assert (rejected.status, approved.status) == ("rejected", "approved")
    assert approved.decided_by is not None and approved.decided_by.pk != approved.payer.pk
    assert approved.receipt is not None and approved.receipt.uploaded_by_id == invoice.customer_id
    assert (invoice.status, invoice.amount_paid) == ("partially_paid", D("20.00"))
    with pytest.raises(ApplicationError) as refused:
        PaymentFactory(invoice=invoice, amount="30.01")
    assert refused.value.code == "overpayment"


def test_a_card_payment_is_pending_with_its_intent_and_reserves_its_amount(in_alpha: Any) -> None:
    # when
    card = StripePaymentFactory(invoice__total="60.00", amount="45.00", payment_intent_id="pi_reserved")
    # then
    assert (card.method, card.status, card.stripe_payment_intent_id) == ("stripe", "pending", "pi_reserved")
    assert AuditLogEntry.objects.filter(verb="payment.stripe_started", target_id=str(card.pk)).exists()
    with pytest.raises(ApplicationError) as refused:
        PaymentFactory(invoice=card.invoice, amount="15.01")
    assert refused.value.code == "overpayment"


@pytest.mark.parametrize("status", WALK)
def test_a_program_is_walked_to_its_status(in_alpha: Any, status: str) -> None:
    program = BootcampFactory(status=status)
    program.full_clean()
    assert program.status == status


def test_an_approved_enrolment_has_a_seat_and_an_invoice_for_the_price(in_alpha: Any) -> None:
    # when
    enrolment = BootcampEnrolmentFactory(approved=True, program__price="900.00")
    rejected = AdvancedCourseEnrolmentFactory(rejected=True)
    # then
    assert enrolment.status == "approved"
    assert enrolment.invoice is not None
    assert (enrolment.invoice.total, enrolment.invoice.customer_id) == (D("900.00"), enrolment.student_id)
    assert (rejected.status, rejected.invoice_id) == ("rejected", None)


def test_an_enrolment_factory_refuses_a_seat_the_program_does_not_have(in_alpha: Any) -> None:
    program = BootcampFactory(open=True, capacity=1)
    BootcampEnrolmentFactory(program=program, approved=True)
    assert BootcampEnrolmentFactory(program=program, waitlisted=True).status == "waitlisted"
    with pytest.raises(ValueError, match="waitlisted"):
        BootcampEnrolmentFactory(program=program, approved=True)


def test_a_paid_purchase_seats_its_student_in_a_study_group(in_alpha: Any) -> None:
    # when
    product = ProductFactory(published=True, lessons=2)
    purchase = ProductPurchaseFactory(product=product, paid=True)
    membership = GroupMembershipFactory(product=product)
    # then
    assert [lesson.order for lesson in product.lessons.all()] == [1, 2]
    assert (purchase.status, purchase.invoice.status) == ("paid", "paid")
    assert purchase.paid_at is not None
    seated = GroupMembership.objects.filter(product=product)
    assert sorted(m.student_id for m in seated) == sorted([purchase.student_id, membership.student_id])
    for group in product.groups.all():
        assert group.member_count == group.memberships.count() <= group.capacity


def test_an_unpublished_product_cannot_be_bought(in_alpha: Any) -> None:
    with pytest.raises(ApplicationError) as refused:
        ProductPurchaseFactory(product=ProductFactory())
    assert refused.value.code == "product_unavailable"


def test_a_ticket_belongs_to_its_creator_and_moves_by_the_services(in_alpha: Any) -> None:
    # given
    assignee = UserFactory(roles=["teacher"])
    # when
    ticket = TicketFactory(assignee=assignee)
    closed = TicketFactory(closed=True)
    answered = TicketFactory(answered=True)
    attachment = TicketAttachmentFactory(ticket=ticket)
    # then
    assert can_view_ticket(ticket.created_by, ticket) and can_view_ticket(assignee, ticket)
    assert ticket.assignee == assignee
    assert [m.author_id for m in ticket.messages.all()] == [ticket.created_by_id, ticket.created_by_id]
    assert attachment.file.uploaded_by_id == ticket.created_by_id
    assert (closed.status, closed.closed_at is not None) == ("closed", True)
    assert answered.status == "answered"
    with pytest.raises(ApplicationError) as refused:
        TicketMessageFactory(ticket=closed)
    assert refused.value.code == "ticket_closed"


def test_notifications_and_audit_rows_point_at_their_target(in_alpha: Any) -> None:
    # given
    user = UserFactory()
    # when
    notification = NotificationFactory(target=user, seen=True)
    entry = AuditLogEntryFactory(actor=user, verb="test.checked", target=user, changes={"a": 1})
    # then
    notification.refresh_from_db()
    assert (notification.content_object, notification.read) == (user, True)
    assert (entry.target, entry.actor_repr, entry.changes) == (user, user.email, {"a": 1})


def test_tenants_are_provisioned_and_domains_keep_one_primary(session_tenants: Any, db: None) -> None:
    # when
    tenant = TenantFactory(kind="store")
    alias = DomainFactory(tenant=tenant, is_primary=True)
    # then
    tenant.full_clean()
    assert tenant.status == "active"
    assert list(tenant.domains.filter(is_primary=True)) == [alias]
    with tenant_context(tenant):
        assert User.objects.get().role_names == ["admin"]


def test_plans_are_made_by_the_plan_service_and_refuse_what_it_refuses(db: None) -> None:
    # when
    plan = PlanFactory(limits={"users": 3, "products": None}, stripe_price_id="price_synced")
    # then
    plan.full_clean()
    assert (plan.price, plan.currency, plan.interval, plan.stripe_price_id) == (
        D("0.00"),
        "USD",
        "month",
        "price_synced",
    )
    assert plan.limits == {"users": 3, "products": None}
    with pytest.raises(ApplicationError) as refused:
        PlanFactory(limits={"seats": 3})
    assert refused.value.code == "validation_error"


# --- The store (gamma): catalog, auctions, reviews ---------------------------------------------
# --- Store orders (tests/factories/store_orders.py) ------------------------------------------------


@pytest.fixture
def in_gamma(gamma: Any) -> Iterator[Any]:
    """The test body runs in gamma's schema (a store)."""
    with tenant_context(gamma):
        yield gamma


STORE_CATALOG_FACTORIES: dict[str, Callable[[], models.Model]] = {
    "category": CategoryFactory,
    "brand": BrandFactory,
    "store_product": StoreProductFactory,
    "product_image": ProductImageFactory,
    "sale_event": SaleEventFactory,
    "seller_account": SellerAccountFactory,
}


@pytest.mark.parametrize("name", STORE_CATALOG_FACTORIES)
def test_each_store_catalog_factory_makes_a_valid_stored_row(in_gamma: Any, name: str) -> None:
    row = STORE_CATALOG_FACTORIES[name]()
    row.full_clean()
    assert type(row)._default_manager.filter(pk=row.pk).exists()


def test_store_catalog_factories_walk_the_approval_flows(in_gamma: Any) -> None:
    # when
    approved, rejected = BrandFactory(approved=True), BrandFactory(rejected=True)
    product = StoreProductFactory(approved=True, brand=approved, images=2, seller=approved.owner)
    child = CategoryFactory(parent=product.category)
    sale = SaleEventFactory(products=[product], percent="30")
    account = SellerAccountFactory(points=75)
    # then
    assert (approved.status, rejected.status, rejected.rejection_reason != "") == ("approved", "rejected", True)
    assert (product.status, product.brand_id, product.images.count()) == ("approved", approved.pk, 2)
    assert all(image.thumbnail_id for image in product.images.all())
    assert child.get_depth() == 2 and sale.products.get() == product
    assert (account.points, account.entries.count()) == (75, 1)
    with pytest.raises(ApplicationError) as refused:
        BrandFactory(owner=UserFactory(roles=["seller"]))
    assert refused.value.code == "rank_too_low"


def test_store_factories_make_valid_rows(in_gamma: Any) -> None:
    from tests.factories.store_auctions import AuctionFactory, BidFactory
    from tests.factories.store_reviews import ReviewFactory

    for make in (AuctionFactory, BidFactory, ReviewFactory):
        row = make()
        row.full_clean()
        assert type(row)._default_manager.filter(pk=row.pk).exists()


def test_an_auction_is_walked_to_its_status_and_a_bid_is_held(in_gamma: Any) -> None:
    from tenant_apps.wallet.selectors import wallet_of
    from tests.factories.store_auctions import AuctionFactory, BidFactory

    # when
    statuses = {s: AuctionFactory(status=s).status for s in ("pending", "scheduled", "rejected", "closed")}
    bid = BidFactory(amount="12.00")
    # then
    assert statuses == {s: s for s in statuses}
    assert wallet_of(user=bid.bidder).held_balance == D("12.00")
    with pytest.raises(ApplicationError):  # below the minimum: the service refuses it, so does the factory
        BidFactory(auction=bid.auction, amount="12.50")


def test_a_review_updates_its_products_aggregates(in_gamma: Any) -> None:
    from tests.factories.store_reviews import ReviewFactory

    # when
    review = ReviewFactory(rating=2)
    # then
    review.product.refresh_from_db()
    assert (review.product.avg_rating, review.product.ratings_count) == (D("2.00"), 1)


@pytest.mark.parametrize("status", ["created", "processing", "shipped", "delivered", "completed", "cancelled"])
def test_a_store_order_is_walked_to_its_state_through_the_services(in_gamma: Any, status: str) -> None:
    from tenant_apps.store.orders.models import Order
    from tenant_apps.wallet.selectors import wallet_of
    from tests.factories import StoreOrderFactory

    order = StoreOrderFactory(status=status)
    stored = Order.objects.get(pk=order.pk)
    stored.full_clean()
    assert stored.status == status
    held = wallet_of(user=stored.buyer).held_balance
    assert held == (stored.total if status in ("created", "processing", "shipped", "delivered") else 0)
    assert ledger_discrepancies() == []


def test_a_cart_line_refuses_what_cart_item_add_refuses(in_gamma: Any) -> None:
    from tests.factories import CartItemFactory, StoreProductFactory, UserFactory

    seller = UserFactory(roles=["seller"])
    line = CartItemFactory(product=StoreProductFactory(seller=seller, stock=2, approved=True), quantity=2)
    line.full_clean()
    with pytest.raises(ApplicationError):
        CartItemFactory(product=StoreProductFactory(seller=seller, stock=1, approved=True), quantity=2)


# --- Store returns (tests/factories/store_returns.py) -----------------------------------------------


@pytest.mark.parametrize("status", ["requested", "received", "inspected", "approved", "rejected"])
def test_a_store_return_is_walked_to_its_status_through_the_services(in_gamma: Any, status: str) -> None:
    from tenant_apps.wallet.selectors import wallet_of
    from tests.factories import ReturnRequestFactory

    # when
    made = ReturnRequestFactory(status=status)
    # then
    made.full_clean()
    assert made.status == status
    assert made.items.count() == 1
    refunded = status == "approved"
    assert (made.refund_amount is not None) == refunded
    assert wallet_of(user=made.buyer).held_balance == (0 if refunded else made.order.total)
    assert ledger_discrepancies() == []


# --- Rental bookings (tests/factories/rental_bookings.py) --------------------------------------------


@pytest.mark.parametrize("status", ["pending", "confirmed", "cancelled", "expired", "completed"])
def test_a_rental_booking_is_walked_to_its_status_through_the_services(echo: Any, status: str) -> None:
    from tenant_apps.rental.bookings.models import Booking
    from tests.factories import BookingFactory

    with tenant_context(echo):
        # when: a booking of a new host's property (the default) reaches ``status``
        made = BookingFactory(status=status)
        # then
        stored = Booking.objects.select_related("invoice").get(pk=made.pk)
        stored.full_clean()
        assert stored.status == status
        invoice_status = {"pending": "unpaid", "confirmed": "paid", "completed": "paid"}.get(status, "cancelled")
        assert stored.invoice is not None and stored.invoice.total == stored.total
        assert stored.invoice.status == invoice_status
        assert (stored.host_payout > 0) is (status == "completed")
        assert ledger_discrepancies() == []


def test_a_rental_booking_refuses_what_booking_create_refuses(echo: Any) -> None:
    from tests.factories import BookingFactory, PropertyFactory, in_days

    with tenant_context(echo):
        flat = PropertyFactory()
        BookingFactory(property=flat)
        with pytest.raises(ApplicationError):  # the same nights: dates_unavailable
            BookingFactory(property=flat)
        with pytest.raises(ApplicationError):  # in the past
            BookingFactory(property=flat, check_in=in_days(-3))


# --- Rental inquiries (tests/factories/rental_inquiries.py) ------------------------------------------


@pytest.mark.parametrize("status", ["new", "assigned", "in_progress", "resolved", "closed"])
def test_a_rental_inquiry_is_walked_to_its_status_through_the_services(echo: Any, status: str) -> None:
    from tenant_apps.rental.inquiries.access import can_view_inquiry
    from tests.factories import InquiryFactory, InquiryMessageFactory

    with tenant_context(echo):
        # when
        inquiry = InquiryFactory(status=status, urgent=True)
        visitor = InquiryFactory(visitor=True, low=True)
        # then
        inquiry.full_clean()
        visitor.full_clean()
        assert (inquiry.status, inquiry.severity) == (status, "urgent")
        assert (inquiry.assigned_to is None) == (status == "new")
        assert can_view_inquiry(inquiry.created_by, inquiry)
        assert visitor.created_by is None and visitor.email.endswith("@example.test")
        if status != "closed":
            message = InquiryMessageFactory(inquiry=inquiry)
            message.full_clean()
            assert message.author == inquiry.created_by
        else:
            with pytest.raises(ApplicationError):
                InquiryMessageFactory(inquiry=inquiry)


# --- Rental properties (tests/factories/rental_properties.py) ---------------------------------------


@pytest.fixture
def in_echo(echo: Any) -> Iterator[Any]:
    """The test body runs in echo's schema (a rental site)."""
    with tenant_context(echo):
        yield echo


@pytest.mark.parametrize("name", ["amenity", "property", "blocked_period"])
def test_each_rental_properties_factory_makes_a_valid_stored_row(in_echo: Any, name: str) -> None:
    from tests.factories import AmenityFactory, BlockedPeriodFactory, PropertyFactory

    factories: dict[str, Callable[[], models.Model]] = {
        "amenity": AmenityFactory,
        "property": PropertyFactory,
        "blocked_period": BlockedPeriodFactory,
    }
    row = factories[name]()
    row.full_clean()
    assert type(row)._default_manager.filter(pk=row.pk).exists()


def test_a_property_factory_makes_drafts_and_photos_through_the_services(in_echo: Any) -> None:
    from tests.factories import PropertyFactory

    # when
    draft = PropertyFactory(unpublished=True, with_photo=True)
    # then
    assert draft.status == "unpublished"
    assert draft.photos.count() == 1
    assert draft.photos.get().file.content_type == "image/png"
    assert AuditLogEntry.objects.filter(verb="property.created", target_id=str(draft.pk)).exists()


# --- Writing pricing (tests/factories/writing_pricing.py) -------------------------------------------


@pytest.fixture
def in_golf(golf: Any) -> Iterator[Any]:
    """The test body runs in golf's schema (a writing site)."""
    with tenant_context(golf):
        yield golf


@pytest.mark.parametrize("name", ["order_option", "academic_level", "page_rate", "extra_service"])
def test_each_writing_pricing_factory_makes_a_valid_stored_row(in_golf: Any, name: str) -> None:
    from tests.factories import AcademicLevelFactory, ExtraServiceFactory, OrderOptionFactory, PageRateFactory

    factories: dict[str, Callable[[], models.Model]] = {
        "order_option": OrderOptionFactory,
        "academic_level": AcademicLevelFactory,
        "page_rate": PageRateFactory,
        "extra_service": ExtraServiceFactory,
    }
    row = factories[name]()
    row.full_clean()
    assert type(row)._default_manager.filter(pk=row.pk).exists()


def test_writing_pricing_factories_go_through_the_services(in_golf: Any) -> None:
    from tests.factories import ExtraServiceFactory, OrderOptionFactory, PageRateFactory

    # when
    retired = OrderOptionFactory(retired=True)
    percent = ExtraServiceFactory(percent=True)
    # then
    assert retired.is_active is False
    assert (percent.pricing, percent.amount) == ("percent", Decimal("10.00"))
    assert AuditLogEntry.objects.filter(verb="writing.option_updated", target_id=str(retired.pk)).exists()
    # and a rate the service refuses (a subject is no academic level) is refused
    with pytest.raises(ApplicationError):
        PageRateFactory(academic_level=OrderOptionFactory())


# --- Writing orders (tests/factories/writing_orders.py) ---------------------------------------------


@pytest.mark.parametrize(
    "status",
    [
        "unpaid",
        "available",
        "assigned",
        "in_progress",
        "in_review",
        "delivered",
        "revision_requested",
        "disputed",
        "completed",
        "cancelled",
    ],
)
def test_the_writing_order_factory_walks_an_order_to_each_status(in_golf: Any, status: str) -> None:
    from tenant_apps.writing.orders.models import Order
    from tests.factories import OrderFactory

    # when
    order = OrderFactory(status=status)
    # then: a valid stored row in that status, priced by the site's table and invoiced
    order.full_clean()
    assert Order.objects.get(pk=order.pk).status == status
    assert order.total > 0 and order.invoice_id is not None
    assert (order.writer_id is not None) == (status not in ("unpaid", "available", "cancelled"))


def test_the_writing_order_factory_goes_through_the_services(in_golf: Any) -> None:
    from tenant_apps.wallet.models import LedgerEntry
    from tests.factories import OrderFactory

    # when
    order = OrderFactory(completed=True)
    # then: audited moves, the client's wallet payment and the writer's earning in the ledger
    verbs = set(AuditLogEntry.objects.filter(target_id=str(order.pk)).values_list("verb", flat=True))
    assert {"writing_order.placed", "writing_order.paid", "writing_order.completed"} <= verbs
    references = set(LedgerEntry.objects.values_list("reference", flat=True))
    assert {f"order:{order.pk}:payment", f"order:{order.pk}:earning"} <= references


# --- Writing order files and messages (tests/factories/writing_files.py, writing_messages.py) ------


@pytest.mark.parametrize("category", ["attachment", "draft", "final"])
def test_the_writing_order_file_factory_adds_each_category(in_golf: Any, category: str) -> None:
    from tests.factories import OrderFileFactory

    # when
    order_file = OrderFileFactory(category=category)
    # then: a valid stored row, its stored file a PDF, the upload audited on the order
    order_file.full_clean()
    assert order_file.file.content_type == "application/pdf"
    assert order_file.uploader_role == ("client" if category == "attachment" else "writer")
    assert AuditLogEntry.objects.filter(verb="writing_order.file_added", target_id=str(order_file.order_id)).exists()


def test_the_writing_order_file_factory_keeps_the_rules(in_golf: Any) -> None:
    from tests.factories import OrderFactory, OrderFileFactory

    # a draft on an order nobody writes yet is refused, as the API would
    with pytest.raises(ApplicationError):
        OrderFileFactory(draft=True, order=OrderFactory(available=True), uploaded_by=UserFactory(roles=["writer"]))


def test_the_writing_order_message_factory_posts_through_the_service(in_golf: Any) -> None:
    from tests.factories import OrderMessageFactory

    # when
    plain = OrderMessageFactory()
    flagged = OrderMessageFactory(with_contact=True)
    # then
    plain.full_clean()
    assert (plain.author_role, plain.masked) == ("client", False)
    assert (flagged.masked, flagged.body) == (True, "Write to me at [hidden]")
    assert flagged.original_body == "Write to me at someone@example.com"


def test_the_writing_refund_and_writer_factories_go_through_the_services(in_golf: Any) -> None:
    from tenant_apps.wallet.models import LedgerEntry
    from tests.factories import OrderRefundFactory, WriterLevelFactory, WriterProfileFactory

    # when
    refund = OrderRefundFactory()
    level = WriterLevelFactory()
    profile = WriterProfileFactory(level=level)
    # then: valid rows, the refund in the client's ledger, the level and the profile audited
    for row in (refund, level, profile):
        row.full_clean()
    assert LedgerEntry.objects.get(reference=f"order:{refund.order_id}:refund:{refund.pk}").kind == "refund"
    assert AuditLogEntry.objects.filter(verb="writing.writer_level_created", target_id=str(level.pk)).exists()
    assert profile.level_id == level.pk and not level.is_default


# --- Writing discounts and loyalty (tests/factories/writing_discounts.py, writing_loyalty.py) ---------


def test_the_writing_discount_and_loyalty_factories_go_through_the_services(in_golf: Any) -> None:
    from tenant_apps.writing.discounts.models import Discount
    from tenant_apps.writing.loyalty.models import LoyaltyAccount, PointsKind
    from tests.factories import DiscountFactory, LoyaltyTierFactory, PointsAwardFactory

    code = DiscountFactory(one_use=True)
    campaign = DiscountFactory(campaign=True, fixed=True)
    expired = DiscountFactory(expired=True)
    tier = LoyaltyTierFactory()
    entry = PointsAwardFactory(points=40)
    for row in (code, campaign, expired, tier, entry):
        row.full_clean()
    assert (code.code or "").startswith("SAVE10") and (code.max_uses, campaign.code, campaign.value) == (
        1,
        None,
        Decimal("5.00"),
    )
    assert expired.ends_at is not None and Discount.objects.count() == 3
    assert (entry.kind, entry.points, LoyaltyAccount.objects.get(pk=entry.account_id).balance) == (
        PointsKind.AWARD,
        40,
        40,
    )
    verbs = set(AuditLogEntry.objects.values_list("verb", flat=True))
    assert {"writing.discount_created", "writing.loyalty_tier_created", "writing.loyalty_points_awarded"} <= verbs


# --- Writing special orders (tests/factories/writing_special_orders.py) ----------------------------


@pytest.mark.parametrize(
    "status", ["requested", "quoted", "accepted", "in_progress", "completed", "declined", "cancelled"]
)
def test_the_writing_special_order_factory_walks_one_to_each_status(in_golf: Any, status: str) -> None:
    from tenant_apps.writing.special_orders.models import SpecialOrder
    from tests.factories import SpecialOrderFactory

    # when
    special = SpecialOrderFactory(status=status)
    # then: a valid stored row in that status; billed once accepted
    special.full_clean()
    assert SpecialOrder.objects.get(pk=special.pk).status == status
    billed = [i.invoice_id is not None for i in special.installments.all()]
    assert (bool(billed) and all(billed)) == (status in ("accepted", "in_progress", "completed"))


def test_the_writing_special_order_factory_goes_through_the_services(in_golf: Any) -> None:
    from tenant_apps.wallet.models import LedgerEntry
    from tests.factories import SpecialOrderFactory

    # when
    special = SpecialOrderFactory(completed=True, installments=3, total="90.00")
    # then: audited moves and one wallet payment per installment
    verbs = set(AuditLogEntry.objects.filter(target_id=str(special.pk)).values_list("verb", flat=True))
    assert {"special_order.requested", "special_order.quoted", "special_order.accepted"} <= verbs
    assert {"special_order.installment_paid", "special_order.started", "special_order.completed"} <= verbs
    references = set(LedgerEntry.objects.values_list("reference", flat=True))
    assert {f"special_order:{special.pk}:installment:{n}" for n in (1, 2, 3)} <= references


# --- Writing bundles (tests/factories/writing_bundles.py) -------------------------------------------


def test_the_writing_bundle_factories_go_through_the_services(in_golf: Any) -> None:
    from tenant_apps.wallet.models import LedgerEntry
    from tests.factories import BundleFactory, BundlePurchaseFactory, ExpressClassFactory

    # when
    bundle = BundleFactory(assignments=True)
    active = BundlePurchaseFactory(bundle=bundle)
    expired = BundlePurchaseFactory(expired=True)
    pending = BundlePurchaseFactory(pending=True)
    express = ExpressClassFactory(per_assignment=True, academic_levels=["masters"])
    # then: valid rows in their states, paid from the wallet and audited
    for row in (bundle, active, expired, pending, express):
        row.full_clean()
    assert (active.status, active.remaining, active.unit) == ("active", 5, "assignments")
    assert LedgerEntry.objects.get(reference=f"writing_bundle:{active.pk}:payment").kind == "payment"
    assert (expired.status, pending.status) == ("expired", "pending")
    assert pending.invoice.payments.get().status == "pending"
    assert [o.slug for o in express.academic_levels.all()] == ["masters"]
    assert AuditLogEntry.objects.filter(verb="writing_bundle.created", target_id=str(bundle.pk)).exists()
    # and a bundle the service refuses is refused
    with pytest.raises(ApplicationError):
        BundleFactory(quantity=0)


# --- Writing CMS (tests/factories/writing_cms.py) ---------------------------------------------------


@pytest.mark.parametrize("status", ["draft", "scheduled", "published"])
def test_the_blog_post_factory_walks_a_post_to_each_status(in_golf: Any, status: str) -> None:
    from tests.factories import BlogCategoryFactory, BlogPostFactory

    # when
    post = BlogPostFactory(status=status, categories=[BlogCategoryFactory().pk], tags=["Factory"])
    # then: a valid stored row, moved by the services and audited
    post.full_clean()
    assert post.status == status and (post.publish_at is None) == (status == "draft")
    assert list(post.tags.values_list("slug", flat=True)) == ["factory"]
    assert AuditLogEntry.objects.filter(verb="writing.blog_post_created", target_id=str(post.pk)).exists()


def test_the_cms_factories_go_through_the_services(in_golf: Any) -> None:
    from tests.factories import BlogPostFactory, ServicePageFactory

    # when
    page = ServicePageFactory(hidden=True, faq=[{"question": "Q?", "answer": "<p onclick='x()'>A</p>"}])
    # then: the answer was cleaned, the page stored hidden and audited
    page.full_clean()
    assert (page.is_published, page.faq[0]["answer"], page.price_from) == (False, "<p>A</p>", Decimal("49.00"))
    assert AuditLogEntry.objects.filter(verb="writing.service_page_created", target_id=str(page.pk)).exists()
    # and a post the service refuses (a blank title) is refused
    with pytest.raises(ApplicationError):
        BlogPostFactory(title=" ")


# --- Writing fines (tests/factories/writing_fines.py) ------------------------------------------------


def test_the_writing_fine_factory_goes_through_the_services(in_golf: Any) -> None:
    from tenant_apps.wallet.models import LedgerEntry
    from tests.factories import FineFactory

    # when
    deducted = FineFactory(earned="3.00", amount="5.00")
    late = FineFactory(late_hours=2.5)
    accepted = FineFactory(earned="5.00", accepted=True)
    rejected = FineFactory(rejected=True)
    # then: valid rows; what the balance held deducted, the rest outstanding; the appeals decided
    for row in (deducted, late, accepted, rejected):
        row.full_clean()
    assert (deducted.deducted, deducted.status) == (Decimal("3.00"), "outstanding")
    assert (late.kind, late.hours_late, late.amount) == ("late_delivery", 3, Decimal("1.44"))
    assert (accepted.status, accepted.appeal.status) == ("reversed", "accepted")
    assert LedgerEntry.objects.get(reference=f"fine:{accepted.pk}:reversal").balance_delta == Decimal("5.00")
    assert (rejected.status, rejected.appeal.status) == ("outstanding", "rejected")
    assert AuditLogEntry.objects.filter(verb="writing_fine.issued", target_id=str(rejected.pk)).exists()


# --- Writing referrals and reviews (tests/factories/writing_referrals.py, writing_reviews.py) -------


def test_the_writing_referral_factories_go_through_the_services(in_golf: Any) -> None:
    from tenant_apps.wallet.models import LedgerEntry
    from tests.factories import ReferralCodeFactory, ReferralFactory

    # when
    code = ReferralCodeFactory()
    pending = ReferralFactory()
    rewarded = ReferralFactory(rewarded=True)
    # then: valid rows; the claim audited; the reward in both ledgers
    for row in (code, pending, rewarded):
        row.full_clean()
    assert (len(code.code), pending.status, rewarded.status) == (8, "pending", "rewarded")
    assert AuditLogEntry.objects.filter(verb="writing_referral.claimed", target_id=str(pending.pk)).exists()
    entries = LedgerEntry.objects.filter(reference__startswith=f"referral:{rewarded.pk}:")
    references = set(entries.values_list("reference", flat=True))
    assert references == {f"referral:{rewarded.pk}:referrer", f"referral:{rewarded.pk}:referred"}
    with pytest.raises(ApplicationError):  # a second claim of the referred client is refused
        ReferralFactory(referred=pending.referred)


@pytest.mark.parametrize("status", ["pending", "published", "hidden"])
def test_the_writing_review_factories_moderate_through_the_services(in_golf: Any, status: str) -> None:
    from tests.factories import OrderReviewFactory, WebsiteReviewFactory

    # when
    review = OrderReviewFactory(status=status)
    site = WebsiteReviewFactory(status=status)
    # then
    for row in (review, site):
        row.full_clean()
        assert row.status == status
    assert review.writer_id == review.order.writer_id
    assert AuditLogEntry.objects.filter(verb="writing_review.created", target_id=str(review.pk)).exists()


# --- Writing campaigns (tests/factories/writing_campaigns.py) ----------------------------------


def test_the_writing_campaign_factory_goes_through_the_services(in_golf: Any) -> None:
    from tests.factories import CampaignFactory, UserFactory

    # given: a client to send to
    UserFactory(email="campaign-factory@golf.test", roles=["client"])
    # when
    draft = CampaignFactory(html="<p onclick='x()'>Hi</p>")
    scheduled = CampaignFactory(scheduled=True)
    sent = CampaignFactory(sent=True)
    # then: sanitised, audited, scheduled ahead, sent with final counts
    draft.full_clean()
    assert (draft.status, draft.html) == ("draft", "<p>Hi</p>")
    assert scheduled.status == "scheduled" and scheduled.scheduled_at is not None
    assert sent.status == "sent" and sent.recipients_count == sent.sent_count >= 1
