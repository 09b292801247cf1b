"""``/api/v1/`` routes of the writing cms app (writing sites only; ``tenant_apps/writing/urls.py``)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
