"""``/api/v1/`` routes of the writing orders app (writing sites only; ``tenant_apps/writing/urls.py``)."""

from django.urls import path

from tenant_apps.writing.orders import views

urlpatterns = [
    path("orders/", views.OrderListView.as_view(), name="writing-orders-list"),
    path("orders/settings/", views.OrderSettingsView.as_view(), name="writing-orders-settings"),
    path("orders/<int:pk>/", views.OrderDetailView.as_view(), name="writing-orders-detail"),
    path("orders/<int:pk>/pay/wallet/", views.OrderPayWalletView.as_view(), name="writing-orders-pay-wallet"),
    path("orders/<int:pk>/pay/card/", views.OrderPayCardView.as_view(), name="writing-orders-pay-card"),
    path("orders/<int:pk>/request/", views.OrderRequestView.as_view(), name="writing-orders-request"),
    path("orders/<int:pk>/requests/", views.OrderRequestsView.as_view(), name="writing-orders-requests"),
    path("orders/<int:pk>/assign/", views.OrderAssignView.as_view(), name="writing-orders-assign"),
    path("orders/<int:pk>/start/", views.OrderStartView.as_view(), name="writing-orders-start"),
    path("orders/<int:pk>/submit/", views.OrderSubmitView.as_view(), name="writing-orders-submit"),
    path("orders/<int:pk>/return/", views.OrderReturnView.as_view(), name="writing-orders-return"),
    path("orders/<int:pk>/deliver/", views.OrderDeliverView.as_view(), name="writing-orders-deliver"),
    path("orders/<int:pk>/approve/", views.OrderApproveView.as_view(), name="writing-orders-approve"),
    path("orders/<int:pk>/revision/", views.OrderRevisionView.as_view(), name="writing-orders-revision"),
    path("orders/<int:pk>/cancel/", views.OrderCancelView.as_view(), name="writing-orders-cancel"),
    path("orders/<int:pk>/dispute/", views.OrderDisputeView.as_view(), name="writing-orders-dispute"),
    path("orders/<int:pk>/resolve/", views.OrderResolveView.as_view(), name="writing-orders-resolve"),
    path("orders/<int:pk>/refunds/", views.OrderRefundsView.as_view(), name="writing-orders-refunds"),
]
