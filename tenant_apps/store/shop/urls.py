"""``/api/v1/`` routes of the shop app (store sites only; ``tenant_apps/store/urls.py``)."""

from django.urls import path

from tenant_apps.store.shop import views

urlpatterns = [
    path("store/settings/", views.StoreSettingsView.as_view(), name="shop-settings"),
    path("seller/account/", views.SellerAccountView.as_view(), name="shop-seller-account"),
]
