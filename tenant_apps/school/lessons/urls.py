"""``/api/v1/`` routes of the lessons app (school sites only; ``tenant_apps/school/urls.py``)."""

from django.urls import path

from tenant_apps.school.lessons import views

urlpatterns = [
    path("authors/", views.AuthorListCreateView.as_view(), name="lessons-author-list"),
    path("authors/<int:pk>/", views.AuthorDetailView.as_view(), name="lessons-author-detail"),
    path("products/", views.ProductListCreateView.as_view(), name="lessons-product-list"),
    path("products/mine/", views.MyPurchaseListView.as_view(), name="lessons-product-mine"),
    path("products/<int:pk>/", views.ProductDetailView.as_view(), name="lessons-product-detail"),
    path("products/<int:pk>/purchase/", views.ProductPurchaseView.as_view(), name="lessons-product-purchase"),
    path("products/<int:pk>/lessons/", views.ProductLessonListCreateView.as_view(), name="lessons-lesson-list"),
    path(
        "products/<int:pk>/lessons/<int:lesson_id>/",
        views.ProductLessonDetailView.as_view(),
        name="lessons-lesson-detail",
    ),
    path("products/<int:pk>/groups/", views.ProductGroupListView.as_view(), name="lessons-group-list"),
    path("groups/mine/", views.MyGroupListView.as_view(), name="lessons-group-mine"),
    path("groups/<int:pk>/move/", views.GroupMoveView.as_view(), name="lessons-group-move"),
]
