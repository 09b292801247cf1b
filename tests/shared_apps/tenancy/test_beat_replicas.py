"""Celery beat across replicas (issue 18, point 4): one replica sends, another takes over when it
dies, and a run missed while no beat was up is made at the next start (``shared_apps/tenancy/beat.py``).

Real schedulers (their shelve files in ``tmp_path``) on the machine's Redis, under a key of this
test only; what they would send is recorded instead of published."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from celery.beat import ScheduleEntry
from django.conf import settings
from pytest_django import DjangoDbBlocker, Settings

from saas.cache import redis_client
from saas.celery import app
from shared_apps.tenancy.beat import KindAwareScheduler

DAILY = "tests-daily@public"


class Replica(KindAwareScheduler):
    """A beat replica that records the entries it would send."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.sent: list[str] = []
        super().__init__(*args, **kwargs)

    def apply_async(self, entry: ScheduleEntry, producer: Any = None, advance: bool = True, **kwargs: Any) -> Any:
        self.sent.append(entry.name)
        return SimpleNamespace(id=entry.name)


@pytest.fixture
def state_key(settings: Settings) -> Iterator[str]:
    """A Redis key of this test only for the beat's lock and last runs; a schedule of one daily
    public task."""
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL")
    key = f"test-beat-{uuid.uuid4().hex}"
    settings.CELERY_BEAT_STATE_KEY = key
    settings.CELERY_BEAT_LEADER_TTL = 2
    saved = app.conf.beat_schedule
    app.conf.beat_schedule = {"tests-daily": {"task": "tests.daily", "schedule": 86400.0, "public": True}}
    yield key
    app.conf.beat_schedule = saved
    client = redis_client(settings.REDIS_URL)
    client.delete(f"{key}:leader", f"{key}:last-run")


@pytest.fixture
def replica(tmp_path: Path, django_db_blocker: DjangoDbBlocker) -> Iterator[Callable[[str], Replica]]:
    """``replica(name)``: a started beat replica with its own (empty) shelve file."""
    made: list[Replica] = []

    def start(name: str) -> Replica:
        scheduler = Replica(app=app, schedule_filename=str(tmp_path / name), max_interval=1)
        made.append(scheduler)
        return scheduler

    with django_db_blocker.unblock():
        yield start
    for scheduler in made:
        scheduler.close()


def _ago(replica: Replica, **delta: float) -> None:
    """Record the daily entry as last run ``delta`` ago, as a previous beat would have."""
    at = app.now() - timedelta(**delta)
    redis_client(settings.REDIS_URL).hset(f"{settings.CELERY_BEAT_STATE_KEY}:last-run", DAILY, at.isoformat())


def test_only_the_leader_sends_and_the_other_takes_over_when_it_dies(
    state_key: str, replica: Callable[[str], Replica]
) -> None:
    # given: two replicas, and a daily run missed a day ago
    first, second = replica("a"), replica("b")
    _ago(first, hours=25)
    # when both tick
    first.tick()
    second.tick()
    # then the daily task is sent once, by the leader
    assert (first.sent, second.sent) == ([DAILY], [])
    # when the leader dies without giving the lead up (its lock expires), the other takes over
    first._leader_lock = None  # a dead process renews nothing
    redis_client(settings.REDIS_URL).pexpire(f"{state_key}:leader", 1)
    time.sleep(0.05)
    second.tick()
    second.tick()
    # and does not send again what the first sent today
    assert second._leads and second.sent == []
    assert first.tick() and first.sent == [DAILY]  # the old one, back, follows


def test_a_daily_run_missed_while_beat_was_down_is_made_at_start(
    state_key: str, replica: Callable[[str], Replica]
) -> None:
    # given: the last run 25 hours ago, recorded by a beat that is gone
    _ago(replica("probe"), hours=25)
    # when a new beat starts, with an empty schedule file
    fresh = replica("fresh")
    fresh.tick()
    # then it sends the missed run at once, and only once
    fresh.tick()
    assert fresh.sent == [DAILY]


def test_a_run_made_recently_is_not_repeated_at_start(state_key: str, replica: Callable[[str], Replica]) -> None:
    _ago(replica("probe"), hours=1)
    fresh = replica("fresh")
    fresh.tick()
    fresh.tick()
    assert fresh.sent == []


def test_without_a_record_the_first_run_waits_an_interval(state_key: str, replica: Callable[[str], Replica]) -> None:
    fresh = replica("fresh")
    fresh.tick()
    assert fresh.sent == []
