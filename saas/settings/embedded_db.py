"""Embedded PostgreSQL for machines that have no database server.

When ``DATABASE_URL`` is unset, the project starts a private PostgreSQL (the ``pgserver``
package ships the server binaries in its wheel) in the git-ignored ``.pgdata/`` folder and
connects to it over a Unix socket. The server is left running between commands, so the
second ``make run`` or ``make test`` reuses it; ``make db-stop`` stops it.

This exists only so the README's two commands work on a fresh machine. Production and CI
always set ``DATABASE_URL``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def embedded_database_settings(data_dir: Path, name: str = "saas") -> dict[str, Any]:
    """Start (or reuse) the embedded server and return a Django ``DATABASES['default']`` dict.

    ``data_dir`` is the PGDATA folder (created when missing). The database ``name`` is
    created on first use. Raises ``RuntimeError`` when ``pgserver`` is not installed.
    """
    import warnings

    # pgserver keeps its lock file in the user runtime dir; on hosts without XDG_RUNTIME_DIR
    # platformdirs warns on every command and falls back to /tmp, which is fine here.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    try:
        import pgserver
    except ImportError as exc:  # pragma: no cover - installed by `make` from the lock file
        raise RuntimeError(
            "DATABASE_URL is unset and the embedded PostgreSQL (pgserver) is not installed. "
            "Run `make install` or set DATABASE_URL."
        ) from exc

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir, cleanup_mode=None)
    info = server.get_postmaster_info()
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{name}";')
    return {
        "NAME": name,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": str(info.socket_dir),
        "PORT": str(info.port or ""),
    }


def embedded_bin_dir() -> Path | None:
    """The folder holding the embedded server's client programs (``pg_dump``), if installed."""
    try:
        from pgserver._commands import POSTGRES_BIN_PATH
    except ImportError:
        return None
    return Path(POSTGRES_BIN_PATH)


def stop_embedded(data_dir: Path) -> bool:
    """Stop the embedded server of ``data_dir`` if it runs; returns whether it was running."""
    import warnings

    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    from pgserver._commands import pg_ctl  # type: ignore[attr-defined]
    from pgserver.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(data_dir)
    if info is None or not info.is_running():
        return False
    import os

    user = "pgserver" if hasattr(os, "geteuid") and os.geteuid() == 0 else None
    pg_ctl(["-w", "stop"], pgdata=data_dir, user=user)
    return True


if __name__ == "__main__":  # python -m saas.settings.embedded_db stop
    import sys

    folder = Path(__file__).resolve().parent.parent.parent / ".pgdata"
    if sys.argv[1:] == ["stop"]:
        print("stopped" if stop_embedded(folder) else "not running")
    else:
        sys.exit("usage: python -m saas.settings.embedded_db stop")
