"""``/api/v1/`` routes of the writing referrals app (writing sites only; ``tenant_apps/writing/urls.py``)."""

from django.urls import path

from tenant_apps.writing.referrals import views

urlpatterns = [
    path("referrals/", views.ReferralListView.as_view(), name="writing-referral-list"),
    path("referrals/me/", views.ReferralMeView.as_view(), name="writing-referral-me"),
    path("referrals/claim/", views.ReferralClaimView.as_view(), name="writing-referral-claim"),
    path("referrals/settings/", views.ReferralSettingsView.as_view(), name="writing-referral-settings"),
]
