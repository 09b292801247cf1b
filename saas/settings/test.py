"""Test profile: fast password hashing, in-memory e-mail, eager Celery, local caches.

``REDIS_URL`` and ``DATABASE_URL`` are honoured like everywhere else (CI sets both); the cache
stays local memory so tests never see each other's entries through a shared Redis.
"""

import os

from saas.settings.base import *  # noqa: F403
from saas.settings.base import database_settings, env

DATABASES = database_settings(embedded_allowed=True)
# One test database per run, so two suites (two developers, or CI and a developer) can run at
# once against one server; pytest-django drops it at the end of the run.
DATABASES["default"]["TEST"] = {
    "NAME": env("TEST_DATABASE_NAME", default=f"test_{DATABASES['default']['NAME']}_{os.getpid()}")
}

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY", default="test-only-insecure-key-0123456789abcdefghijklmnop")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "tenant_apps.accounts.sms.LocmemSMSBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "tenant",
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    },
    "platform": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "platform"},
}
# Tenant routing reads its version on every lookup: the caches are cleared between tests, and that
# must drop what the process cached for a test whose tenant changes were rolled back.
TENANT_CACHE_CHECK_SECONDS = 0.0
# Usage counts (shared_apps/superadmin/usage.py) stay in the process until a test sends them: no test
# but the usage tests (which set 0) sees a Redis command of theirs in the middle of its own.
USAGE_FLUSH_SECONDS = 86400.0
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

MEDIA_ROOT = Path(tempfile.gettempdir()) / f"saas-test-media-{os.getpid()}"
STRIPE_WEBHOOK_SECRET = "whsec_test_secret"
STRIPE_BILLING_WEBHOOK_SECRET = "whsec_test_billing_secret"
STRIPE_CONNECT_WEBHOOK_SECRET = "whsec_test_connect_secret"
# Sites without a connected account take card payments on the platform's account (the payments
# tests); the Connect tests switch it off.
STRIPE_CONNECT_PLATFORM_FALLBACK = True
SENDGRID_API_KEY = ""
# The admin's static files straight from the apps (no collectstatic before a test run).
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = None  # type: ignore[assignment]
