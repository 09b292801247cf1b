"""The production overlay declares every environment variable the settings read.

A variable the settings read but production does not set silently takes its development default;
this test makes adding a setting without deciding its production value fail. Values live in the
ConfigMap ``saas-config`` (settings) or in the Secret ``saas-secrets`` (credentials), whose key
names are those of the ExternalSecret's template.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest

from tests.infra.manifests import ROOT, find, rendered
from tests.test_readme import _variables_read_by_settings

#: Read by the settings, deliberately absent from production, with the reason.
NOT_SET_IN_PRODUCTION = {
    "EMBEDDED_PG_DIR": "embedded PostgreSQL for `make run` / `make test`; production refuses it (DATABASE_URL)",
    "EMBEDDED_PG_DATABASE": "embedded PostgreSQL for `make run` / `make test`; production refuses it (DATABASE_URL)",
    "TEST_DATABASE_NAME": "read by saas.settings.test only",
    "TENANT_ARCHIVE_SIGNING_KEY": "optional secret: empty derives the tenant archives' signing key from "
    "DJANGO_SECRET_KEY; added to saas-secrets only to move sites between deployments (docs/tenant-archives.md)",
    "METRICS_TOKEN": "a credential (GET /api/v1/metrics/, off while empty): it belongs in the Secret, whose remote "
    'keys Terraform writes once; until an operator adds it there (docs/operations.md, "Usage per tenant"), '
    "production serves no metrics",
    "AWS_S3_ENDPOINT_URL": "for S3-compatible stores (MinIO, LocalStack); on AWS boto3 resolves the regional "
    "endpoint itself, and an empty value would be passed to boto3 as an (invalid) endpoint",
}

#: Credentials: only ever in the Secret.
SECRET_VARIABLES = {
    "DJANGO_SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "SENDGRID_API_KEY",
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "STRIPE_BILLING_WEBHOOK_SECRET",
    "STRIPE_CONNECT_WEBHOOK_SECRET",
    "SENTRY_DSN",
    "TLS_ASK_TOKEN",
}


def _config(overlay: str) -> dict[str, str]:
    return find(rendered(overlay), "ConfigMap", "saas-config")["data"]


def _secret_keys() -> set[str]:
    external_secret = find(rendered("overlays/prod"), "ExternalSecret", "saas-secrets")
    assert external_secret["spec"]["target"]["name"] == "saas-secrets"
    return set(external_secret["spec"]["target"]["template"]["data"])


def test_every_setting_read_from_the_environment_is_declared_by_the_prod_overlay() -> None:
    # given
    read = _variables_read_by_settings()
    declared = set(_config("overlays/prod")) | _secret_keys()

    # then
    assert "DATABASE_URL" in read  # the scan itself works
    missing = read - declared - NOT_SET_IN_PRODUCTION.keys()
    assert missing == set(), "declare these in k8s/base/configmap.yaml or k8s/overlays/prod/externalsecret.yaml"


def test_every_exemption_is_still_read_by_the_settings() -> None:
    assert NOT_SET_IN_PRODUCTION.keys() <= _variables_read_by_settings()


def test_exempt_variables_are_really_absent_from_production() -> None:
    declared = set(_config("overlays/prod")) | _secret_keys()
    assert declared & NOT_SET_IN_PRODUCTION.keys() == set()


def test_credentials_are_in_the_secret_and_nowhere_else() -> None:
    assert _secret_keys() == SECRET_VARIABLES
    assert set(_config("overlays/prod")) & SECRET_VARIABLES == set()


@pytest.mark.parametrize("overlay", ["overlays/dev", "overlays/prod"])
def test_the_overlay_configuration_passes_djangos_deployment_checks(overlay: str) -> None:
    """`manage.py check --deploy` with the overlay's ConfigMap and made-up credentials: every value
    parses (booleans, integers, lists) and production's security settings hold."""
    # given
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        **_config(overlay),
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": "postgres://saas:not-a-password@db.invalid:5432/saas?sslmode=require",
        "REDIS_URL": "rediss://:not-a-token@cache.invalid:6379/0?ssl_cert_reqs=required",
        "SENDGRID_API_KEY": "",
        "STRIPE_SECRET_KEY": "",
        "STRIPE_WEBHOOK_SECRET": "",
        "SENTRY_DSN": "",
    }

    # when
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    # then
    assert result.returncode == 0, result.stdout + result.stderr
