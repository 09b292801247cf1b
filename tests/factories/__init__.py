"""Typed factory_boy factories for the models the tests build, one module per app.

Every factory but ``DomainFactory`` goes through the app's services (``base.ServiceFactory``):
what a factory makes, the product could have made, audit rows and notifications included.
Factories write in the **current** schema; outside a tenant wrap them::

    with tenant_context(alpha):
        ann = UserFactory(email="ann@alpha.test", roles=["student"])
        invoice = InvoiceFactory(customer=ann, paid=True)

or ``create_in(alpha, UserFactory, email="ann@alpha.test")``. ``UserFactory()`` is typed as a
``User`` (mypy), and so on for every factory.
"""

from tests.factories.accounts import UserFactory
from tests.factories.audit import AuditLogEntryFactory
from tests.factories.base import ModelFactory, ServiceFactory, create_in, in_days, site_admin
from tests.factories.files import PDF, StoredFileFactory
from tests.factories.lessons import (
    AuthorFactory,
    GroupMembershipFactory,
    LessonFactory,
    ProductFactory,
    ProductPurchaseFactory,
)
from tests.factories.notifications import NotificationFactory
from tests.factories.payments import IN_FULL, InvoiceFactory, PaymentFactory, StripePaymentFactory, finance_user
from tests.factories.programs import (
    AdvancedCourseEnrolmentFactory,
    AdvancedCourseFactory,
    BootcampEnrolmentFactory,
    BootcampFactory,
)
from tests.factories.rental_bookings import BookingFactory
from tests.factories.rental_inquiries import InquiryFactory, InquiryMessageFactory
from tests.factories.rental_properties import AmenityFactory, BlockedPeriodFactory, PropertyFactory
from tests.factories.store_catalog import (
    BrandFactory,
    CategoryFactory,
    ProductImageFactory,
    SaleEventFactory,
    SellerAccountFactory,
    StoreProductFactory,
    png_bytes,
    ranked_seller,
)
from tests.factories.store_orders import CartItemFactory, CustomerFactory, StoreOrderFactory
from tests.factories.store_returns import ReturnRequestFactory
from tests.factories.tenancy import DomainFactory, TenantFactory
from tests.factories.tickets import TicketAttachmentFactory, TicketFactory, TicketMessageFactory
from tests.factories.wallet import LedgerEntryFactory, WalletFactory
from tests.factories.writing_bundles import BundleFactory, BundlePurchaseFactory, ExpressClassFactory
from tests.factories.writing_campaigns import CampaignFactory
from tests.factories.writing_cms import BlogCategoryFactory, BlogPostFactory, ServicePageFactory
from tests.factories.writing_discounts import DiscountFactory
from tests.factories.writing_files import OrderFileFactory
from tests.factories.writing_fines import FineFactory
from tests.factories.writing_loyalty import LoyaltyTierFactory, PointsAwardFactory
from tests.factories.writing_messages import OrderMessageFactory
from tests.factories.writing_orders import OrderFactory, OrderRefundFactory
from tests.factories.writing_pricing import (
    AcademicLevelFactory,
    ExtraServiceFactory,
    OrderOptionFactory,
    PageRateFactory,
)
from tests.factories.writing_referrals import ReferralCodeFactory, ReferralFactory
from tests.factories.writing_reviews import OrderReviewFactory, WebsiteReviewFactory
from tests.factories.writing_special_orders import SpecialOrderFactory
from tests.factories.writing_writers import WriterLevelFactory, WriterProfileFactory

__all__ = [
    "IN_FULL",
    "PDF",
    "AcademicLevelFactory",
    "AdvancedCourseEnrolmentFactory",
    "AdvancedCourseFactory",
    "AmenityFactory",
    "AuditLogEntryFactory",
    "AuthorFactory",
    "BlockedPeriodFactory",
    "BlogCategoryFactory",
    "BlogPostFactory",
    "BookingFactory",
    "BootcampEnrolmentFactory",
    "BootcampFactory",
    "BrandFactory",
    "BundleFactory",
    "BundlePurchaseFactory",
    "CampaignFactory",
    "CartItemFactory",
    "CategoryFactory",
    "CustomerFactory",
    "DiscountFactory",
    "DomainFactory",
    "ExpressClassFactory",
    "ExtraServiceFactory",
    "FineFactory",
    "GroupMembershipFactory",
    "InquiryFactory",
    "InquiryMessageFactory",
    "InvoiceFactory",
    "LedgerEntryFactory",
    "LessonFactory",
    "LoyaltyTierFactory",
    "ModelFactory",
    "NotificationFactory",
    "OrderFactory",
    "OrderFileFactory",
    "OrderMessageFactory",
    "OrderOptionFactory",
    "OrderRefundFactory",
    "OrderReviewFactory",
    "PageRateFactory",
    "PaymentFactory",
    "PointsAwardFactory",
    "ProductFactory",
    "ProductImageFactory",
    "ProductPurchaseFactory",
    "PropertyFactory",
    "ReferralCodeFactory",
    "ReferralFactory",
    "ReturnRequestFactory",
    "SaleEventFactory",
    "SellerAccountFactory",
    "ServiceFactory",
    "ServicePageFactory",
    "SpecialOrderFactory",
    "StoreOrderFactory",
    "StoreProductFactory",
    "StoredFileFactory",
    "StripePaymentFactory",
    "TenantFactory",
    "TicketAttachmentFactory",
    "TicketFactory",
    "TicketMessageFactory",
    "UserFactory",
    "WalletFactory",
    "WebsiteReviewFactory",
    "WriterLevelFactory",
    "WriterProfileFactory",
    "create_in",
    "finance_user",
    "in_days",
    "png_bytes",
    "ranked_seller",
    "site_admin",
]
