"""``/api/v1/`` routes of the writing bundles app (writing sites only; ``tenant_apps/writing/urls.py``)."""

from django.urls import path

from tenant_apps.writing.bundles import views

urlpatterns = [
    path("bundles/", views.BundleListView.as_view(), name="writing-bundles-list"),
    path("bundles/<int:pk>/", views.BundleDetailView.as_view(), name="writing-bundles-detail"),
    path("bundles/<int:pk>/buy/", views.BundleBuyView.as_view(), name="writing-bundles-buy"),
    path("bundle-purchases/", views.PurchaseListView.as_view(), name="writing-bundle-purchases-list"),
    path("bundle-purchases/<int:pk>/", views.PurchaseDetailView.as_view(), name="writing-bundle-purchases-detail"),
    path("orders/<int:pk>/pay/bundle/", views.OrderPayBundleView.as_view(), name="writing-orders-pay-bundle"),
    path("express-classes/", views.ExpressClassListView.as_view(), name="writing-express-classes-list"),
    path("express-classes/<slug:slug>/", views.ExpressClassDetailView.as_view(), name="writing-express-classes-detail"),
    path("express-classes/<slug:slug>/quote/", views.ExpressQuoteView.as_view(), name="writing-express-classes-quote"),
    path(
        "express-classes/<slug:slug>/orders/", views.ExpressOrderView.as_view(), name="writing-express-classes-orders"
    ),
]
