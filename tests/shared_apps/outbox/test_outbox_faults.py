"""The outbox and idempotent tasks through real faults: a real ``celery worker`` (prefork) on a
private ``redis-server``, killed with SIGKILL mid-task, and the broker stopped and started again.

The worker is a subprocess with ``DATABASE_URL`` pointing at the test database; it sees committed
rows only, so the module provisions a site of its own (``site``, committed) whose admin the tasks
notify, and drops it, with what the workers committed, at the end. Messages are
published from the test process (``broker_at``) to the private server. The worker takes back
unacknowledged messages after a 2 s visibility timeout (``CELERY_VISIBILITY_TIMEOUT``).

Waits are bounded polls (``wait_for``), never sleeps whose length decides the outcome.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context
from pytest_django import DjangoCaptureOnCommitCallbacks, DjangoDbBlocker

from saas.db.tenant import enqueue_on_commit, use_public_schema
from shared_apps.outbox.models import OutboxMessage, ProcessedTask
from shared_apps.outbox.services import outbox_relay
from shared_apps.tenancy.models import Tenant
from tests.redis_server import PrivateRedis
from tests.shared_apps.outbox.test_outbox import admin_id, broker_at, empty_outbox, notes
from tests.shared_apps.outbox.worker_tasks import note_once, note_then_wait

pytestmark = [pytest.mark.faults, pytest.mark.usefixtures(empty_outbox.__name__)]

SITE = "outboxfaults"
REPO = Path(__file__).resolve().parents[3]
#: Upper bound of every wait (a worker starting, a message redelivered); reached only on failure.
WAIT_SECONDS = 45.0


def wait_for(condition: Callable[[], bool], what: str, worker: Worker | None = None) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` (and the worker's log) after ``WAIT_SECONDS``."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}" + (f"\n--- worker log ---\n{worker.log()}" if worker else ""))
        time.sleep(0.05)


def worker_database_url() -> str:
    settings = connection.settings_dict
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    return f"postgres://{settings['USER']}{password}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"


class Worker:
    """``celery -A saas worker`` (prefork, 2 processes) in its own process group, on ``broker_url``."""

    def __init__(self, broker_url: str, log_dir: Path) -> None:
        self.log_path = log_dir / f"worker-{time.monotonic_ns()}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "saas.settings.local",
            "DATABASE_URL": worker_database_url(),
            "REDIS_URL": broker_url,
            "CELERY_VISIBILITY_TIMEOUT": "2",
            "CELERY_SKIP_CHECKS": "1",
            "PYTHONPATH": str(REPO),
        }
        command = [
            *(sys.executable, "-m", "celery", "-A", "saas", "worker"),
            *("--pool", "prefork", "--concurrency", "2", "--queues", "default", "--loglevel", "INFO"),
            *("--include", "tests.shared_apps.outbox.worker_tasks"),
            *("--without-gossip", "--without-mingle", "--without-heartbeat"),
        ]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        wait_for(lambda: "ready." in self.log() or self.process.poll() is not None, "the worker to start", self)
        assert self.process.poll() is None, self.log()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL to the whole group: the main process and its pool processes, no goodbye."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


def start_redis_again(server: PrivateRedis) -> None:
    """Start a ``redis-server`` on the port of the stopped ``server`` (empty: no persistence)."""
    server.dir = tempfile.mkdtemp(prefix="test-redis-")
    server.process = subprocess.Popen(
        ["redis-server", "--port", str(server.port), "--save", "", "--appendonly", "no", "--dir", server.dir],
        stdout=subprocess.DEVNULL,
    )
    server.control = redis.Redis(port=server.port, socket_timeout=2)

    def answers() -> bool:
        try:
            return bool(server.control.ping())
        except redis.ConnectionError:
            return False

    wait_for(answers, "redis-server to start again")


def unacked(server: PrivateRedis) -> int:
    """Messages a worker has taken and not acknowledged yet (kombu's ``unacked`` hash)."""
    return int(server.control.hlen("unacked"))


def unacked_past_visibility(server: PrivateRedis, seconds: float) -> bool:
    """Whether every unacknowledged message was taken more than ``seconds`` ago (kombu's
    ``unacked_index`` scores), so that a worker starting now hands it out again at once: kombu
    restores visible messages when a worker starts, then only every 100 s by default."""
    taken: list[tuple[bytes, float]] = server.control.zrange("unacked_index", 0, -1, withscores=True)  # type: ignore[assignment]
    return bool(taken) and all(score < time.time() - seconds for _, score in taken)


@pytest.fixture(scope="module")
def broker() -> Iterator[PrivateRedis]:
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    server = PrivateRedis()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def site(session_tenants: dict[str, Tenant], django_db_blocker: DjangoDbBlocker) -> Iterator[Tenant]:
    """A site of this module's own, committed (the worker must see its admin); dropped at the end
    with the outbox rows and keys the module left."""
    from shared_apps.tenancy.services import tenant_drop, tenant_provision
    from tests.conftest import PASSWORD

    with django_db_blocker.unblock():
        last_row = OutboxMessage.objects.order_by("-id").values_list("id", flat=True).first() or 0
        kept = Tenant.objects.filter(schema_name=SITE).first()
        if kept is not None:  # left by an interrupted run
            tenant_drop(tenant=kept, confirm_slug=SITE)
        tenant = tenant_provision(
            kind="school", slug=SITE, name="Outbox Faults", owner_email=f"admin@{SITE}.test", owner_password=PASSWORD
        )
        use_public_schema()
    yield tenant
    with django_db_blocker.unblock():
        use_public_schema()
        tenant_drop(tenant=tenant, confirm_slug=SITE)
        ProcessedTask.objects.filter(schema_name=SITE).delete()
        OutboxMessage.objects.filter(id__gt=last_row).delete()  # provisioning's rows and the tests'


@pytest.fixture
def workers(broker: PrivateRedis, tmp_path: Path) -> Iterator[Callable[[], Worker]]:
    """``workers()`` starts one more worker on the private broker; all are stopped after the test."""
    started: list[Worker] = []

    def start() -> Worker:
        started.append(Worker(broker.url, tmp_path))
        return started[-1]

    yield start
    for worker in started:
        worker.stop()


def test_a_worker_killed_mid_task_leaves_each_effect_applied_exactly_once(
    site: Tenant,
    db: None,
    broker: PrivateRedis,
    workers: Callable[[], Worker],
    tmp_path: Path,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # given: a worker runs two tasks and is stopped in each: one before its effect is committed,
    # one after (the effect and its key committed, the message not acknowledged yet)
    first = workers()
    user_id = admin_id(site)
    before_commit, after_commit = tmp_path / "before-commit", tmp_path / "after-commit"
    with broker_at(broker.url), django_capture_on_commit_callbacks(execute=True), tenant_context(site):
        enqueue_on_commit(note_once, user_id, "outbox.fault.before", gate=str(before_commit))
        enqueue_on_commit(note_then_wait, user_id, "outbox.fault.after", gate=str(after_commit))
    for gate in (before_commit, after_commit):
        wait_for(Path(f"{gate}.reached").exists, f"the task to reach {gate.name}", first)
    assert len(notes(site, "outbox.fault.before")) == 0  # written, not committed
    assert len(notes(site, "outbox.fault.after")) == 1
    assert unacked(broker) == 2
    # when: SIGKILL, then a new worker (the gates open: the tasks run through this time) once the
    # messages are past the visibility timeout
    first.kill()
    wait_for(lambda: unacked_past_visibility(broker, 2.5), "the messages to pass the visibility timeout")
    for gate in (before_commit, after_commit):
        Path(f"{gate}.reached").unlink()
        gate.write_text("open")
    second = workers()
    # then: both messages are delivered again and acknowledged ...
    for gate in (before_commit, after_commit):
        wait_for(Path(f"{gate}.reached").exists, f"{gate.name} to be delivered again", second)
    wait_for(lambda: unacked(broker) == 0 and broker.control.llen("default") == 0, "the acknowledgements", second)
    # ... and each effect is there once: the first applied by the second run, the other not doubled
    assert len(notes(site, "outbox.fault.before")) == 1
    assert len(notes(site, "outbox.fault.after")) == 1
    keys = set(ProcessedTask.objects.values_list("key", flat=True))
    assert {str(task_id) for task_id in OutboxMessage.objects.values_list("task_id", flat=True)} <= keys


def test_broker_down_the_write_commits_and_its_task_runs_once_when_the_broker_is_back(
    site: Tenant,
    db: None,
    broker: PrivateRedis,
    workers: Callable[[], Worker],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # given: a worker, then the broker goes down
    worker = workers()
    broker.control.close()
    broker.process.terminate()
    broker.process.wait(10)
    # when: a write sends a task
    with broker_at(broker.url), django_capture_on_commit_callbacks(execute=True), tenant_context(site):
        enqueue_on_commit(note_once, admin_id(site), "outbox.fault.down")
    # then: it waits in the outbox
    message = OutboxMessage.objects.get()
    assert (message.sent_at, message.attempts) == (None, 1)
    # when: the broker is back (empty) and the relay runs (twice)
    start_redis_again(broker)
    OutboxMessage.objects.update(available_at=timezone.now())
    with broker_at(broker.url):
        reports = [outbox_relay(), outbox_relay()]
    # then: published once; the worker reconnects and runs it once
    assert [report.sent for report in reports] == [1, 0]
    wait_for(lambda: len(notes(site, "outbox.fault.down")) == 1, "the task to run", worker)
    wait_for(lambda: unacked(broker) == 0 and broker.control.llen("default") == 0, "the acknowledgement", worker)
    assert notes(site, "outbox.fault.down") == [{"schema": SITE}]
