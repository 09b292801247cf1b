"""``/api/v1/`` routes of the order messages app (writing sites only; ``tenant_apps/writing/urls.py``)."""

from django.urls import path

from tenant_apps.writing.messages import views

urlpatterns = [
    path("orders/<int:pk>/messages/", views.OrderMessageListView.as_view(), name="writing-order-messages"),
    path("order-messages/flagged/", views.FlaggedMessageListView.as_view(), name="writing-order-messages-flagged"),
    path("order-messages/settings/", views.MessageSettingsView.as_view(), name="writing-order-messages-settings"),
]
