# syntax=docker/dockerfile:1
#
# One image for every process of the platform (docs/operations.md):
#   web      gunicorn saas.asgi:application --worker-class=uvicorn_worker.UvicornWorker  (the default CMD)
#   worker   celery --app=saas worker ...
#   beat     celery --app=saas beat --schedule=/tmp/celerybeat-schedule
#   migrate  python manage.py migrate_schemas --shared / --tenant --executor=multiprocessing
# k8s/ sets the exact command of each. The image holds no secret and no development tool: every
# setting comes from the environment at run time (saas.settings.production requires
# DJANGO_SECRET_KEY and DATABASE_URL), and only the lock file's runtime dependencies are installed.
# Every process reaches PostgreSQL through its own psycopg connection pool (psycopg[pool]; the
# DB_POOL_* settings size it, docs/operations.md "Database connections").
#
#   docker build -t saas:local .
#
# Base image: Python 3.11 (the version the test suite runs on) on Debian trixie, slim. Pin it by
# digest in your registry mirror (python:3.11-slim-trixie@sha256:...) and let Renovate or Dependabot
# move the pin; both stages must use the same image, because the venv links to its interpreter.

FROM ghcr.io/astral-sh/uv:0.13.8 AS uv

# ---------------------------------------------------------------------------------------------
# Build: resolve nothing, install exactly uv.lock into /opt/venv, collect static files.
# ---------------------------------------------------------------------------------------------
FROM python:3.11-slim-trixie AS build

COPY --from=uv /uv /usr/local/bin/uv

ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv

WORKDIR /app

# Dependencies first, so this layer is reused until pyproject.toml or uv.lock change. Runtime
# dependencies only (no dev, infra or checkov group), and not pgserver: it bundles a PostgreSQL
# server for `make run`, while production always connects to DATABASE_URL.
RUN --mount=type=cache,target=/root/.cache/uv \
    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \
    --mount=type=bind,source=uv.lock,target=uv.lock \
    uv sync --frozen --no-default-groups --no-install-project --no-install-package pgserver

COPY . .

# collectstatic imports the production settings, which refuse to start without their two required
# variables; these throw-away values exist only for this command and are not kept in the image.
RUN DJANGO_SETTINGS_MODULE=saas.settings.production \
    DJANGO_SECRET_KEY=collectstatic-only-not-a-secret \
    DATABASE_URL=postgres://collectstatic@127.0.0.1:5432/unused \
    /opt/venv/bin/python manage.py collectstatic --noinput --verbosity 0 \
 && /opt/venv/bin/python -m compileall -q saas shared_apps tenant_apps

# ---------------------------------------------------------------------------------------------
# Runtime: the interpreter, the virtual environment and the code, run by an unprivileged user.
# ---------------------------------------------------------------------------------------------
FROM python:3.11-slim-trixie AS runtime

LABEL org.opencontainers.image.title="saas" \
      org.opencontainers.image.description="Multi-tenant SaaS backend: web (ASGI), Celery worker and beat, migrations"

RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin app

# Owned by root and read-only for the app user; Kubernetes also mounts the root filesystem read-only.
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=saas.settings.production

WORKDIR /app
USER 10001:10001
EXPOSE 8000

# checkov:skip=CKV_DOCKER_2: one image runs four different processes (web, worker, beat, migrations), so no single HEALTHCHECK fits; Kubernetes probes each process (k8s/base) and ignores HEALTHCHECK anyway
CMD ["gunicorn", "saas.asgi:application", "--worker-class=uvicorn_worker.UvicornWorker", "--bind=0.0.0.0:8000", "--worker-tmp-dir=/dev/shm", "--no-control-socket", "--access-logfile=-"]
