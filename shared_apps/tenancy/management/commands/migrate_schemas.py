"""``migrate_schemas`` for thousands of tenants: skips current schemas, runs the rest in parallel.

django-tenants' command migrates the public schema, then every tenant's schema one by one, each
with Django's full ``migrate`` and, after it, a re-sync of content types, permissions and roles,
whether anything was pending or not. This one keeps its options and output prefix, and:

* migrates the per-kind template schemas (``_template_<kind>``, which have no tenant row) first,
  each under its template lock, so that every tenant cloned after that is current;
* skips every schema whose recorded state (``schema_state.py``) says it is current: nothing is
  loaded or run for it, so a run with nothing pending costs a few queries for all of them;
* runs the others in ``--parallel`` forked processes (``TENANT_MULTIPROCESSING_MAX_PROCESSES``,
  default 2; ``--executor=standard`` runs them one by one in this process), with the
  post-migrate re-sync of roles only where the kind's roles or the models changed;
* shows progress on stderr (done/total, failures, ETA) and, at the end, a summary;
* reports a failing schema (its name and error) and carries on with the others; the command then
  exits non-zero. Each finished schema's state is recorded as it finishes, so a re-run does only
  what is left.

``--schema NAME`` (a tenant or a template) is always migrated; ``--force`` migrates every schema
whatever its recorded state. ``--plan`` and ``--check`` look only at schemas not known to be
current; a target (``app_label [migration_name]``), ``--prune`` and ``--run-syncdb`` run Django's
own ``migrate`` in every schema and drop the recorded states, so the next full run verifies them.
"""

from __future__ import annotations

import os
import time
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.db.migrations.loader import MigrationLoader
from django_tenants.management.commands import SyncCommon
from django_tenants.management.commands.migrate_schemas import MigrateSchemasCommand
from django_tenants.migration_executors import StandardExecutor
from django_tenants.utils import get_public_schema_name, get_tenant_migration_order, get_tenant_model, schema_exists

from saas.db.tenant import use_public_schema
from shared_apps.tenancy.migration_runner import UNAPPLIED, Mode, Progress, RunSettings, SchemaOutcome, run_schemas
from shared_apps.tenancy.schema_state import (
    Fingerprints,
    SchemaWork,
    fingerprints,
    forget_missing_schemas,
    plan_schemas,
)


class Command(MigrateSchemasCommand):
    """Migrate the public schema, then the templates and every tenant schema that needs it."""

    help = (
        "Migrate the public schema, then the per-kind templates and every tenant schema with something "
        "pending (recorded state), in parallel processes. See docs/operations.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        for action in parser._actions:
            if action.dest == "parallel":
                action.help = (
                    "Tenant schemas migrated at once, each in its own process "
                    "(default: TENANT_MULTIPROCESSING_MAX_PROCESSES). 1 runs them in this process."
                )
            elif action.dest == "executor":
                action.help = (
                    "multiprocessing (default: --parallel processes) or standard (one by one, in this process)."
                )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Migrate every tenant and template schema, even those whose recorded state says they are current.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        SyncCommon.handle(self, *args, **options)
        public = get_public_schema_name()
        if self.sync_public:
            # One schema: django-tenants' own path (Django's migrate with its post-migrate signals).
            StandardExecutor(self.args, self.options).run_migrations(tenants=[public])
        if self.sync_tenant and self.schema_name != public:
            self._migrate_tenant_schemas(options)

    # ---------------------------------------------------------------------------------------

    def _processes(self, options: dict[str, Any]) -> int:
        executor = options.get("executor") or os.environ.get("EXECUTOR") or "multiprocessing"
        if executor == "standard":
            return 1
        if executor != "multiprocessing":
            raise CommandError(f"Unknown executor {executor!r}: use multiprocessing or standard.")
        parallel = options.get("parallel")
        return max(1, int(parallel if parallel is not None else settings.TENANT_MULTIPROCESSING_MAX_PROCESSES))

    @staticmethod
    def _mode(options: dict[str, Any]) -> str:
        if options.get("app_label") or options.get("prune") or options.get("run_syncdb"):
            return Mode.TARGETED
        if options.get("plan") or options.get("check_unapplied"):
            return Mode.INSPECT
        return Mode.MIGRATE

    def _templates(self) -> list[tuple[str, str]]:
        """The templates to consider, as ``(schema_name, kind)``: all, or the one ``--schema`` names."""
        from shared_apps.tenancy.templates import TEMPLATE_PREFIX, existing_templates

        if not self.schema_name:
            return existing_templates()
        if not self.schema_name.startswith(TEMPLATE_PREFIX):
            return []
        found = [t for t in existing_templates() if t[0] == self.schema_name]
        if not found:
            raise CommandError(f'Schema "{self.schema_name}" is no existing template.')
        return found

    def _tenants(self) -> list[tuple[str, str]]:
        """The tenants to consider, as ``(schema_name, kind)``: all, or the one ``--schema`` names."""
        from shared_apps.tenancy.templates import TEMPLATE_PREFIX

        tenants = get_tenant_model().objects.exclude(schema_name=get_public_schema_name())
        if not self.schema_name:
            order = get_tenant_migration_order() or ["schema_name"]
            return list(tenants.order_by(*order).values_list("schema_name", "kind"))
        if self.schema_name.startswith(TEMPLATE_PREFIX):
            return []
        if not schema_exists(self.schema_name, self.options.get("database")):
            raise CommandError(f'Schema "{self.schema_name}" does not exist')
        rows = list(tenants.filter(schema_name=self.schema_name).values_list("schema_name", "kind"))
        if not rows:
            raise CommandError(f'Schema "{self.schema_name}" belongs to no tenant.')
        return rows

    def _migrate_tenant_schemas(self, options: dict[str, Any]) -> None:
        from shared_apps.tenancy.templates import template_lock

        started = time.perf_counter()
        verbosity = int(options.get("verbosity", 1))
        mode = self._mode(options)
        processes = self._processes(options)
        forced = bool(self.schema_name) or bool(options.get("force")) or mode == Mode.TARGETED
        self._refuse_conflicts()
        use_public_schema()
        targets: dict[str, Fingerprints] = {}

        def plan(schemas: list[tuple[str, str]]) -> list[SchemaWork]:
            for kind in {kind for _, kind in schemas} - set(targets):
                targets[kind] = fingerprints(kind)
            work = plan_schemas(schemas, targets, force=forced)
            # --plan / --check concern migrations only
            return [w for w in work if w.migrate] if mode == Mode.INSPECT else work

        run = RunSettings(
            args=tuple(self.args),
            options=dict(self.options),
            mode=mode,
            targets=targets,  # filled in by plan() before anything runs
            # Django's per-schema output is kept for -v 2 and for what --plan shows; at -v 1 this
            # command prints one line per schema visited (and spares migrate its autodetector run).
            per_schema_verbosity=verbosity if (verbosity >= 2 or mode == Mode.INSPECT) else 0,
        )
        raw_stderr = getattr(self.stderr, "_out", self.stderr)
        outcomes: list[SchemaOutcome] = []

        # Templates first, each under its lock (a web process may be bringing it up to date right
        # now); tenants are listed only then, so that every tenant cloned before is included and
        # every one cloned after comes from a current template.
        templates = self._templates()
        template_work = plan(templates)
        if verbosity >= 1 and templates:
            self.stdout.write(
                f"{len(templates)} template schemas: {len(template_work)} to do, "
                f"{len(templates) - len(template_work)} current (skipped)"
            )
        progress = Progress(len(template_work), stream=raw_stderr, enabled=verbosity >= 1)
        for template in template_work:
            with template_lock(template.kind):
                outcome = next(run_schemas([template], run, processes=1))
            self._report(outcome, template, progress, verbosity)
            outcomes.append(outcome)
        progress.finish()
        use_public_schema()

        tenants = self._tenants()
        tenant_work = plan(tenants)
        if verbosity >= 1 and (tenants or not templates):
            self.stdout.write(
                f"{len(tenants)} tenant schemas: {len(tenant_work)} to do, "
                f"{len(tenants) - len(tenant_work)} current (skipped)"
                + (f", {processes} processes" if processes > 1 and len(tenant_work) > 1 else "")
            )
        if verbosity >= 2:
            visited = {w.schema_name for w in [*template_work, *tenant_work]}
            for name, kind in [*templates, *tenants]:
                if name not in visited:
                    self.stdout.write(f"[{kind}:{name}] current, skipped")
        progress = Progress(len(tenant_work), stream=raw_stderr, enabled=verbosity >= 1)
        by_name = {w.schema_name: w for w in tenant_work}
        for outcome in run_schemas(tenant_work, run, processes=processes):
            self._report(outcome, by_name[outcome.schema_name], progress, verbosity)
            outcomes.append(outcome)
        progress.finish()
        use_public_schema()
        if mode == Mode.MIGRATE and not self.schema_name:
            forget_missing_schemas()
        total = len(templates) + len(tenants)
        self._summarise(outcomes, total, time.perf_counter() - started, verbosity, mode)

    def _refuse_conflicts(self) -> None:
        """Stop before touching any schema when the migration graph has two leaves in one app."""
        conflicts = MigrationLoader(None, ignore_no_migrations=True).detect_conflicts()
        if conflicts:
            names = "; ".join(f"{', '.join(names)} in {app}" for app, names in conflicts.items())
            raise CommandError(
                f"Conflicting migrations detected; multiple leaf nodes in the migration graph: ({names}).\n"
                "To fix them run 'python manage.py makemigrations --merge'"
            )

    def _report(self, outcome: SchemaOutcome, work: SchemaWork, progress: Progress, verbosity: int) -> None:
        """One schema's lines (stdout; a failure on stderr), then the progress bar moves on."""
        prefix = f"[{outcome.kind}:{outcome.schema_name}]"
        stdout = getattr(self.stdout, "_out", self.stdout)
        inspecting = self._mode(self.options) == Mode.INSPECT
        if outcome.output and (verbosity >= 2 or self.options.get("plan")):
            lines = outcome.output.rstrip("\n").splitlines()
            progress.note("\n".join(f"{prefix} {line}" for line in lines), stream=stdout)
        if outcome.error == UNAPPLIED:
            progress.note(f"{prefix} {UNAPPLIED}", stream=stdout)
        elif not outcome.ok:
            text = f"{prefix} FAILED after {outcome.seconds:.1f} s: {outcome.error}"
            if outcome.output and verbosity < 2:
                text += "\n" + "\n".join(f"{prefix} {line}" for line in outcome.output.rstrip("\n").splitlines())
            if verbosity >= 2 or self.options.get("traceback"):
                text += "\n" + outcome.details.rstrip("\n")
            progress.note(self.style.ERROR(text) if progress._tty else text)
        elif inspecting:
            if verbosity >= 2:
                progress.note(f"{prefix} nothing to apply", stream=stdout)
        elif verbosity >= 1:
            done = []
            if outcome.applied:
                done.append("applied " + ", ".join(outcome.applied))
            elif work.migrate:
                done.append("no migration to apply")
            if outcome.roles_synced:
                done.append("roles synced")
            progress.note(f"{prefix} {'; '.join(done)} ({work.reason}, {outcome.seconds:.2f} s)", stream=stdout)
        progress.advance(failed=not outcome.ok and outcome.error != UNAPPLIED)

    def _summarise(self, outcomes: list[SchemaOutcome], total: int, seconds: float, verbosity: int, mode: str) -> None:
        """The closing line; raises ``CommandError`` (exit status 1) if a schema failed or, with
        ``--check``, has unapplied migrations."""
        unapplied = [o for o in outcomes if o.error == UNAPPLIED]
        failed = [o for o in outcomes if not o.ok and o.error != UNAPPLIED]
        if verbosity >= 1:
            visited = len(outcomes) - len(failed) - len(unapplied)
            if mode == Mode.INSPECT:
                detail = f"{visited} without and {len(unapplied)} with unapplied migrations"
            else:
                migrated = sum(1 for o in outcomes if o.ok and o.applied)
                synced = sum(1 for o in outcomes if o.ok and o.roles_synced)
                detail = f"{visited} visited ({migrated} with migrations applied, {synced} with roles synced)"
            self.stdout.write(
                f"Done in {seconds:.1f} s: {total} schemas, {total - len(outcomes)} skipped as current, "
                f"{detail}, {len(failed)} failed."
            )
        problems = []
        for found, what in ((failed, "failed"), (unapplied, "have unapplied migrations")):
            if found:
                names = ", ".join(o.schema_name for o in found[:20]) + (" ..." if len(found) > 20 else "")
                problems.append(f"{len(found)} schema(s) {what}: {names}.")
        if failed and mode == Mode.MIGRATE:
            problems.append(
                "The others are done and recorded: fix the cause and run migrate_schemas again to finish these."
            )
        if problems:
            raise CommandError(" ".join(problems))
