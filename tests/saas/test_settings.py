"""The production profile: passes Django's deploy checks, and refuses to start without its secrets.

Each case runs ``manage.py`` in a subprocess with a clean environment (only ``PATH`` and the
variables under test), as a container would start it.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres"  # `check --deploy` does not connect

pytestmark = pytest.mark.skipif(
    (BASE_DIR / ".env").is_file(),
    reason="a .env file would supply variables these tests need to leave unset",
)


def production(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``manage.py *args`` with the production profile and only ``env`` set."""
    clean_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DJANGO_SETTINGS_MODULE": "saas.settings.production"}
    return subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), *args],
        cwd=BASE_DIR,
        env={**clean_env, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def strong_secret() -> str:
    return secrets.token_urlsafe(64)


def test_production_profile_passes_the_deploy_checks_without_warnings() -> None:
    # when
    result = production(
        "check", "--deploy", "--fail-level", "WARNING", DJANGO_SECRET_KEY=strong_secret(), DATABASE_URL=DATABASE_URL
    )
    # then
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_deploy_checks_reject_a_weak_secret_key() -> None:
    # when
    result = production(
        "check", "--deploy", "--fail-level", "WARNING", DJANGO_SECRET_KEY="changeme", DATABASE_URL=DATABASE_URL
    )
    # then
    assert result.returncode != 0
    assert "security.W009" in result.stderr


def test_debug_cannot_be_switched_on_in_production() -> None:
    # when
    result = production(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.DEBUG)",
        DJANGO_SECRET_KEY=strong_secret(),
        DATABASE_URL=DATABASE_URL,
        DJANGO_DEBUG="true",
    )
    # then
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"


@pytest.mark.parametrize("secret_key", [None, ""], ids=["unset", "empty"])
def test_production_refuses_to_start_without_a_secret_key(secret_key: str | None) -> None:
    # given
    env = {"DATABASE_URL": DATABASE_URL}
    if secret_key is not None:
        env["DJANGO_SECRET_KEY"] = secret_key
    # when
    result = production("check", **env)
    # then
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    if secret_key is None:
        assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.parametrize("database_url", [None, ""], ids=["unset", "empty"])
def test_production_refuses_to_start_without_a_database_url(database_url: str | None) -> None:
    # given: no fallback to the embedded development database
    env = {"DJANGO_SECRET_KEY": strong_secret()}
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    # when
    result = production("check", **env)
    # then
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr
