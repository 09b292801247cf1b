"""``/api/v1/`` routes of the writing discounts app (writing sites only; ``tenant_apps/writing/urls.py``)."""

from django.urls import path

from tenant_apps.writing.discounts import views

urlpatterns = [
    path("discounts/", views.DiscountListView.as_view(), name="writing-discounts-list"),
    path("discounts/running/", views.RunningCampaignsView.as_view(), name="writing-discounts-running"),
    path("discounts/<int:pk>/", views.DiscountDetailView.as_view(), name="writing-discounts-detail"),
    path("discounts/<int:pk>/uses/", views.DiscountUsesView.as_view(), name="writing-discounts-uses"),
]
