"""``/api/v1/`` routes of the catalog app (store sites only; ``tenant_apps/store/urls.py``)."""

from django.urls import path

from tenant_apps.store.catalog import views

urlpatterns = [
    path("categories/", views.CategoryListCreateView.as_view(), name="catalog-category-list"),
    path("categories/tree/", views.CategoryTreeView.as_view(), name="catalog-category-tree"),
    path("categories/<int:pk>/", views.CategoryDetailView.as_view(), name="catalog-category-detail"),
    path("products/", views.ProductListCreateView.as_view(), name="catalog-product-list"),
    path("products/<int:pk>/", views.ProductDetailView.as_view(), name="catalog-product-detail"),
    path("products/<int:pk>/assign-brand/", views.ProductAssignBrandView.as_view(), name="catalog-product-brand"),
    path("products/<int:pk>/approve/", views.ProductApproveView.as_view(), name="catalog-product-approve"),
    path("products/<int:pk>/reject/", views.ProductRejectView.as_view(), name="catalog-product-reject"),
    path("products/<int:pk>/images/", views.ProductImageCreateView.as_view(), name="catalog-product-images"),
    path(
        "products/<int:pk>/images/<int:image_id>/",
        views.ProductImageDetailView.as_view(),
        name="catalog-product-image-detail",
    ),
    path("brands/", views.BrandListCreateView.as_view(), name="catalog-brand-list"),
    path("brands/<int:pk>/", views.BrandDetailView.as_view(), name="catalog-brand-detail"),
    path("brands/<int:pk>/approve/", views.BrandApproveView.as_view(), name="catalog-brand-approve"),
    path("brands/<int:pk>/reject/", views.BrandRejectView.as_view(), name="catalog-brand-reject"),
    path("sale-events/", views.SaleEventListCreateView.as_view(), name="catalog-sale-event-list"),
    path("sale-events/<int:pk>/", views.SaleEventDetailView.as_view(), name="catalog-sale-event-detail"),
]
