"""Settings of the Redis outage test's server: the development profile (Redis cache, Celery broker and
pub/sub on ``REDIS_URL``) with the test profile's password hasher, so the session tenants' users
sign in, and their stored hashes are not upgraded (which would lock the other tests out)."""

from saas.settings.local import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
