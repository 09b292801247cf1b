"""``/api/v1/`` routes of the writing special orders app (writing sites only; ``tenant_apps/writing/urls.py``)."""

from django.urls import path

from tenant_apps.writing.special_orders import views

urlpatterns = [
    path("special-orders/", views.SpecialOrderListView.as_view(), name="writing-special-orders-list"),
    path("special-orders/<int:pk>/", views.SpecialOrderDetailView.as_view(), name="writing-special-orders-detail"),
    path("special-orders/<int:pk>/quote/", views.SpecialOrderQuoteView.as_view(), name="writing-special-orders-quote"),
    path(
        "special-orders/<int:pk>/accept/", views.SpecialOrderAcceptView.as_view(), name="writing-special-orders-accept"
    ),
    path(
        "special-orders/<int:pk>/decline/",
        views.SpecialOrderDeclineView.as_view(),
        name="writing-special-orders-decline",
    ),
    path(
        "special-orders/<int:pk>/cancel/", views.SpecialOrderCancelView.as_view(), name="writing-special-orders-cancel"
    ),
    path("special-orders/<int:pk>/start/", views.SpecialOrderStartView.as_view(), name="writing-special-orders-start"),
    path(
        "special-orders/<int:pk>/complete/",
        views.SpecialOrderCompleteView.as_view(),
        name="writing-special-orders-complete",
    ),
    path(
        "special-orders/<int:pk>/installments/<int:sequence>/pay/wallet/",
        views.InstallmentPayWalletView.as_view(),
        name="writing-special-orders-pay-wallet",
    ),
    path(
        "special-orders/<int:pk>/installments/<int:sequence>/pay/card/",
        views.InstallmentPayCardView.as_view(),
        name="writing-special-orders-pay-card",
    ),
]
