"""Celery beat sends a kind's periodic tasks only to the active sites of that kind."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from celery.beat import ScheduleEntry
from django.conf import settings

from saas.celery import app
from saas.db.tenant import current_schema
from shared_apps.tenancy.beat import KindAwareScheduler
from shared_apps.tenancy.models import Tenant, TenantStatus


class RecordingScheduler(KindAwareScheduler):
    """The scheduler without its on-disk store, recording the schema each message is sent from."""

    def __init__(self) -> None:  # no shelve file, no app start-up: only the choice of schemas is tested
        self.app = app
        self.sent: list[tuple[str, str]] = []

    def apply_async(self, entry: ScheduleEntry, producer: Any = None, advance: bool = True, **kwargs: Any) -> Any:
        self.sent.append((entry.task, current_schema()))
        return SimpleNamespace(id=f"{entry.task}@{current_schema()}")


def _entries(scheduler: RecordingScheduler) -> dict[str, ScheduleEntry]:
    merged = scheduler._tenant_aware_beat_schedule_to_dict(settings.CELERY_BEAT_SCHEDULE)
    return {name: ScheduleEntry(name=name, app=app, **fields) for name, fields in merged.items()}


def test_a_store_task_goes_to_each_active_store_site_and_nowhere_else(
    session_tenants: dict[str, Tenant], db: None
) -> None:
    # given: the session's sites (two schools, two stores, two rentals), one store suspended
    Tenant.objects.filter(schema_name="delta").update(status=TenantStatus.SUSPENDED)
    scheduler = RecordingScheduler()
    entry = _entries(scheduler)["store-close-due-auctions@kinds:store"]
    # when the entry is due
    scheduler.apply_entry(entry)
    # then it was sent once, from gamma's schema only
    assert scheduler.sent == [("tenant_apps.store.auctions.tasks.close_due_auctions", "gamma")]


def test_an_entry_without_kinds_still_goes_to_every_site(session_tenants: dict[str, Tenant], db: None) -> None:
    # given an entry of the library's form
    scheduler = RecordingScheduler()
    merged = scheduler._tenant_aware_beat_schedule_to_dict({"ping": {"task": "ping", "schedule": 60.0}})
    (name, fields) = next(iter(merged.items()))
    # when it is due
    scheduler.apply_entry(ScheduleEntry(name=name, app=app, **fields))
    # then every tenant schema got it
    assert sorted(schema for _, schema in scheduler.sent) == sorted(
        Tenant.objects.exclude(schema_name="public").values_list("schema_name", flat=True)
    )


def test_every_periodic_task_of_the_project_names_its_kinds_or_the_public_schema() -> None:
    # a new beat entry without ``kinds`` (or ``public``) would be sent to every site of every kind
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert {name for name, entry in schedule.items() if not entry.get("kinds") and not entry.get("public")} == set()


def test_a_public_entry_is_sent_once_in_the_public_schema(session_tenants: dict[str, Tenant], db: None) -> None:
    # given: an entry marked public, among the session's sites
    scheduler = RecordingScheduler()
    sweep = {"task": "sweep", "schedule": 60.0, "public": True}
    merged = scheduler._tenant_aware_beat_schedule_to_dict({"sweep": sweep})
    entry = ScheduleEntry(name="sweep@public", app=app, **merged["sweep@public"])
    # when it is due
    scheduler.apply_entry(entry)
    # then it was sent once, from the public schema
    assert list(merged) == ["sweep@public"]
    assert scheduler.sent == [("sweep", "public")]
