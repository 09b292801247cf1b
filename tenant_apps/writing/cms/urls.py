"""``/api/v1/`` routes of the writing CMS app (writing sites only; ``tenant_apps/writing/urls.py``)."""

from django.urls import path

from tenant_apps.writing.cms import views

urlpatterns = [
    path("blog/posts/", views.PostListCreateView.as_view(), name="writing-blog-post-list"),
    path("blog/posts/<slug:slug>/", views.PostDetailView.as_view(), name="writing-blog-post-detail"),
    path("blog/posts/<slug:slug>/publish/", views.PostPublishView.as_view(), name="writing-blog-post-publish"),
    path("blog/posts/<slug:slug>/unpublish/", views.PostUnpublishView.as_view(), name="writing-blog-post-unpublish"),
    path("blog/posts/<slug:slug>/schedule/", views.PostScheduleView.as_view(), name="writing-blog-post-schedule"),
    path("blog/categories/", views.CategoryListCreateView.as_view(), name="writing-blog-category-list"),
    path("blog/categories/<int:pk>/", views.CategoryDetailView.as_view(), name="writing-blog-category-detail"),
    path("blog/tags/", views.TagListView.as_view(), name="writing-blog-tag-list"),
    path("service-pages/", views.ServicePageListCreateView.as_view(), name="writing-service-page-list"),
    path("service-pages/<slug:slug>/", views.ServicePageDetailView.as_view(), name="writing-service-page-detail"),
]
