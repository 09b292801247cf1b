"""ASGI entry point: uvicorn in development (``make run``), gunicorn with uvicorn workers in production.

ASGI serves the notification stream (an async view holding a Server-Sent Events connection
open without holding a worker thread). With ``DEBUG`` on, static files are served as
``runserver`` would.
"""

import os

from django.conf import settings
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saas.settings.local")
application = get_asgi_application()

if settings.DEBUG:
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    application = ASGIStaticFilesHandler(application)  # type: ignore[assignment]
