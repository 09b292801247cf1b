"""``/api/v1/`` routes of the properties app (rental sites only; ``tenant_apps/rental/urls.py``)."""

from django.urls import path

from tenant_apps.rental.properties import views

urlpatterns = [
    path("amenities/", views.AmenityListCreateView.as_view(), name="properties-amenity-list"),
    path("amenities/<int:pk>/", views.AmenityDetailView.as_view(), name="properties-amenity-detail"),
    path("properties/", views.PropertyListCreateView.as_view(), name="properties-list"),
    path("properties/<int:pk>/", views.PropertyDetailView.as_view(), name="properties-detail"),
    path("properties/<int:pk>/publish/", views.PropertyPublishView.as_view(), name="properties-publish"),
    path("properties/<int:pk>/unpublish/", views.PropertyUnpublishView.as_view(), name="properties-unpublish"),
    path("properties/<int:pk>/photos/", views.PropertyPhotoCreateView.as_view(), name="properties-photos"),
    path(
        "properties/<int:pk>/photos/<int:photo_id>/",
        views.PropertyPhotoDetailView.as_view(),
        name="properties-photo-detail",
    ),
    path(
        "properties/<int:pk>/blocked-periods/",
        views.BlockedPeriodListCreateView.as_view(),
        name="properties-blocked-periods",
    ),
    path(
        "properties/<int:pk>/blocked-periods/<int:block_id>/",
        views.BlockedPeriodDetailView.as_view(),
        name="properties-blocked-period-detail",
    ),
    path("properties/<int:pk>/calendar.ics", views.PropertyCalendarFeedView.as_view(), name="properties-calendar"),
    path(
        "properties/<int:pk>/calendar-token/",
        views.PropertyCalendarTokenView.as_view(),
        name="properties-calendar-token",
    ),
    path(
        "properties/<int:pk>/calendar-import/",
        views.PropertyCalendarImportView.as_view(),
        name="properties-calendar-import",
    ),
]
