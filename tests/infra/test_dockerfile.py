"""The Dockerfile builds one slim, non-root image from the lock file for every process.

No Docker engine runs in CI, so this checks the instructions; hadolint and checkov lint them in
`make infra-check`.
"""

from __future__ import annotations

import re
import shlex

from tests.infra.manifests import ROOT, find, rendered

DOCKERFILE = ROOT / "Dockerfile"


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    lines: list[str] = []
    for raw in DOCKERFILE.read_text().splitlines():
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if lines and lines[-1].endswith("\\"):
            lines[-1] = lines[-1][:-1] + " " + stripped
        else:
            lines.append(stripped)
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "") for line in lines]


def _final_stage() -> list[tuple[str, str]]:
    instructions = _instructions()
    last_from = max(i for i, (name, _) in enumerate(instructions) if name == "FROM")
    return instructions[last_from:]


def test_build_is_multi_stage_on_a_slim_python_base() -> None:
    froms = [args for name, args in _instructions() if name == "FROM"]
    assert len(froms) >= 2
    assert re.match(r"python:3\.\d+-slim", _final_stage()[0][1])


def test_dependencies_come_from_the_lock_file_without_dev_tools() -> None:
    runs = " ".join(args for name, args in _instructions() if name == "RUN")
    assert "uv sync --frozen --no-default-groups" in runs
    assert "--no-install-package pgserver" in runs


def test_static_files_are_collected_at_build_time() -> None:
    runs = [args for name, args in _instructions() if name == "RUN"]
    assert any("manage.py collectstatic --noinput" in run for run in runs)


def test_final_image_runs_as_an_unprivileged_numeric_user() -> None:
    users = [args for name, args in _final_stage() if name == "USER"]
    assert users, "the final stage sets no USER"
    uid = users[-1].split(":")[0]
    assert uid.isdigit() and int(uid) >= 10000


def test_no_secret_is_baked_into_the_image() -> None:
    for name, args in _final_stage():
        if name in {"ENV", "ARG"}:
            assert not re.search(r"SECRET|PASSWORD|TOKEN|API_KEY|DATABASE_URL", args), args
    assert "DJANGO_SETTINGS_MODULE=saas.settings.production" in " ".join(
        args for name, args in _final_stage() if name == "ENV"
    )


def test_default_command_is_the_asgi_web_server_the_deployment_runs() -> None:
    cmd = [args for name, args in _final_stage() if name == "CMD"][-1]
    argv = shlex.split(cmd.strip("[]").replace('", "', " ").replace('"', ""))
    web = find(rendered("overlays/prod"), "Deployment", "saas-web")["spec"]["template"]["spec"]["containers"][0]
    assert argv[0] == "gunicorn" and argv[1] == "saas.asgi:application"
    assert "--worker-class=uvicorn_worker.UvicornWorker" in argv
    assert "--worker-class=uvicorn_worker.UvicornWorker" in web["args"]


def test_dockerignore_keeps_environments_data_and_secrets_out_of_the_build_context() -> None:
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert {".git", ".venv", ".pgdata", ".env", "tests", "media", "staticfiles"} <= ignored
