"""Optional PostgreSQL extensions: whether one is installed in the database, asked once per process.

``pg_trgm`` (typo-tolerant search in the store's catalog) ships with PostgreSQL's contrib package,
which every managed PostgreSQL (RDS, Cloud SQL) and Debian's ``postgresql`` package include, but
the embedded server of ``make run`` / ``make test`` without ``DATABASE_URL`` (``pgserver``) does
not. Migrations create what needs it only where it is available, and code asks ``installed()``
before using it: without the extension a feature degrades (search without typo tolerance) instead
of failing.
"""

from __future__ import annotations

from django.db import connections

_known: dict[tuple[str, str], bool] = {}


def installed(name: str, *, using: str = "default") -> bool:
    """Whether extension ``name`` is installed in ``using``'s database (cached for the process;
    an extension is created by a migration, and processes start after migrations ran)."""
    key = (using, name)
    if key not in _known:
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_extension WHERE extname = %s", [name])
            _known[key] = cursor.fetchone() is not None
    return _known[key]


def forget() -> None:
    """Ask again next time (tests that install or drop an extension)."""
    _known.clear()
