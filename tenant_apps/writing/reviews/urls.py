"""``/api/v1/`` routes of the writing reviews app (writing sites only; ``tenant_apps/writing/urls.py``)."""

from django.urls import path

from tenant_apps.writing.reviews import views

urlpatterns = [
    path("reviews/orders/", views.OrderReviewListView.as_view(), name="writing-order-review-list"),
    path("reviews/orders/<int:pk>/", views.OrderReviewDetailView.as_view(), name="writing-order-review-detail"),
    path(
        "reviews/orders/<int:pk>/publish/", views.OrderReviewPublishView.as_view(), name="writing-order-review-publish"
    ),
    path("reviews/orders/<int:pk>/hide/", views.OrderReviewHideView.as_view(), name="writing-order-review-hide"),
    path("reviews/website/", views.WebsiteReviewListView.as_view(), name="writing-website-review-list"),
    path("reviews/website/manage/", views.WebsiteReviewManageView.as_view(), name="writing-website-review-manage"),
    path(
        "reviews/website/<int:pk>/publish/",
        views.WebsiteReviewPublishView.as_view(),
        name="writing-website-review-publish",
    ),
    path("reviews/website/<int:pk>/hide/", views.WebsiteReviewHideView.as_view(), name="writing-website-review-hide"),
    path("reviews/writers/<int:pk>/", views.WriterReviewListView.as_view(), name="writing-writer-review-list"),
]
