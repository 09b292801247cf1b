"""``/api/v1/`` routes of the orders app (store sites only; ``tenant_apps/store/urls.py``)."""

from django.urls import path

from tenant_apps.store.orders import views

urlpatterns = [
    path("profile/", views.ProfileView.as_view(), name="orders-profile"),
    path("cart/", views.CartView.as_view(), name="orders-cart"),
    path("cart/items/", views.CartItemCreateView.as_view(), name="orders-cart-item-list"),
    path("cart/items/<int:pk>/", views.CartItemDetailView.as_view(), name="orders-cart-item-detail"),
    path("orders/", views.OrderListView.as_view(), name="orders-order-list"),
    path("orders/checkout/", views.CheckoutView.as_view(), name="orders-checkout"),
    path("orders/<int:pk>/", views.OrderDetailView.as_view(), name="orders-order-detail"),
    path("orders/<int:pk>/cancel/", views.OrderCancelView.as_view(), name="orders-order-cancel"),
    path("orders/<int:pk>/complete/", views.OrderCompleteView.as_view(), name="orders-order-complete"),
    path("orders/<int:pk>/proof/", views.OrderProofView.as_view(), name="orders-order-proof"),
    path("orders/<int:pk>/proof/confirm/", views.OrderProofConfirmView.as_view(), name="orders-order-proof-confirm"),
    path("delivery/orders/available/", views.AvailableOrderListView.as_view(), name="orders-delivery-available"),
    path("delivery/orders/<int:pk>/claim/", views.OrderClaimView.as_view(), name="orders-delivery-claim"),
    path("delivery/orders/<int:pk>/advance/", views.OrderAdvanceView.as_view(), name="orders-delivery-advance"),
    path("wallet/top-up/card/", views.CardTopUpView.as_view(), name="orders-wallet-top-up-card"),
]
