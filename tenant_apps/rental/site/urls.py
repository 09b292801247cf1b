"""``/api/v1/`` routes of the rental site-settings app (rental sites only; ``tenant_apps/rental/urls.py``)."""

from django.urls import path

from tenant_apps.rental.site import views

urlpatterns = [
    path("rental/settings/", views.RentalSettingsView.as_view(), name="rental-settings"),
]
