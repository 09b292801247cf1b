"""Development profile: debug on, a throwaway secret key, console e-mail."""

from saas.settings.base import *  # noqa: F403
from saas.settings.base import REDIS_URL, database_settings, env

DATABASES = database_settings(embedded_allowed=True)

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key-change-me-0123456789abcdefghij")
SITE_URL_FORMAT = env("SITE_URL_FORMAT", default="http://{host}:8000")
# `make run` starts localstripe (a local fake of Stripe's API) on :8420; these point at it.
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="sk_test_localstripe")
STRIPE_API_BASE = env("STRIPE_API_BASE", default="http://127.0.0.1:8420")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="whsec_local_development")
STRIPE_BILLING_WEBHOOK_SECRET = env("STRIPE_BILLING_WEBHOOK_SECRET", default="whsec_local_billing")
STRIPE_CONNECT_WEBHOOK_SECRET = env("STRIPE_CONNECT_WEBHOOK_SECRET", default="whsec_local_connect")
STRIPE_CONNECT_PLATFORM_FALLBACK = env.bool("STRIPE_CONNECT_PLATFORM_FALLBACK", default=True)
# Without Redis (`make run`) each process caches tenants on its own: a change made by a command
# (the dunning sweep, a staff action in a shell) reaches the server within this many seconds.
TENANT_CACHE_TTL = env.int("TENANT_CACHE_TTL", default=2 if not REDIS_URL else 300)
# The admin's static files straight from the apps (WhiteNoise's finders, on while DEBUG): no
# collectstatic in development.
STATIC_ROOT = None  # type: ignore[assignment]
