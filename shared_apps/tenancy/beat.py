"""Celery beat for many tenants of several kinds: a periodic task goes only where it can run.

tenant-schemas-celery's ``TenantAwarePersistentScheduler`` sends an entry without
``tenant_schemas`` to every tenant schema, every time it is due. With thousands of sites of four
kinds, a store task every minute would be thousands of messages a minute, most of them to sites
that have no store tables and do nothing with them. This scheduler (``CELERY_BEAT_SCHEDULER``)
reads one more key on a ``CELERY_BEAT_SCHEDULE`` entry::

    "rental-bookings-expire": {"task": "...", "schedule": 60.0, "kinds": ["rental"]},

and sends such an entry only to the **active** tenants of those kinds (suspended, archived and
provisioning sites are skipped: their requests are refused, and so is their background work).
An entry with ``"public": True`` instead is sent once, in the public schema (platform work
over all tenants, such as the daily re-check of custom domains); the library would look for a
tenant row named ``public``, which does not exist. Entries without either behave as the
library's. Tasks still check their kind (a task sent by
hand, or by an older beat, must stay harmless in another schema).

Written as a subclass because the library has no hook for choosing schemas per entry; it keeps
the library's persistence and entry class, and only replaces the choice of schemas.

**One sender across replicas, and catch-up** (issue 18, point 4). With ``REDIS_URL`` set:

* only the replica holding the leader lock sends anything: a Redis lock
  (``<CELERY_BEAT_STATE_KEY>:leader``, redis-py's ``Lock``, ``CELERY_BEAT_LEADER_TTL`` seconds)
  that the leader renews at every tick (at most ``CELERY_BEAT_MAX_LOOP_INTERVAL`` apart, well
  inside the TTL). The others tick every few seconds and send nothing; when the leader dies, its
  lock expires and one of them takes over within ``CELERY_BEAT_LEADER_TTL``. A Redis error counts
  as "not the leader": nothing is sent twice, and nothing could be sent to a broker that is down.
* when an entry has been sent, its time is written to Redis (hash ``<CELERY_BEAT_STATE_KEY>:last-run``,
  entry name -> ISO 8601 UTC). A beat that starts (a new pod: its shelve file is empty) or becomes
  the leader reads these times back into its schedule, so an entry whose interval passed while no
  beat was running is due at once, and runs once (a missed daily run catches up at start, not the
  next day; several missed runs give one run, since Celery's schedules count from the last run).
  Without a recorded time an entry behaves as Celery's default: first run one interval after start.

Without ``REDIS_URL`` (development) the single beat leads and nothing is recorded.
"""

from __future__ import annotations

import copy
import logging
from datetime import datetime
from typing import Any

import redis
from celery.beat import ScheduleEntry
from django.conf import settings
from django_tenants.utils import get_public_schema_name, schema_context
from tenant_schemas_celery.scheduler import TenantAwarePersistentScheduler

logger = logging.getLogger(__name__)

#: The message header that carries an entry's kinds from the schedule to ``apply_entry``.
KINDS_HEADER = "_tenant_kinds"
#: The message header of an entry sent once, in the public schema.
PUBLIC_HEADER = "_public_schema"
#: How often (seconds) a replica that does not lead asks for the lead again.
FOLLOWER_RETRY_SECONDS = 5.0


def schemas_of_kinds(kinds: list[str]) -> list[str]:
    """The schema names of the active tenants of ``kinds``, in name order."""
    from shared_apps.tenancy.models import Tenant, TenantStatus

    return list(
        Tenant.objects.filter(kind__in=kinds, status=TenantStatus.ACTIVE)
        .exclude(schema_name=get_public_schema_name())
        .order_by("schema_name")
        .values_list("schema_name", flat=True)
    )


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class KindAwareScheduler(TenantAwarePersistentScheduler):
    """``TenantAwarePersistentScheduler`` that sends an entry with ``kinds`` only to the active
    tenants of those kinds (see the module docstring)."""

    def _tenant_aware_beat_schedule_to_dict(self, beat_schedule: dict[str, Any]) -> dict[str, dict[str, Any]]:
        result: dict[str, dict[str, Any]] = {}
        plain: dict[str, Any] = {}
        for name, entry in copy.deepcopy(beat_schedule).items():
            if entry.pop("public", False):
                entry.setdefault("options", {}).setdefault("headers", {})[PUBLIC_HEADER] = True
                result[f"{name}@public"] = entry
                continue
            kinds = entry.pop("kinds", None)
            if kinds is None:
                plain[name] = entry
                continue
            entry.setdefault("options", {}).setdefault("headers", {})[KINDS_HEADER] = sorted(kinds)
            result[f"{name}@kinds:{','.join(sorted(kinds))}"] = entry
        result.update(super()._tenant_aware_beat_schedule_to_dict(plain))
        return result

    _leader_lock: Any = None
    _leads = False

    def setup_schedule(self) -> None:
        super().setup_schedule()
        self._restore_last_runs()

    def tick(self, *args: Any, **kwargs: Any) -> float:
        """Celery's tick, on the leader only (see the module docstring); a follower waits and asks again."""
        leads = self._lead()
        if leads and not self._leads:
            logger.info("celery beat: this replica leads; sending from now on")
            self._restore_last_runs()  # what the previous leader sent
        elif self._leads and not leads:
            logger.warning("celery beat: this replica lost the lead; sending nothing")
        self._leads = leads
        if not leads:
            return float(min(self.max_interval, FOLLOWER_RETRY_SECONDS))
        return float(super().tick(*args, **kwargs))

    def _lead(self) -> bool:
        if not settings.REDIS_URL:
            return True
        from saas.cache import redis_client

        try:
            if self._leader_lock is None:
                self._leader_lock = redis_client(settings.REDIS_URL).lock(
                    f"{settings.CELERY_BEAT_STATE_KEY}:leader",
                    timeout=settings.CELERY_BEAT_LEADER_TTL,
                    thread_local=False,
                )
            if self._leader_lock.owned():
                return bool(self._leader_lock.reacquire())
            return bool(self._leader_lock.acquire(blocking=False))
        except redis.RedisError as exc:
            logger.warning("celery beat: leader lock unavailable (%s); sending nothing", exc.__class__.__name__)
            return False

    def close(self) -> None:
        """Give the lead up at once on a clean stop (a rolling update need not wait for the TTL)."""
        try:
            if self._leader_lock is not None and self._leader_lock.owned():
                self._leader_lock.release()
        except redis.RedisError:
            pass
        super().close()

    def _last_run_key(self) -> str:
        return f"{settings.CELERY_BEAT_STATE_KEY}:last-run"

    def _restore_last_runs(self) -> None:
        """Set each entry's ``last_run_at`` to the time recorded in Redis, when there is one."""
        if not settings.REDIS_URL or self._store is None:
            return
        from saas.cache import redis_client

        try:
            recorded = redis_client(settings.REDIS_URL).hgetall(self._last_run_key())
        except redis.RedisError as exc:
            logger.warning("celery beat: last runs unavailable (%s)", exc.__class__.__name__)
            return
        for raw_name, raw_at in recorded.items():
            entry = self.schedule.get(_text(raw_name))
            if entry is not None:
                entry.last_run_at = datetime.fromisoformat(_text(raw_at))
        self._heap = None  # re-sorted from the restored times at the next tick

    def _record_last_run(self, name: str) -> None:
        if not settings.REDIS_URL or self._store is None:
            return
        entry = self.schedule.get(name)
        if entry is None:
            return
        from saas.cache import redis_client

        try:
            redis_client(settings.REDIS_URL).hset(self._last_run_key(), name, entry.last_run_at.isoformat())
        except redis.RedisError as exc:  # the entry was sent; a lost record only means no catch-up
            logger.warning("celery beat: could not record the run of %s (%s)", name, exc.__class__.__name__)

    def apply_entry(self, entry: ScheduleEntry, producer: Any = None) -> None:
        self._apply_entry(entry, producer)
        self._record_last_run(entry.name)

    def _apply_entry(self, entry: ScheduleEntry, producer: Any = None) -> None:
        headers = entry.options.get("headers") or {}
        if headers.get(PUBLIC_HEADER):
            with schema_context(get_public_schema_name()):
                try:
                    self.apply_async(entry, producer=producer, advance=False)
                except Exception:
                    logger.exception("could not send %s to the public schema", entry.task)
            return
        kinds = headers.get(KINDS_HEADER)
        if kinds is None:
            super().apply_entry(entry, producer=producer)
            return
        schemas = schemas_of_kinds(list(kinds))
        logger.info(
            "KindAwareScheduler: sending due task %s (%s) to %d tenant(s)", entry.name, entry.task, len(schemas)
        )
        for schema in schemas:
            with schema_context(schema):
                try:
                    self.apply_async(entry, producer=producer, advance=False)
                except Exception:
                    logger.exception("could not send %s to %s", entry.task, schema)
