"""URL conf of `writing` sites: the shared tenant endpoints plus the writing apps' own."""

from django.urls import include, path

from saas.urls.common import handler400, handler403, handler404, handler500  # noqa: F401
from saas.urls.tenant import tenant_urlpatterns

urlpatterns = tenant_urlpatterns(
    __name__,
    kind_patterns=[
        path("api/v1/", include("tenant_apps.writing.pricing.urls")),
        path("api/v1/", include("tenant_apps.writing.orders.urls")),
        path("api/v1/", include("tenant_apps.writing.writers.urls")),
        path("api/v1/", include("tenant_apps.writing.files.urls")),
        path("api/v1/", include("tenant_apps.writing.messages.urls")),
        path("api/v1/", include("tenant_apps.writing.wallets.urls")),
        path("api/v1/", include("tenant_apps.writing.dashboard.urls")),
        path("api/v1/", include("tenant_apps.writing.discounts.urls")),
        path("api/v1/", include("tenant_apps.writing.loyalty.urls")),
        path("api/v1/", include("tenant_apps.writing.referrals.urls")),
        path("api/v1/", include("tenant_apps.writing.reviews.urls")),
        path("api/v1/", include("tenant_apps.writing.fines.urls")),
        path("api/v1/", include("tenant_apps.writing.bundles.urls")),
        path("api/v1/", include("tenant_apps.writing.special_orders.urls")),
        path("api/v1/", include("tenant_apps.writing.cms.urls")),
        path("api/v1/", include("tenant_apps.writing.campaigns.urls")),
    ],
)
