"""``/api/v1/`` routes of the writing campaigns app (writing sites only; ``tenant_apps/writing/urls.py``)."""

from django.urls import path

from tenant_apps.writing.campaigns import views

urlpatterns = [
    path("campaigns/", views.CampaignListView.as_view(), name="writing-campaigns-list"),
    path("campaigns/<int:pk>/", views.CampaignDetailView.as_view(), name="writing-campaigns-detail"),
    path("campaigns/<int:pk>/preview/", views.CampaignPreviewView.as_view(), name="writing-campaigns-preview"),
    path("campaigns/<int:pk>/send-test/", views.CampaignSendTestView.as_view(), name="writing-campaigns-send-test"),
    path("campaigns/<int:pk>/schedule/", views.CampaignScheduleView.as_view(), name="writing-campaigns-schedule"),
    path("campaigns/<int:pk>/send/", views.CampaignSendView.as_view(), name="writing-campaigns-send"),
    path("campaigns/<int:pk>/cancel/", views.CampaignCancelView.as_view(), name="writing-campaigns-cancel"),
    path(
        "campaigns/<int:pk>/recipients/", views.CampaignRecipientListView.as_view(), name="writing-campaigns-recipients"
    ),
    path("unsubscribe/<str:token>/", views.UnsubscribeView.as_view(), name="writing-unsubscribe"),
    path("marketing-preference/", views.MarketingPreferenceView.as_view(), name="writing-marketing-preference"),
]
