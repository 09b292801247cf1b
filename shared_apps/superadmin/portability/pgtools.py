"""The PostgreSQL client programs an export and a restore run (``pg_dump``, ``pg_restore``, ``psql``).

``settings.PG_BIN_DIR`` names their directory; empty (the default) picks, of pgserver's bundled
binaries (``<site-packages>/pgserver/pginstall/bin``, a runtime dependency) and the ones on
``PATH``, the newest ``pg_dump``. ``pg_dump`` refuses a server newer than itself, and an archive
written by a newer ``pg_dump`` cannot be read by an older ``pg_restore``: the three are always
taken from the same directory.

Connection parameters come from ``settings.DATABASES["default"]`` and are passed through the
environment (``PGHOST``, ``PGPORT``, ``PGUSER``, ``PGPASSWORD``, ``PGDATABASE``), never on the
command line, where ``ps`` would show the password.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connection

from saas.errors import ApplicationError, ErrorCode

PROGRAMS = ("pg_dump", "pg_restore", "psql")


def _candidates() -> list[Path]:
    dirs: list[Path] = []
    try:
        import pgserver

        dirs.append(Path(pgserver.__file__).parent / "pginstall" / "bin")
    except ImportError:  # pragma: no cover - pgserver is a runtime dependency
        pass
    on_path = shutil.which("pg_dump")
    if on_path:
        dirs.append(Path(on_path).resolve().parent)
    return [d for d in dirs if all((d / p).is_file() for p in PROGRAMS)]


def _version(directory: Path) -> tuple[int, ...]:
    command = [str(directory / "pg_dump"), "--version"]
    out = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603 - a fixed program
    match = re.search(r"(\d+)(?:\.(\d+))?", out.stdout)
    return tuple(int(g) for g in match.groups() if g) if match else (0,)


@functools.cache
def bin_dir() -> Path:
    """The directory of ``pg_dump``, ``pg_restore`` and ``psql``: ``PG_BIN_DIR``, or the newest found.

    Raises ``ApplicationError`` ``pg_tools_unavailable`` (503) when none is found or the one found is
    older than the server's major version."""
    configured = str(getattr(settings, "PG_BIN_DIR", "") or "")
    candidates = [Path(configured)] if configured else _candidates()
    candidates = [d for d in candidates if all((d / p).is_file() for p in PROGRAMS)]
    if not candidates:
        raise ApplicationError(
            "pg_dump, pg_restore and psql were not found (set PG_BIN_DIR).",
            code=ErrorCode.PG_TOOLS_UNAVAILABLE,
            status_code=503,
        )
    best = max(candidates, key=_version)
    server_major = connection.cursor().connection.info.server_version // 10000
    if _version(best)[0] < server_major:
        raise ApplicationError(
            f"pg_dump in {best} is older than the server (PostgreSQL {server_major}).",
            code=ErrorCode.PG_TOOLS_UNAVAILABLE,
            status_code=503,
        )
    return best


def program(name: str) -> str:
    """The absolute path of ``name`` (one of ``PROGRAMS``)."""
    return str(bin_dir() / name)


def pg_env() -> dict[str, str]:
    """The environment of a client program: the process's own, plus the default database's
    connection parameters as ``PG*`` variables."""
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    for var, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    env["PGDATABASE"] = str(connection.settings_dict["NAME"])  # the test database under pytest
    env.setdefault("PGAPPNAME", "saas-portability")
    return env
