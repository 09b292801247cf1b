"""Run the migrations of many schemas: one at a time in this process, or in a bounded pool of
forked processes; a failure in one schema is reported and the others go on.

``run_schema`` is one schema's work (``schema_state.SchemaWork``): Django's ``migrate`` in that
schema with the post-migrate re-sync of content types, permissions and roles set aside
(``roles_sync_deferred``), then ``sync_roles`` if the kind's roles fingerprint changed, then its
``SchemaState`` recorded. ``run_schemas`` runs many and yields each ``SchemaOutcome`` as it
finishes; ``Progress`` draws the counter ``migrate_schemas`` shows on stderr.
"""

from __future__ import annotations

import contextlib
import contextvars
import io
import multiprocessing
import sys
import time
import traceback
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any, TextIO

from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.signals import post_migrate
from django_tenants.signals import schema_migrated, schema_pre_migration
from django_tenants.utils import get_tenant_base_migrate_command_class, quote_schema_name

from saas.db.tenant import tenant_connection, use_public_schema
from shared_apps.tenancy.schema_state import Fingerprints, SchemaWork, forget_states, record_state


class Mode:
    """How ``run_schema`` treats a schema, from the options ``migrate_schemas`` was given."""

    #: Bring the schema to the latest migrations; role sync as the fingerprint says; record state.
    MIGRATE = "migrate"
    #: ``--plan`` / ``--check``: show or check what is pending; change nothing, record nothing.
    INSPECT = "inspect"
    #: A target (``app_label [migration_name]``), ``--prune`` or ``--run-syncdb``: Django's own
    #: behaviour, post-migrate signals included; the recorded state is dropped afterwards.
    TARGETED = "targeted"


#: The error of a schema that ``--check`` found with migrations pending.
UNAPPLIED = "has unapplied migrations"


@dataclass(frozen=True)
class SchemaOutcome:
    """What happened to one schema."""

    schema_name: str
    kind: str
    ok: bool
    seconds: float
    output: str = ""
    applied: tuple[str, ...] = ()
    roles_synced: bool = False
    error: str = ""
    details: str = ""


@dataclass
class RunSettings:
    """What every schema of one run shares (inherited by forked workers, never pickled)."""

    args: tuple[str, ...]
    options: dict[str, Any]
    mode: str
    targets: dict[str, Fingerprints]
    per_schema_verbosity: int = 0


_run: RunSettings | None = None  # set before a pool forks, read by its workers


def migrate_options(options: dict[str, Any], *, verbosity: int) -> dict[str, Any]:
    """The options of one schema's ``migrate``: ``migrate_schemas``'s, minus what must not reach it.

    The caller's output streams stay out (the schema's output is captured), and system checks ran
    once for the whole run.
    """
    kept = {key: value for key, value in options.items() if key not in ("stdout", "stderr")}
    kept.update(verbosity=verbosity, skip_checks=True, interactive=False)
    return kept


class _PlanCatcher:
    """A ``post_migrate`` receiver that keeps the plan ``migrate`` applied (sent once per app)."""

    def __init__(self) -> None:
        self.applied: list[str] = []
        self._seen = False

    def __call__(self, plan: Any = None, **_: Any) -> None:
        if not self._seen and plan is not None:
            self._seen = True
            self.applied = [f"{'-' if backwards else ''}{m.app_label}.{m.name}" for m, backwards in plan]


#: Set while ``_migrate`` runs: ``MigrationRecorder.has_table`` then asks for its one table.
_direct_table_check: contextvars.ContextVar[bool] = contextvars.ContextVar("direct_table_check", default=False)


def _install_direct_table_check() -> None:
    """Make ``MigrationRecorder.has_table`` look up ``<schema>.django_migrations`` by name while
    ``_migrate`` runs (idempotent; elsewhere it behaves as Django's).

    Django's asks for the list of every table visible on the search_path, and PostgreSQL answers
    that by scanning all of ``pg_class``, which holds every table of every schema: a quarter of a
    second per call with a thousand schemas, and ``migrate`` calls it four times per schema. What it
    wants to know is whether the current schema has the table (django-tenants' introspection
    looks in the current schema only), which ``to_regclass`` answers through an index.
    """
    if getattr(MigrationRecorder.has_table, "direct", False):
        return
    django_has_table = MigrationRecorder.has_table

    def has_table(self: Any) -> bool:
        schema = getattr(self.connection, "schema_name", None)
        if self._has_table or not schema or not _direct_table_check.get():
            return bool(django_has_table(self))
        name = f"{quote_schema_name(schema)}.{self.connection.ops.quote_name(self.Migration._meta.db_table)}"
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
            self._has_table = bool(cursor.fetchone()[0])
        return bool(self._has_table)

    has_table.direct = True  # type: ignore[attr-defined]
    MigrationRecorder.has_table = has_table  # type: ignore[method-assign]


def _migrate(work: SchemaWork, settings: RunSettings, out: TextIO) -> list[str]:
    """Run Django's ``migrate`` in ``work``'s schema; returns the migrations applied (``-`` unapplied)."""
    _install_direct_table_check()
    token = _direct_table_check.set(True)
    try:
        return _migrate_command(work, settings, out)
    finally:
        _direct_table_check.reset(token)


def _migrate_command(work: SchemaWork, settings: RunSettings, out: TextIO) -> list[str]:
    from tenant_apps.accounts.roles import roles_sync_deferred

    db = tenant_connection()
    # As django-tenants does: create django_migrations in the schema itself first, or Django
    # would find the public schema's through the search_path.
    db.set_schema(work.schema_name, tenant_type=work.kind, include_public=False)
    MigrationRecorder(connection).ensure_schema()
    db.set_schema(work.schema_name, tenant_type=work.kind)
    schema_pre_migration.send(run_schema, schema_name=work.schema_name)
    catcher = _PlanCatcher()
    uid = f"saas.migration_runner.plan.{id(catcher)}"
    post_migrate.connect(catcher, weak=False, dispatch_uid=uid)
    command = get_tenant_base_migrate_command_class()(stdout=out, stderr=out)
    options = migrate_options(settings.options, verbosity=settings.per_schema_verbosity)
    try:
        if settings.mode == Mode.MIGRATE:
            with roles_sync_deferred():
                command.execute(*settings.args, **options)
        else:
            command.execute(*settings.args, **options)
    finally:
        post_migrate.disconnect(dispatch_uid=uid)
    schema_migrated.send(run_schema, schema_name=work.schema_name)
    return catcher.applied


def _sync_roles(work: SchemaWork) -> None:
    from tenant_apps.accounts.roles import sync_roles

    tenant_connection().set_schema(work.schema_name, tenant_type=work.kind)
    sync_roles(work.kind)


def execute_schema(work: SchemaWork, settings: RunSettings, out: TextIO) -> tuple[list[str], bool]:
    """Do ``work`` in this process and raise on failure; returns (migrations applied, roles synced).

    Leaves the connection on the public schema.
    """
    try:
        applied = _migrate(work, settings, out) if work.migrate or settings.mode != Mode.MIGRATE else []
        synced = False
        if settings.mode == Mode.MIGRATE and work.sync_roles:
            _sync_roles(work)
            synced = True
        use_public_schema()
        if settings.mode == Mode.MIGRATE:
            record_state(work.schema_name, work.kind, settings.targets[work.kind])
        elif settings.mode == Mode.TARGETED:
            forget_states([work.schema_name])
    finally:
        use_public_schema()
        # Content types are cached per schema and never evicted: a worker visiting thousands of
        # schemas would keep every schema's.
        ContentType.objects.clear_cache()
    return applied, synced


def run_schema(work: SchemaWork, settings: RunSettings | None = None) -> SchemaOutcome:
    """Do ``work`` and report how it went; a failure is returned, never raised.

    ``SystemExit`` counts as a failure too: Django's ``migrate --check`` exits with 1 when a
    migration is pending.
    """
    settings = settings or _run
    assert settings is not None, "run_schema needs the run's settings"
    started = time.perf_counter()
    out = io.StringIO()
    try:
        applied, synced = execute_schema(work, settings, out)
    except (Exception, SystemExit) as exc:
        if isinstance(exc, SystemExit):
            error = UNAPPLIED if settings.options.get("check_unapplied") else f"exited ({exc.code})"
        else:
            error = f"{type(exc).__name__}: {exc}".strip()
        details = traceback.format_exc()
        _reset_connection()
        if settings.mode == Mode.TARGETED:
            _forget_quietly(work.schema_name)
        return SchemaOutcome(
            work.schema_name,
            work.kind,
            ok=False,
            seconds=time.perf_counter() - started,
            output=out.getvalue(),
            error=error,
            details=details,
        )
    return SchemaOutcome(
        work.schema_name,
        work.kind,
        ok=True,
        seconds=time.perf_counter() - started,
        output=out.getvalue(),
        applied=tuple(applied),
        roles_synced=synced,
    )


def _reset_connection() -> None:
    """After a failure: a fresh connection for the next schema (no half-done transaction, no
    stale search_path)."""
    with contextlib.suppress(Exception):  # the connection is being thrown away
        connection.close()


def _forget_quietly(schema_name: str) -> None:
    try:
        use_public_schema()
        forget_states([schema_name])
    except Exception:  # the failure itself is reported; the state only claims too much
        _reset_connection()


def _worker_started() -> None:
    """In a forked worker: start from a clean slate (the parent closed its connections first)."""
    for conn in connections.all(initialized_only=True):
        conn.connection = None


def run_schemas(work: list[SchemaWork], settings: RunSettings, *, processes: int) -> Iterator[SchemaOutcome]:
    """Run every item of ``work`` and yield each outcome as it finishes (not in order).

    With ``processes`` > 1 and more than one schema, that many forked processes share the work;
    the parent's database connections are closed first (a child must not use its parent's
    socket) and reopen on next use. A worker that dies takes the schemas it had not finished
    with it: they are reported as failed, the others still run.
    """
    global _run
    if processes <= 1 or len(work) <= 1:
        for item in work:
            yield run_schema(item, settings)
        return
    connections.close_all()
    _run = settings
    context = multiprocessing.get_context("fork")
    try:
        with ProcessPoolExecutor(
            max_workers=min(processes, len(work)), mp_context=context, initializer=_worker_started
        ) as pool:
            futures = {pool.submit(run_schema, item): item for item in work}
            for future in as_completed(futures):
                item = futures[future]
                try:
                    yield future.result()
                except Exception as exc:  # the worker process died (BrokenProcessPool) or could not answer
                    yield SchemaOutcome(
                        item.schema_name, item.kind, ok=False, seconds=0.0, error=f"{type(exc).__name__}: {exc}"
                    )
    finally:
        _run = None


class Progress:
    """A progress line on ``stream``: done/total, failures, rate, elapsed time and ETA.

    On a terminal it redraws one line (with a bar); otherwise (a Job's log) it prints a line at
    most every ``interval`` seconds and at the end. ``note`` prints lines above the bar (to any
    stream: stdout and stderr often share the terminal).
    """

    def __init__(self, total: int, *, stream: TextIO | None = None, enabled: bool = True, interval: float = 10.0):
        self.total = total
        self.stream = stream or sys.stderr
        self.enabled = enabled and total > 0
        self.interval = interval
        self.done = 0
        self.failed = 0
        self.started = time.monotonic()
        self._last_print = 0.0
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._drawn = False

    def line(self) -> str:
        """The current state as one line of text."""
        elapsed = time.monotonic() - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else None
        width = 24
        filled = int(width * self.done / self.total) if self.total else width
        bar = f"[{'#' * filled}{'.' * (width - filled)}] " if self._tty else ""
        percent = int(100 * self.done / self.total) if self.total else 100
        text = f"{bar}{self.done}/{self.total} schemas ({percent}%)"
        if self.failed:
            text += f", {self.failed} failed"
        text += f", {_duration(elapsed)} elapsed"
        if self.done < self.total:
            text += f", ETA {_duration(eta) if eta is not None else '?'}"
        return text

    def advance(self, *, failed: bool = False) -> None:
        """Count one schema as done (and failed, if it did)."""
        self.done += 1
        self.failed += int(failed)
        if not self.enabled:
            return
        now = time.monotonic()
        if self._tty:
            self._draw()
        elif self.done == self.total or now - self._last_print >= self.interval:
            self.stream.write(self.line() + "\n")
            self.stream.flush()
            self._last_print = now

    def note(self, text: str, *, stream: TextIO | None = None) -> None:
        """Print ``text`` (one or more lines) to ``stream`` (default: the bar's) without garbling the bar."""
        target = stream or self.stream
        if self._tty and self._drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
        target.write(text if text.endswith("\n") else text + "\n")
        target.flush()
        if self._tty and self._drawn and self.enabled:
            self._draw()

    def finish(self) -> None:
        """End the bar's line."""
        if self.enabled and self._tty and self._drawn:
            self.stream.write("\n")
            self.stream.flush()

    def _draw(self) -> None:
        self.stream.write("\r\x1b[K" + self.line())
        self.stream.flush()
        self._drawn = True


def _duration(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
