"""URL conf of the platform host (``PLATFORM_DOMAIN``): staff login, the superadmin API and the
platform console (``/admin/``)."""

from django.urls import include, path

from saas.admin import platform_admin_site
from saas.urls.common import (  # noqa: F401
    catch_all,
    docs_urls,
    handler400,
    handler403,
    handler404,
    handler500,
    token_urls,
)

urlpatterns = [
    path("api/v1/auth/", include([*token_urls(), path("", include("dj_rest_auth.urls"))])),
    path("api/v1/", include("shared_apps.tenancy.urls")),
    path("api/v1/", include("shared_apps.billing.urls")),
    path("api/v1/", include("shared_apps.billing.webhook_urls")),
    path("api/v1/", include("shared_apps.billing.connect_urls")),
    path("api/v1/", include("shared_apps.superadmin.urls")),
    path("admin/", platform_admin_site.urls),
    *docs_urls(__name__),
    *catch_all(),
]
