"""``/api/v1/`` routes of the writing pricing app (writing sites only; ``tenant_apps/writing/urls.py``)."""

from django.urls import path

from tenant_apps.writing.pricing import views

urlpatterns = [
    path("order-options/", views.OrderOptionListCreateView.as_view(), name="writing-option-list"),
    path("order-options/<int:pk>/", views.OrderOptionDetailView.as_view(), name="writing-option-detail"),
    path("order-options/<int:pk>/retire/", views.OrderOptionRetireView.as_view(), name="writing-option-retire"),
    path("extra-services/", views.ExtraServiceListCreateView.as_view(), name="writing-extra-list"),
    path("extra-services/<int:pk>/", views.ExtraServiceDetailView.as_view(), name="writing-extra-detail"),
    path("pricing/settings/", views.PricingSettingsView.as_view(), name="writing-pricing-settings"),
    path("pricing/page-rates/", views.PageRateListCreateView.as_view(), name="writing-page-rate-list"),
    path("pricing/page-rates/<int:pk>/", views.PageRateDetailView.as_view(), name="writing-page-rate-detail"),
    path("quote/", views.QuoteView.as_view(), name="writing-quote"),
    path("dropdown-options/", views.DropdownOptionsView.as_view(), name="writing-dropdown-options"),
    path("dropdown-options/<slug:category>/", views.DropdownCategoryView.as_view(), name="writing-dropdown-category"),
]
