"""``/api/v1/`` routes of the writing loyalty app (writing sites only; ``tenant_apps/writing/urls.py``)."""

from django.urls import path

from tenant_apps.writing.loyalty import views

urlpatterns = [
    path("loyalty/settings/", views.SettingsView.as_view(), name="writing-loyalty-settings"),
    path("loyalty/tiers/", views.TierListView.as_view(), name="writing-loyalty-tiers"),
    path("loyalty/tiers/<int:pk>/", views.TierDetailView.as_view(), name="writing-loyalty-tier"),
    path("loyalty/me/", views.MyAccountView.as_view(), name="writing-loyalty-me"),
    path("loyalty/me/entries/", views.MyEntriesView.as_view(), name="writing-loyalty-me-entries"),
    path("loyalty/me/redeem/", views.RedeemView.as_view(), name="writing-loyalty-redeem"),
    path("loyalty/accounts/", views.AccountListView.as_view(), name="writing-loyalty-accounts"),
    path("loyalty/accounts/<int:pk>/", views.AccountDetailView.as_view(), name="writing-loyalty-account"),
    path(
        "loyalty/accounts/<int:pk>/entries/",
        views.AccountEntriesView.as_view(),
        name="writing-loyalty-account-entries",
    ),
    path("loyalty/adjustments/", views.AdjustView.as_view(), name="writing-loyalty-adjustments"),
]
