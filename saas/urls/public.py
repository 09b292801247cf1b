"""URL conf of the platform host (``PLATFORM_DOMAIN``): staff login and the superadmin API."""

from django.urls import include, path

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
    *docs_urls(__name__),
    *catch_all(),
]
