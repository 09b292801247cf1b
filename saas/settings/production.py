"""Production profile: every secret is required, HTTPS everywhere.

A missing ``DJANGO_SECRET_KEY`` or ``DATABASE_URL`` fails at start-up rather than running with
a default. ``python manage.py check --deploy`` passes with this profile.
"""

from saas.settings.base import *  # noqa: F403
from saas.settings.base import database_settings, env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
DATABASES = database_settings(embedded_allowed=False)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Kubernetes probes call /healthz and /readyz over plain HTTP on the pod IP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Preloading is a deliberate, hard-to-undo commitment for the platform domain and every subdomain,
# so it stays opt-in; while it is off, the reminder (security.W021) would make `check --deploy` fail.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
