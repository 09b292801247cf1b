"""Development profile: debug on, a throwaway secret key, console e-mail."""

from saas.settings.base import *  # noqa: F403
from saas.settings.base import database_settings, env

DATABASES = database_settings(embedded_allowed=True)

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key-change-me-0123456789abcdefghij")
SITE_URL_FORMAT = env("SITE_URL_FORMAT", default="http://{host}:8000")
