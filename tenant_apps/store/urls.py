"""URL conf of `store` sites: the shared tenant endpoints plus the store apps' own."""

from django.urls import include, path

from saas.urls.common import handler400, handler403, handler404, handler500  # noqa: F401
from saas.urls.tenant import tenant_urlpatterns

urlpatterns = tenant_urlpatterns(
    __name__,
    kind_patterns=[
        path("api/v1/", include("tenant_apps.store.catalog.urls")),
        path("api/v1/", include("tenant_apps.store.shop.urls")),
        path("api/v1/", include("tenant_apps.store.auctions.urls")),
        path("api/v1/", include("tenant_apps.store.reviews.urls")),
        path("api/v1/", include("tenant_apps.store.orders.urls")),
        path("api/v1/", include("tenant_apps.store.returns.urls")),
    ],
)
