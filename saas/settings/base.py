"""Settings shared by every profile, read from the environment through django-environ.

Every variable is listed in README.md ("Settings"). Profiles (``local``, ``test``,
``production``) import this module and change only what differs.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import environ

from tenant_apps.kinds import load_kinds, tenant_types

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")

# --------------------------------------------------------------------------------------------
# Tenancy
# --------------------------------------------------------------------------------------------
#: Tenants are served on ``<slug>.<PLATFORM_DOMAIN>``; the platform API on PLATFORM_DOMAIN itself.
PLATFORM_DOMAIN = env("PLATFORM_DOMAIN", default="localhost").lower()

# The platform domain and its subdomains. Django validates these hosts as usual; any other Host
# (a tenant's custom domain) is served only when the tenant lookup finds it (a verified custom
# domain has a Domain row): the lookup is the allow-list, so customer domains are never listed
# here (shared_apps/tenancy/middleware.py). A Host of no site gets a JSON 404, a malformed one a 400.
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[PLATFORM_DOMAIN, f".{PLATFORM_DOMAIN}"])

TENANT_MODEL = "tenancy.Tenant"
TENANT_DOMAIN_MODEL = "tenancy.Domain"
PUBLIC_SCHEMA_NAME = "public"
HAS_MULTI_TYPE_TENANTS = True
MULTI_TYPE_DATABASE_FIELD = "kind"
# Set `search_path` once per connection and tenant, not before every query. Our backend
# (saas.db.backend) forgets the cached path on any rollback, see its docstring.
TENANT_LIMIT_SET_CALLS = True
#: How links in e-mails reach a site: "{host}" is the tenant's host name.
SITE_URL_FORMAT = env("SITE_URL_FORMAT", default="https://{host}")
#: Seconds a Host -> tenant lookup stays cached in a process (entries are also invalidated on change).
TENANT_CACHE_TTL = env.int("TENANT_CACHE_TTL", default=300)
#: Days an archived tenant is kept (and can be resumed) before the hourly sweep purges it
#: (schema, files, cache keys, Stripe subscription; shared_apps/superadmin/purge.py).
TENANT_PURGE_AFTER_DAYS = env.int("TENANT_PURGE_AFTER_DAYS", default=30)
#: Usage per tenant (shared_apps/superadmin/usage.py): seconds between two collections of every
#: tenant's figures by beat, and hours of request counts kept in the database (at least 24).
USAGE_COLLECT_SECONDS = env.float("USAGE_COLLECT_SECONDS", default=300.0)
USAGE_HOURS_KEPT = max(24, env.int("USAGE_HOURS_KEPT", default=168))
#: Seconds a process adds up its tenants' request counts before sending them to Redis (one round trip).
USAGE_FLUSH_SECONDS = env.float("USAGE_FLUSH_SECONDS", default=10.0)
#: First part of the usage counters' Redis keys (starts with "_", which no schema's cache key can).
USAGE_KEY_PREFIX = "_usage"
#: When set, ``GET /api/v1/metrics/`` (Prometheus) answers a ``Authorization: Bearer <token>`` with it;
#: empty: the endpoint answers 404.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
#: Seconds between two reads of the routing version by one process: a tenant or domain change
#: reaches every process within this (shared_apps/tenancy/hosts.py).
TENANT_CACHE_CHECK_SECONDS = env.float("TENANT_CACHE_CHECK_SECONDS", default=1.0)
#: Tenant schemas ``migrate_schemas`` migrates at once, one process each (``--parallel`` overrides).
TENANT_MULTIPROCESSING_MAX_PROCESSES = env.int("TENANT_MULTIPROCESSING_MAX_PROCESSES", default=2)
#: Custom domains (shared_apps/tenancy/domains.py): the DNS servers the TXT check asks, a comma
#: list of ``ip[:port]`` (empty: the system's resolvers), and seconds one check may take.
DNS_RESOLVERS = env.list("DNS_RESOLVERS", default=[])
DNS_TIMEOUT = env.float("DNS_TIMEOUT", default=5.0)
#: Custom domains one tenant may hold (any status) when its plan sets no ``custom_domains`` limit.
CUSTOM_DOMAINS_MAX = env.int("CUSTOM_DOMAINS_MAX", default=5)
#: When set, ``GET /api/v1/tls/ask/`` (the TLS edge's question) requires it (``?token=`` or a Bearer).
TLS_ASK_TOKEN = env("TLS_ASK_TOKEN", default="")

# Apps in every schema (public and tenant): the user model lives in both, since platform staff
# are users of the public schema and each tenant has its own users.
_CORE_APPS = [
    "django.contrib.admin",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "saas.api",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "guardian",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "dj_rest_auth",
    "dj_rest_auth.registration",
    "tenant_apps.accounts",
]

# Apps every tenant kind has: accounts (above), then the services all kinds share.
TENANT_COMMON_APPS = [
    *_CORE_APPS,
    "tenant_apps.audit",
    "tenant_apps.files",
    "tenant_apps.emails",
    "tenant_apps.notifications",
    "tenant_apps.tickets",
    "tenant_apps.payments",
    "tenant_apps.wallet",
]

#: The tenant kinds, one package each (``tenant_apps/<kind>/``, declared in its ``kind.py``): adding
#: a kind is adding its folder and its line here (docs/adding-a-kind.md).
TENANT_KINDS = [
    "tenant_apps.school",
    "tenant_apps.store",
    "tenant_apps.writing",
    "tenant_apps.rental",
]

TENANT_TYPES = tenant_types(
    load_kinds(TENANT_KINDS),
    public={
        "APPS": [
            "django_tenants",
            "shared_apps.tenancy",
            "shared_apps.billing",
            "shared_apps.superadmin",
            "shared_apps.outbox",
            *_CORE_APPS,
        ],
        "URLCONF": "saas.urls.public",
    },
    common_apps=TENANT_COMMON_APPS,
)

INSTALLED_APPS: list[str] = []
for _type in TENANT_TYPES.values():
    INSTALLED_APPS += [app for app in _type["APPS"] if app not in INSTALLED_APPS]
# Our migrate_schemas (which also keeps the per-kind template schemas current) must win over
# django-tenants' command of the same name, so the tenancy app is listed first.
INSTALLED_APPS.remove("shared_apps.tenancy")
INSTALLED_APPS.insert(0, "shared_apps.tenancy")

DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]

MIDDLEWARE = [
    "saas.logs.RequestIdMiddleware",
    "saas.health.HealthCheckMiddleware",
    # Static files (the admin's CSS and scripts) before tenant routing: they are the same for every host.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Counts and times every request for Prometheus, by site kind, method and status class (saas/metrics.py).
    "saas.metrics.RequestMetricsMiddleware",
    "saas.api.middleware.RejectNulCharactersMiddleware",
    "shared_apps.tenancy.middleware.TenantMiddleware",
    # Counts each tenant's requests and 5xx answers, and its active users (shared_apps/superadmin/usage.py).
    "shared_apps.superadmin.usage.UsageMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "saas.logs.SessionUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "tenant_apps.audit.middleware.AuditContextMiddleware",
]

# A CSRF failure (plain Django views only; DRF's are exempt) is a JSON 403 in the error shape.
CSRF_FAILURE_VIEW = "saas.api.errors.csrf_failure_view"

ROOT_URLCONF = "saas.urls.public"
PUBLIC_SCHEMA_URLCONF = "saas.urls.public"
WSGI_APPLICATION = "saas.wsgi.application"
ASGI_APPLICATION = "saas.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "saas" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --------------------------------------------------------------------------------------------
# Database: DATABASE_URL, or the embedded PostgreSQL when it is unset (see embedded_db.py).
# --------------------------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL", default="")

#: What sits between the processes and PostgreSQL (docs/operations.md, "Database connections"):
#: "session" (PostgreSQL itself, or a pooler that gives a client one server session, such as
#: PgBouncer in session mode) or "transaction" (PgBouncer in transaction mode: each transaction
#: may run on another server session, so every query carries its tenant's search_path).
DB_POOL_MODE = env("DB_POOL_MODE", default="session")
if DB_POOL_MODE not in {"session", "transaction"}:
    raise environ.ImproperlyConfigured(f"DB_POOL_MODE must be 'session' or 'transaction', not {DB_POOL_MODE!r}")


def _pool_options() -> dict[str, object]:
    """``OPTIONS`` entries of Django's psycopg connection pool, one pool per process.

    ``DB_POOL_MAX_SIZE`` connections at most (0 turns the pool off), ``DB_POOL_MIN_SIZE`` kept open
    while idle, and a request that finds every connection taken waits ``DB_POOL_TIMEOUT`` seconds
    before it is answered 503. Raises ``ImproperlyConfigured`` for sizes that cannot work.
    """
    max_size = env.int("DB_POOL_MAX_SIZE", default=10)
    min_size = env.int("DB_POOL_MIN_SIZE", default=2)
    timeout = env.float("DB_POOL_TIMEOUT", default=10.0)
    if max_size == 0:
        return {}
    if not 0 <= min_size <= max_size or timeout <= 0:
        raise environ.ImproperlyConfigured(
            "Need 0 <= DB_POOL_MIN_SIZE <= DB_POOL_MAX_SIZE and DB_POOL_TIMEOUT > 0 (seconds)"
        )
    return {"pool": {"min_size": min_size, "max_size": max_size, "timeout": timeout}}


def database_settings(*, embedded_allowed: bool) -> dict[str, dict[str, object]]:
    """``DATABASES`` from ``DATABASE_URL``, or the embedded server when unset and allowed.

    Every process gets Django's psycopg connection pool (``_pool_options``); Django requires
    ``CONN_MAX_AGE`` 0 with it. Raises ``ImproperlyConfigured`` when ``DATABASE_URL`` is unset and the
    profile forbids the embedded server (production), or when ``DB_CONN_MAX_AGE`` is not 0 while
    the pool is on.
    """
    if DATABASE_URL:
        db = env.db_url_config(DATABASE_URL)
    elif embedded_allowed:
        from saas.settings.embedded_db import embedded_database_settings

        db = embedded_database_settings(
            Path(env("EMBEDDED_PG_DIR", default=str(BASE_DIR / ".pgdata"))),
            name=env("EMBEDDED_PG_DATABASE", default="saas"),
        )
    else:
        raise environ.ImproperlyConfigured("Set the DATABASE_URL environment variable")
    db["ENGINE"] = "saas.db.backend"
    db["CONN_HEALTH_CHECKS"] = True
    db["OPTIONS"] = {**db.get("OPTIONS", {}), **_pool_options()}
    db["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=0)
    if db["OPTIONS"].get("pool") and db["CONN_MAX_AGE"] != 0:
        raise environ.ImproperlyConfigured(
            "DB_CONN_MAX_AGE must be 0 while the connection pool is on (DB_POOL_MAX_SIZE > 0)"
        )
    db["POOL_MODE"] = DB_POOL_MODE  # read by saas.db.backend
    if DB_POOL_MODE == "transaction":
        # A server-side cursor lives in a server session; the next transaction may be on another one.
        db["DISABLE_SERVER_SIDE_CURSORS"] = True
    return {"default": db}


DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --------------------------------------------------------------------------------------------
# Cache and Celery: Redis when REDIS_URL is set, local memory and eager tasks otherwise.
# --------------------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
#: The Redis of the usage counters (shared_apps/superadmin/usage.py): REDIS_URL, empty without it.
USAGE_REDIS_URL = REDIS_URL
#: The process's one Redis connection pool per URL (saas/cache.py): its size, the connect, read and
#: pool-wait timeout, and how long Redis is skipped after it failed (the circuit breaker).
REDIS_MAX_CONNECTIONS = env.int("REDIS_MAX_CONNECTIONS", default=50)
REDIS_TIMEOUT_SECONDS = env.float("REDIS_TIMEOUT_SECONDS", default=0.5)
REDIS_RETRY_SECONDS = env.float("REDIS_RETRY_SECONDS", default=5.0)
_TENANT_KEYS = {
    "KEY_FUNCTION": "django_tenants.cache.make_key",
    "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
}
if REDIS_URL:
    # One connection pool per process, reads fail soft, writes raise (saas/cache.py).
    _redis = {"BACKEND": "saas.cache.RedisCache", "LOCATION": REDIS_URL}
    CACHES = {
        # Tenant data: every key is prefixed with the current schema (django-tenants' key function).
        "default": {**_redis, **_TENANT_KEYS},
        # Platform data (Host -> tenant lookups): one namespace across tenants, never tenant data.
        "platform": {**_redis, "KEY_PREFIX": "platform"},
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tenant", **_TENANT_KEYS},
        "platform": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "platform"},
    }

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
# A task whose worker process died mid-run (SIGKILL, OOM) goes back to the queue and runs again
# (its effect applied once: ``saas.tasks.effect_once``), instead of being acknowledged as failed.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Redis: a message taken but not acknowledged (its worker was killed) is delivered again this many
# seconds after it was taken (``visibility_timeout``). Longer than the longest task (or a slow task
# runs twice), short enough that a lost one comes back soon. Publishing tries the broker twice,
# at once, and gives up (kombu's ``max_retries``, ``interval_*``; 2 s to connect): a request whose
# task could not be published does not wait, the outbox relay publishes it later. (kombu's default
# waits about 6 s against a refused port.) The worker's own reconnection is
# ``CELERY_BROKER_CONNECTION_RETRY*``, not this.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
    "socket_connect_timeout": 2,
}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TIMEZONE = "UTC"
# The transactional outbox (shared_apps/outbox): unsent rows handed to the broker per relay batch,
# the first retry delay after a failed publish (doubled per attempt, up to the maximum), and how
# long sent rows and the keys of applied task runs (``ProcessedTask``) are kept.
OUTBOX_RELAY_BATCH = env.int("OUTBOX_RELAY_BATCH", default=500)
OUTBOX_RETRY_SECONDS = env.float("OUTBOX_RETRY_SECONDS", default=5.0)
OUTBOX_RETRY_MAX_SECONDS = env.float("OUTBOX_RETRY_MAX_SECONDS", default=60.0)
OUTBOX_KEEP_SENT_HOURS = env.int("OUTBOX_KEEP_SENT_HOURS", default=24)
OUTBOX_KEEP_PROCESSED_DAYS = env.int("OUTBOX_KEEP_PROCESSED_DAYS", default=14)
# Periodic tasks (run ``celery -A saas beat``): an entry with ``kinds`` is sent to each active
# tenant of those kinds, in its schema (shared_apps/tenancy/beat.py, on tenant-schemas-celery's
# scheduler); one with ``"public": True`` once, in the public schema; one without either goes to
# every tenant but public. A kind's task still returns at once in
# another kind's schema.
CELERY_BEAT_SCHEDULER = "shared_apps.tenancy.beat.KindAwareScheduler"
# Beat replicas (shared_apps/tenancy/beat.py): only the holder of a Redis lock sends; it renews the lock
# at every tick (at most CELERY_BEAT_MAX_LOOP_INTERVAL seconds apart) and another replica takes over
# within CELERY_BEAT_LEADER_TTL seconds of its death. Each entry's last run is kept in Redis under
# CELERY_BEAT_STATE_KEY, so a run missed while no beat was up is made at the next start.
CELERY_BEAT_MAX_LOOP_INTERVAL = env.int("CELERY_BEAT_MAX_LOOP_INTERVAL", default=15)
CELERY_BEAT_LEADER_TTL = env.int("CELERY_BEAT_LEADER_TTL", default=60)
CELERY_BEAT_STATE_KEY = env("CELERY_BEAT_STATE_KEY", default="celery-beat")
if not CELERY_BEAT_MAX_LOOP_INTERVAL * 2 < CELERY_BEAT_LEADER_TTL:
    raise environ.ImproperlyConfigured("CELERY_BEAT_LEADER_TTL must exceed twice CELERY_BEAT_MAX_LOOP_INTERVAL.")
CELERY_BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    # hand the outbox's unsent tasks (broker down at commit) to the broker; every 10 s, in public
    "outbox-relay": {
        "task": "shared_apps.outbox.tasks.outbox_relay_task",
        "schedule": 10.0,
        "public": True,
        "options": {"expires": 30},
    },
    # re-check every verified custom domain's TXT record daily, once, in the public schema
    "tenancy-custom-domains-recheck": {
        "task": "shared_apps.tenancy.tasks.custom_domains_recheck_task",
        "schedule": 86400.0,
        "public": True,
    },
    # purge the archived sites whose retention (TENANT_PURGE_AFTER_DAYS) ran out; hourly, in public
    "tenancy-purge-archived": {
        "task": "shared_apps.superadmin.tasks.tenants_purge_due_task",
        "schedule": 3600.0,
        "public": True,
    },
    # collect every tenant's usage and health into its snapshot (shared_apps/superadmin/usage.py), in public
    "superadmin-usage-collect": {
        "task": "shared_apps.superadmin.tasks.tenant_usage_collect_task",
        "schedule": USAGE_COLLECT_SECONDS,
        "public": True,
    },
    # suspend the sites whose billing grace period ended, remind those with a day left; hourly, in public
    # send the Stripe sync again for sites whose sync never completed or last failed; hourly, in public
    "billing-accounts-resync": {
        "task": "shared_apps.billing.tasks.billing_accounts_resync_task",
        "schedule": 3600.0,
        "public": True,
    },
    "billing-dunning-sweep": {
        "task": "shared_apps.billing.tasks.dunning_sweep_task",
        "schedule": 3600.0,
        "public": True,
    },
    "store-close-due-auctions": {
        "task": "tenant_apps.store.auctions.tasks.close_due_auctions",
        "schedule": 60.0,
        "kinds": ["store"],
    },
    "store-orders-complete-due": {
        "task": "tenant_apps.store.orders.tasks.orders_complete_due_task",
        "schedule": 900.0,
        "kinds": ["store"],
    },
    "rental-bookings-expire-due": {
        "task": "tenant_apps.rental.bookings.tasks.bookings_expire_due_task",
        "schedule": 60.0,
        "kinds": ["rental"],
    },
    "rental-bookings-complete-due": {
        "task": "tenant_apps.rental.bookings.tasks.bookings_complete_due_task",
        "schedule": 900.0,
        "kinds": ["rental"],
    },
    # due from each rental site's report hour, in its time zone; sent once per site-local day
    "rental-daily-report": {
        "task": "tenant_apps.rental.reports.tasks.send_daily_report",
        "schedule": 900.0,
        "kinds": ["rental"],
    },
    # re-import every property's ical_import_url (another channel's feed) hourly
    "rental-calendar-import": {
        "task": "tenant_apps.rental.properties.tasks.properties_calendar_import_all",
        "schedule": 3600.0,
        "kinds": ["rental"],
    },
    # start each writing site's scheduled campaigns whose time has come
    "writing-campaigns-start-due": {
        "task": "tenant_apps.writing.campaigns.tasks.campaigns_start_due_task",
        "schedule": 60.0,
        "kinds": ["writing"],
    },
    # expire writing clients' loyalty points past their expiry (tenant_apps/writing/loyalty/tasks.py)
    "writing-loyalty-expire-points": {
        "task": "tenant_apps.writing.loyalty.tasks.points_expire_due_task",
        "schedule": 3600.0,
        "kinds": ["writing"],
    },
    # special orders' installments: reminders before the due date, overdue notices (each once)
    "writing-special-orders-remind": {
        "task": "tenant_apps.writing.special_orders.tasks.special_orders_remind",
        "schedule": 3600.0,
        "kinds": ["writing"],
    },
    # class bundle purchases past their expires_at become expired (drawing refuses them anyway)
    "writing-bundles-expire": {
        "task": "tenant_apps.writing.bundles.tasks.purchases_expire_task",
        "schedule": 900.0,
        "kinds": ["writing"],
    },
    # mark due scheduled blog posts published (readers see them at publish_at without it)
    "writing-blog-publish-due": {
        "task": "tenant_apps.writing.cms.tasks.blog_posts_publish_due_task",
        "schedule": 300.0,
        "kinds": ["writing"],
    },
    # fine writing revisions past due and not submitted (writing fines)
    "writing-fines-missed-revisions": {
        "task": "tenant_apps.writing.fines.tasks.fines_missed_revisions_task",
        "schedule": 3600.0,
        "kinds": ["writing"],
    },
}

# --------------------------------------------------------------------------------------------
# Auth
# --------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row in each schema

ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="none")
ACCOUNT_ADAPTER = "tenant_apps.accounts.adapter.AccountAdapter"

REST_AUTH = {
    "USE_JWT": True,
    "TOKEN_MODEL": None,
    "JWT_AUTH_HTTPONLY": False,
    "SESSION_LOGIN": False,
    "JWT_TOKEN_CLAIMS_SERIALIZER": "tenant_apps.accounts.tokens.TenantTokenObtainPairSerializer",
    "USER_DETAILS_SERIALIZER": "tenant_apps.accounts.serializers.UserDetailsSerializer",
    "REGISTER_SERIALIZER": "tenant_apps.accounts.serializers.RegisterSerializer",
    "LOGIN_SERIALIZER": "tenant_apps.accounts.serializers.LoginSerializer",
    "PASSWORD_RESET_SERIALIZER": "tenant_apps.accounts.serializers.PasswordResetSerializer",
    "PASSWORD_CHANGE_SERIALIZER": "tenant_apps.accounts.serializers.PasswordChangeSerializer",
    "OLD_PASSWORD_FIELD_ENABLED": True,
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "AUTH_TOKEN_CLASSES": ("tenant_apps.accounts.tokens.TenantAccessToken",),
    "TOKEN_REFRESH_SERIALIZER": "tenant_apps.accounts.tokens.TenantTokenRefreshSerializer",
    "TOKEN_VERIFY_SERIALIZER": "tenant_apps.accounts.tokens.TenantTokenVerifySerializer",
}

#: Minutes without API use after which a login session ends (its refresh and access tokens answer
#: 401 ``session_expired``; tenant_apps/accounts/sessions.py); 0 = off. A site's admins may set their
#: own (``/api/v1/auth/settings/``).
SESSION_IDLE_TIMEOUT_MINUTES = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=30)
# Impersonation by platform staff (shared_apps.superadmin.impersonation): the access token's lifetime, and
# whether a site's admins may be impersonated.
IMPERSONATION_TOKEN_MINUTES = env.int("IMPERSONATION_TOKEN_MINUTES", default=15)
IMPERSONATION_ALLOW_ADMINS = env.bool("IMPERSONATION_ALLOW_ADMINS", default=True)
#: Tenant export and restore (shared_apps/superadmin/portability): the directory of pg_dump, pg_restore
#: and psql (all three from the same one); empty = the newest of pgserver's bundled binaries and PATH.
#: pg_dump must be at least the server's major version.
PG_BIN_DIR = env("PG_BIN_DIR", default="")
#: The key tenant archives' manifests are signed with (HMAC-SHA256); an import refuses an archive
#: signed with another. Empty = derived from SECRET_KEY. Give two deployments the same key to move
#: sites between them. A secret: from the Secret, not the ConfigMap.
TENANT_ARCHIVE_SIGNING_KEY = env("TENANT_ARCHIVE_SIGNING_KEY", default="")

#: One-time login codes (OTP): lifetime, attempts per code, and requests per address per window.
OTP_TTL_SECONDS = env.int("OTP_TTL_SECONDS", default=300)
OTP_MAX_ATTEMPTS = env.int("OTP_MAX_ATTEMPTS", default=5)
OTP_RATE_LIMIT = env.int("OTP_RATE_LIMIT", default=3)
OTP_RATE_WINDOW_SECONDS = env.int("OTP_RATE_WINDOW_SECONDS", default=600)
#: Brute-force throttles of the auth endpoints (tenant_apps/accounts/throttles.py), DRF rate
#: strings "N/s|m|h|d" per "<endpoint>_<address|ip|user>". AUTH_THROTTLE_RATES overrides single
#: entries, e.g. "login_ip=300/h,otp_request_ip=60/h".
AUTH_THROTTLE_RATES = {
    "login_address": "10/h",
    "login_ip": "100/h",
    "password_reset_address": "5/h",
    "password_reset_ip": "20/h",
    "password_change_user": "10/h",
    "password_change_ip": "30/h",
    "otp_request_address": "10/h",
    "otp_request_ip": "30/h",
    "otp_verify_address": "20/h",
    "otp_verify_ip": "60/h",
    "registration_ip": "20/h",
    **env.dict("AUTH_THROTTLE_RATES", default={}),
}
#: Reverse proxies in front of the app that append to X-Forwarded-For (an ingress, a load
#: balancer). The client IP used by throttles is the address this many hops from the right; 0 =
#: REMOTE_ADDR, and a client's own X-Forwarded-For is ignored.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
#: Dotted path of the SMS sender class (see tenant_apps/accounts/sms.py).
SMS_BACKEND = env("SMS_BACKEND", default="tenant_apps.accounts.sms.ConsoleSMSBackend")

# --------------------------------------------------------------------------------------------
# REST API
# --------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["tenant_apps.accounts.tokens.TenantJWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "saas.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "saas.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "saas.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # The API speaks JSON; views that take files (tenant_apps/files) set their own parsers.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "SaaS platform API",
    "DESCRIPTION": "Each host serves the API of its own tenant kind. Errors use one JSON shape: "
    '{"error": {"code", "message", "details"}}.',
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Model fields named "status" with different choices get a name each (else "Status7b4Enum").
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "tenant_apps.store.orders.models.OrderStatus",
        "ProductStatusEnum": "tenant_apps.store.catalog.models.ProductStatus",
        "DiscountKindEnum": "tenant_apps.writing.discounts.models.DiscountKind",
        "BlogPostStatusEnum": "tenant_apps.writing.cms.models.PostStatus",
        "SubscriptionStatusEnum": "shared_apps.billing.models.SubscriptionStatus",
        "TenantStatusEnum": "shared_apps.tenancy.models.TenantStatus",
    },
}

# --------------------------------------------------------------------------------------------
# E-mail: SendGrid (official SDK) when SENDGRID_API_KEY is set, else EMAIL_BACKEND (console).
# --------------------------------------------------------------------------------------------
SENDGRID_API_KEY = env("SENDGRID_API_KEY", default="")
#: SendGrid API base URL; tests point it at a local recorder.
SENDGRID_API_HOST = env("SENDGRID_API_HOST", default="https://api.sendgrid.com")
EMAIL_BACKEND = (
    "tenant_apps.emails.backends.SendGridEmailBackend"
    if SENDGRID_API_KEY
    else env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default=f"no-reply@{PLATFORM_DOMAIN}")
#: Retries of a failed e-mail task (exponential backoff from 10 s).
EMAIL_MAX_RETRIES = env.int("EMAIL_MAX_RETRIES", default=5)

# --------------------------------------------------------------------------------------------
# Files: S3 (django-storages, boto3) when AWS_STORAGE_BUCKET_NAME is set, local disk otherwise.
# Every key starts with the tenant's schema (tenant_apps/files/storage.py).
# --------------------------------------------------------------------------------------------
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
#: Seconds a download URL (S3 pre-signed, or our signed local URL) stays valid.
FILE_URL_TTL_SECONDS = env.int("FILE_URL_TTL_SECONDS", default=300)
FILE_MAX_BYTES = env.int("FILE_MAX_BYTES", default=10 * 1024 * 1024)
FILE_ALLOWED_TYPES = env.list(
    "FILE_ALLOWED_TYPES",
    default=[
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "text/plain",
        "text/csv",
        "application/zip",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ],
)
_STATIC_STORAGE = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
if AWS_STORAGE_BUCKET_NAME:
    STORAGES = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": AWS_STORAGE_BUCKET_NAME,
                "region_name": env("AWS_S3_REGION_NAME", default=None),
                "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
                "default_acl": None,
                "querystring_auth": True,
                "querystring_expire": FILE_URL_TTL_SECONDS,
                "signature_version": "s3v4",
                "file_overwrite": False,
                "object_parameters": {"ServerSideEncryption": "AES256"},
            },
        },
        "staticfiles": _STATIC_STORAGE,
    }
else:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": _STATIC_STORAGE,
    }

# --------------------------------------------------------------------------------------------
# Payments: Stripe (official SDK). One platform Stripe account; each PaymentIntent carries its
# tenant in its metadata and each tenant has its own webhook endpoint.
# --------------------------------------------------------------------------------------------
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
#: Stripe API base URL; development and tests point it at a local fake (localstripe).
STRIPE_API_BASE = env("STRIPE_API_BASE", default="https://api.stripe.com")
#: Currency of new invoices when none is given (ISO 4217, upper case).
DEFAULT_CURRENCY = env("DEFAULT_CURRENCY", default="USD")

# --------------------------------------------------------------------------------------------
# Platform billing (shared_apps/billing): the platform's own Stripe account sells plans to the
# tenants; each site takes its clients' card payments on its own connected account (Connect).
# --------------------------------------------------------------------------------------------
#: The plan (code) a new site subscribes to when none is chosen; empty: no plan, nothing limited.
BILLING_DEFAULT_PLAN = env("BILLING_DEFAULT_PLAN", default="")
#: Days a site keeps working after its subscription falls past due, before it is suspended.
BILLING_GRACE_DAYS = env.int("BILLING_GRACE_DAYS", default=7)
#: Signing secret of the billing webhook endpoint (``/api/v1/billing/stripe/webhook/``, platform host).
STRIPE_BILLING_WEBHOOK_SECRET = env("STRIPE_BILLING_WEBHOOK_SECRET", default="")
#: Signing secret of the Connect webhook endpoint (``/api/v1/billing/stripe/connect/webhook/``).
STRIPE_CONNECT_WEBHOOK_SECRET = env("STRIPE_CONNECT_WEBHOOK_SECRET", default="")
#: Whether a site that has not connected its Stripe account takes card payments on the platform's
#: account (true) or refuses them with ``stripe_account_not_connected`` (false).
STRIPE_CONNECT_PLATFORM_FALLBACK = env.bool("STRIPE_CONNECT_PLATFORM_FALLBACK", default=False)

# Rental sites: minutes an unpaid booking holds its dates before it expires.
RENTAL_BOOKING_HOLD_MINUTES = env.int("RENTAL_BOOKING_HOLD_MINUTES", default=30)
# Writing sites: the smallest and largest card top-up of a client's wallet (pricing currency), and
# the smallest payout a writer may ask for (wallet currency); decimal strings.
WRITING_TOP_UP_MIN = env.str("WRITING_TOP_UP_MIN", default="5.00")
WRITING_TOP_UP_MAX = env.str("WRITING_TOP_UP_MAX", default="5000.00")
WRITING_PAYOUT_MIN = env.str("WRITING_PAYOUT_MIN", default="10.00")
# Writing sites' mass e-mail: recipients per Celery batch task, tries per recipient before a
# transient failure (SendGrid 5xx/429, network) counts as failed, seconds before a batch retries them.
WRITING_CAMPAIGN_BATCH_SIZE = env.int("WRITING_CAMPAIGN_BATCH_SIZE", default=100)
WRITING_CAMPAIGN_MAX_ATTEMPTS = env.int("WRITING_CAMPAIGN_MAX_ATTEMPTS", default=3)
WRITING_CAMPAIGN_RETRY_SECONDS = env.int("WRITING_CAMPAIGN_RETRY_SECONDS", default=300)
# Writing sites: days before an installment of a special order falls due its reminder is sent.
WRITING_INSTALLMENT_REMINDER_DAYS = env.int("WRITING_INSTALLMENT_REMINDER_DAYS", default=3)
# Writing sites: the referral reward each side gets by default (a site's admins change it in its
# referral settings): wallet credit (wallet currency, decimal string) or loyalty points.
WRITING_REFERRAL_REWARD_AMOUNT = env.str("WRITING_REFERRAL_REWARD_AMOUNT", default="5.00")
WRITING_REFERRAL_REWARD_POINTS = env.int("WRITING_REFERRAL_REWARD_POINTS", default=100)

# --------------------------------------------------------------------------------------------
# Notifications: the SSE stream sends a comment line this often to keep proxies from closing it.
# --------------------------------------------------------------------------------------------
NOTIFICATIONS_KEEPALIVE_SECONDS = env.int("NOTIFICATIONS_KEEPALIVE_SECONDS", default=15)

# --------------------------------------------------------------------------------------------
# Static files, i18n
# --------------------------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

#: ``json`` (one JSON object per line: what log collectors parse) or ``plain`` (one readable line);
#: every record carries ``request_id``, ``tenant`` and ``user_id`` either way (``saas/logs.py``).
LOG_FORMAT = env("LOG_FORMAT", default="json")
if LOG_FORMAT not in ("json", "plain"):
    raise environ.ImproperlyConfigured(f"LOG_FORMAT must be 'json' or 'plain', not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "saas.logs.LogContextFilter"}},
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(tenant)s %(request_id)s user=%(user_id)s] %(message)s"
        },
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s %(tenant)s %(user_id)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": True,
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["context"]},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"pgserver": {"level": "WARNING"}},
}

# --------------------------------------------------------------------------------------------
# Integrations: each switches itself on when its variable is set.
# --------------------------------------------------------------------------------------------
SENTRY_DSN = env("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env("SENTRY_ENVIRONMENT", default="development")
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)
if SENTRY_DSN:
    from saas.settings.sentry import init_sentry

    init_sentry(SENTRY_DSN, environment=SENTRY_ENVIRONMENT, traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE)

# --------------------------------------------------------------------------------------------
# Rental: inquiries
# --------------------------------------------------------------------------------------------
#: Anonymous inquiries (tenant_apps/rental/inquiries/throttles.py) per e-mail address and per
#: client IP, per site: DRF rate strings "N/s|m|h|d". RENTAL_INQUIRY_VISITOR_RATES overrides, e.g.
#: "address=10/h,ip=60/h".
RENTAL_INQUIRY_VISITOR_RATES = {
    "address": "5/h",
    "ip": "20/h",
    **env.dict("RENTAL_INQUIRY_VISITOR_RATES", default={}),
}
