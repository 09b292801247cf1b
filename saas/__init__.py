"""The project package: settings, URL confs, the Celery app, ASGI/WSGI entry points."""

from saas.celery import app as celery_app

__all__ = ("celery_app",)
