"""The transactional outbox, in-process: what a commit or a rollback sends, what a broker outage
leaves for the relay, the schema a task runs in, and a redelivery applying its effect once.

Tasks run eagerly here (the test settings) unless a test points the Celery app at a broker
(``broker_at``): a URL nothing listens on (the broker is down) or a private ``redis-server``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import tenant_context
from pytest_django import DjangoCaptureOnCommitCallbacks

from saas.celery import app
from saas.db.tenant import enqueue_later, enqueue_on_commit, tenant_connection
from shared_apps.outbox.models import OutboxMessage, ProcessedTask
from shared_apps.outbox.services import outbox_relay
from shared_apps.tenancy.models import Tenant
from tests.fixture_types import ClientFor, Login, MakeUser
from tests.redis_server import CLOSED_PORT_URL, PrivateRedis
from tests.shared_apps.outbox.worker_tasks import note_once, note_plain

VERB = "outbox.test"


@pytest.fixture(autouse=True)
def empty_outbox(db: None) -> None:
    """Each test starts with an empty outbox: the rows committed while the session tenants were
    provisioned are deleted inside the test's transaction (and come back with its rollback)."""
    OutboxMessage.objects.all().delete()
    ProcessedTask.objects.all().delete()


def notes(tenant: Tenant, verb: str = VERB) -> list[dict[str, Any]]:
    """The ``extra_data`` of the test notifications in ``tenant``'s schema."""
    from tenant_apps.notifications.models import Notification

    with tenant_context(tenant):
        return list(Notification.objects.filter(verb=verb).values_list("extra_data", flat=True))


def admin_id(tenant: Tenant) -> int:
    from tenant_apps.accounts.models import User

    with tenant_context(tenant):
        return int(User.objects.get(email=f"admin@{tenant.schema_name}.test").pk)


@contextmanager
def broker_at(url: str) -> Iterator[None]:
    """Publish for real (not eagerly) to ``url`` for the block; the app's pools are reset around it."""
    overrides = {"task_always_eager": False, "broker_url": url, "broker_connection_timeout": 2}
    saved = {key: app.conf[key] for key in overrides}

    def reset_pools() -> None:  # kombu keeps its pools per URL: the app just forgets which it used
        app._pool = None
        app.amqp._producer_pool = None

    reset_pools()
    app.conf.update(overrides)
    try:
        yield
    finally:
        reset_pools()
        app.conf.update(saved)


@pytest.fixture
def private_broker() -> Iterator[PrivateRedis]:
    import shutil

    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    server = PrivateRedis()
    yield server
    server.stop()


def queued(server: PrivateRedis, queue: str = "default") -> list[dict[str, Any]]:
    """The messages waiting in ``queue`` of ``server``: ``{"id", "task", "schema", "args", "kwargs"}``."""
    found = []
    for raw in server.control.lrange(queue, 0, -1):
        message = json.loads(raw)
        headers = message["headers"]
        args, kwargs, _ = json.loads(base64.b64decode(message["body"]))
        found.append(
            {
                "id": headers["id"],
                "task": headers["task"],
                "schema": headers.get("_schema_name"),
                "args": args,
                "kwargs": kwargs,
            }
        )
    return found


def test_a_rolled_back_change_leaves_no_outbox_row_and_sends_nothing(
    alpha: Tenant, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    # given
    user_id = admin_id(alpha)
    # when
    with (
        django_capture_on_commit_callbacks(execute=True),
        tenant_context(alpha),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        enqueue_on_commit(note_once, user_id, VERB)
        raise RuntimeError("the change fails")
    # then
    assert not OutboxMessage.objects.exists()
    assert notes(alpha) == []


def test_a_committed_change_sends_its_task_once_with_the_rows_task_id(
    alpha: Tenant, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    # when
    with django_capture_on_commit_callbacks(execute=True), tenant_context(alpha):
        enqueue_on_commit(note_once, admin_id(alpha), VERB)
    # then
    message = OutboxMessage.objects.get()
    assert message.sent_at is not None
    assert message.schema_name == "alpha"
    assert message.task == "tests.outbox.note_once"
    assert notes(alpha) == [{"schema": "alpha"}]
    assert list(ProcessedTask.objects.values_list("key", flat=True)) == [str(message.task_id)]
    # and the relay finds nothing left to send
    assert outbox_relay().sent == 0
    assert len(notes(alpha)) == 1


def test_the_request_id_being_served_goes_with_the_row(db: None) -> None:
    from saas.logs import TASK_HEADER, _request_id

    token = _request_id.set("req-outbox-1")
    try:
        with transaction.atomic():
            enqueue_on_commit(note_plain, 1, VERB)
    finally:
        _request_id.reset(token)
    assert OutboxMessage.objects.get().headers == {TASK_HEADER: "req-outbox-1"}


@pytest.mark.django_db
def test_arguments_that_are_not_json_are_refused_before_anything_is_written() -> None:
    with pytest.raises(TypeError):
        enqueue_on_commit(note_plain, object(), VERB)
    assert not OutboxMessage.objects.exists()


def test_a_task_enqueued_in_alpha_runs_in_alphas_schema_even_after_a_switch_and_through_the_relay(
    alpha: Tenant, beta: Tenant, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    # given: one row published at commit, after the connection moved to beta
    user_id = admin_id(alpha)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with tenant_context(alpha):
            enqueue_on_commit(note_once, user_id, VERB)
        tenant_connection().set_tenant(beta)
    for callback in callbacks:
        callback()
    # and one left unsent, then published by the relay from the public schema
    with tenant_context(alpha):
        enqueue_on_commit(note_once, user_id, VERB)  # no commit here: its fast path never runs
    tenant_connection().set_schema_to_public()
    # when
    report = outbox_relay()
    # then
    assert report.sent == 1
    assert notes(alpha) == [{"schema": "alpha"}, {"schema": "alpha"}]
    assert notes(beta) == []
    assert set(OutboxMessage.objects.values_list("schema_name", flat=True)) == {"alpha"}


def test_the_same_message_delivered_twice_applies_a_keyed_effect_once_and_an_unkeyed_one_twice(
    alpha: Tenant,
) -> None:
    # given
    user_id = admin_id(alpha)
    headers = {"_schema_name": "alpha"}
    # when: each task's one message is delivered twice (the same task id)
    for _ in range(2):
        note_once.apply(args=(user_id, "outbox.keyed"), task_id="delivery-1", headers=headers)
        note_plain.apply(args=(user_id, "outbox.plain"), task_id="delivery-2", headers=headers)
    # then
    assert len(notes(alpha, "outbox.keyed")) == 1
    assert len(notes(alpha, "outbox.plain")) == 2  # the negative control: without the key, doubled


def test_a_keyed_task_that_fails_leaves_no_key_and_its_next_delivery_applies_the_effect(alpha: Tenant) -> None:
    # given: the first delivery raises after writing (the user does not exist yet)
    headers = {"_schema_name": "alpha"}
    with pytest.raises(Exception):
        note_once.apply(args=(10**9, VERB), task_id="delivery-3", headers=headers)
    assert not ProcessedTask.objects.filter(key="delivery-3").exists()
    # when: delivered again
    note_once.apply(args=(admin_id(alpha), VERB), task_id="delivery-3", headers=headers)
    # then
    assert len(notes(alpha)) == 1


def test_broker_down_the_request_succeeds_and_the_relay_publishes_once_when_it_is_back(
    alpha: Tenant,
    login: Login,
    client_for: ClientFor,
    make_user: MakeUser,
    private_broker: PrivateRedis,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # given: the broker is down, and a member of the site opens a ticket (the support staff is e-mailed)
    make_user(alpha, "ann@alpha.test", roles=["student"])
    client = client_for(alpha, login(alpha, "ann@alpha.test")["access"])
    with broker_at(CLOSED_PORT_URL):
        # when: a request whose write sends a task (a new ticket e-mails the support staff)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/api/v1/tickets/", {"subject": "Broker down", "body": "Still answered."})
        # then: it answers, and the task waits in the outbox with the error
        assert response.status_code == 201, response.content
        message = OutboxMessage.objects.get()
        assert message.sent_at is None
        assert message.attempts == 1
        assert "OperationalError" in message.last_error or "Error" in message.last_error
        assert message.available_at > timezone.now()
    # when: the broker is back and the message is due
    OutboxMessage.objects.update(available_at=timezone.now() - timedelta(seconds=1))
    with broker_at(private_broker.url):
        first, second = outbox_relay(), outbox_relay()
    # then: published once, in alpha's schema, with the row's task id
    assert (first.sent, second.sent) == (1, 0)
    message.refresh_from_db()
    assert message.sent_at is not None
    [sent] = queued(private_broker)
    assert sent["id"] == str(message.task_id)
    assert sent["task"] == message.task == "tenant_apps.emails.tasks.send_templated_email"
    assert sent["schema"] == "alpha"
    assert sent["kwargs"]["subject"].startswith("New ticket #")


def test_a_failed_publication_is_retried_by_the_relay_only_once_due(
    alpha: Tenant, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    # given: a row whose publication failed
    with broker_at(CLOSED_PORT_URL):
        with django_capture_on_commit_callbacks(execute=True), tenant_context(alpha):
            enqueue_on_commit(note_once, admin_id(alpha), VERB)
        # when: the relay runs before it is due, and with the broker still down once due
        early = outbox_relay()
        OutboxMessage.objects.update(available_at=timezone.now())
        late = outbox_relay()
    # then
    assert (early.sent, early.failed) == (0, 0)
    assert (late.sent, late.failed) == (0, 1)
    message = OutboxMessage.objects.get()
    assert message.attempts == 2
    assert message.available_at > timezone.now()
    # when: the broker works again (eager here) and the row is due
    OutboxMessage.objects.update(available_at=timezone.now())
    assert outbox_relay().sent == 1
    assert notes(alpha) == [{"schema": "alpha"}]


def test_the_relay_deletes_old_sent_rows_and_old_keys_and_keeps_the_rest(settings: Any, db: None) -> None:
    # given
    old = timezone.now() - timedelta(days=30)
    OutboxMessage.objects.create(schema_name="alpha", task="x", sent_at=old)
    OutboxMessage.objects.create(schema_name="alpha", task="x", sent_at=timezone.now())
    OutboxMessage.objects.create(
        schema_name="alpha", task="x", created_at=old, available_at=timezone.now() + timedelta(hours=1)
    )
    ProcessedTask.objects.create(key="old", task="x", schema_name="alpha", processed_at=old)
    ProcessedTask.objects.create(key="new", task="x", schema_name="alpha")
    # when
    report = outbox_relay()
    # then
    assert report.deleted == 2
    assert OutboxMessage.objects.count() == 2
    assert list(ProcessedTask.objects.values_list("key", flat=True)) == ["new"]


def test_a_login_code_asked_for_while_the_broker_is_down_is_answered_and_e_mailed_once_it_is_back(
    alpha: Tenant, client_for: ClientFor, make_user: MakeUser
) -> None:
    from django.core import mail

    # given
    make_user(alpha, "otp@alpha.test")
    # when: the broker is down
    with broker_at(CLOSED_PORT_URL):
        response = client_for(alpha).post("/api/v1/auth/otp/request/", {"email": "otp@alpha.test"})
    # then: answered; nothing sent yet, the e-mail waits in the outbox
    assert response.status_code == 202, response.content
    assert mail.outbox == []
    message = OutboxMessage.objects.get()
    assert (message.task, message.sent_at) == ("tenant_apps.emails.tasks.send_templated_email", None)
    # when: the broker works again (eager here) and the relay runs
    OutboxMessage.objects.update(available_at=timezone.now())
    outbox_relay()
    # then: the code is e-mailed once, and the sent row no longer holds it
    assert [m.to for m in mail.outbox] == [["otp@alpha.test"]]
    assert "Your login code is" in mail.outbox[0].body
    message.refresh_from_db()
    assert message.sent_at is not None
    assert message.payload == {}


def test_a_task_enqueued_for_later_is_published_by_the_relay_only_once_due(
    alpha: Tenant, private_broker: PrivateRedis, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    # given
    with broker_at(private_broker.url):
        with django_capture_on_commit_callbacks(execute=True), tenant_context(alpha):
            enqueue_later(60, note_once, admin_id(alpha), VERB)
        # when: the relay runs before and after its time
        before = outbox_relay()
        OutboxMessage.objects.update(available_at=timezone.now())
        after = outbox_relay()
    # then
    assert (before.sent, after.sent) == (0, 1)
    assert [(m["task"], m["schema"]) for m in queued(private_broker)] == [("tests.outbox.note_once", "alpha")]


def test_the_relay_command_publishes_what_waits_and_says_how_much(
    alpha: Tenant, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    from io import StringIO

    from django.core.management import call_command

    # given: a task the broker refused
    with broker_at(CLOSED_PORT_URL), django_capture_on_commit_callbacks(execute=True), tenant_context(alpha):
        enqueue_on_commit(note_once, admin_id(alpha), VERB)
    OutboxMessage.objects.update(available_at=timezone.now())
    # when: the broker works again (eager here)
    out = StringIO()
    call_command("outbox_relay", "--once", stdout=out)
    # then
    assert out.getvalue().startswith("sent 1, failed 0, deleted 0; oldest unsent waited 0.0s")
    assert notes(alpha) == [{"schema": "alpha"}]


def test_the_lag_is_the_age_of_the_oldest_row_that_should_have_gone_and_ignores_rows_for_later() -> None:
    from shared_apps.outbox.services import outbox_lag_seconds

    # given
    now = timezone.now()
    OutboxMessage.objects.create(schema_name="alpha", task="x", created_at=now - timedelta(hours=2), sent_at=now)
    OutboxMessage.objects.create(
        schema_name="alpha", task="x", created_at=now - timedelta(hours=1), available_at=now + timedelta(minutes=5)
    )
    assert outbox_lag_seconds() == 0.0  # sent, or not due yet
    # when: a row is refused by the broker (its next try later) and one waits, due
    OutboxMessage.objects.create(
        schema_name="alpha",
        task="x",
        created_at=now - timedelta(seconds=90),
        attempts=1,
        available_at=now + timedelta(minutes=1),
    )
    OutboxMessage.objects.create(schema_name="alpha", task="x", created_at=now - timedelta(seconds=30))
    # then
    assert 90 <= outbox_lag_seconds() < 120


def test_prometheus_shows_the_outbox_lag_and_backlog(
    client_for: ClientFor, settings: Any, session_tenants: dict[str, Tenant]
) -> None:
    from datetime import timedelta

    from django.utils import timezone
    from prometheus_client.parser import text_string_to_metric_families

    def scrape() -> dict[str, float]:
        response = client_for(None).get("/api/v1/metrics/", HTTP_AUTHORIZATION="Bearer metrics-secret")
        assert response.status_code == 200
        return {
            family.name: family.samples[0].value
            for family in text_string_to_metric_families(response.content.decode())
            if family.name.startswith("saas_outbox")
        }

    # given: nothing waiting
    settings.METRICS_TOKEN = "metrics-secret"
    assert scrape() == {"saas_outbox_lag_seconds": 0.0, "saas_outbox_unsent": 0.0}
    # when: a task has waited 90 s for the broker, and one is due later
    now = timezone.now()
    OutboxMessage.objects.create(schema_name="alpha", task="x", created_at=now - timedelta(seconds=90), attempts=1)
    OutboxMessage.objects.create(schema_name="alpha", task="y", available_at=now + timedelta(hours=1))
    # then
    found = scrape()
    assert 90 <= found["saas_outbox_lag_seconds"] < 120
    assert found["saas_outbox_unsent"] == 2
