"""Notifications through a real Celery worker and Redis, with the broker failing.

What is promised (logistics/services/notifications.py, logistics/queue.py,
logistics/reminders.py): each notification, reminder and chat message exists once per key;
its email / chat delivery is enqueued after commit and sent at most once, however often a
task or the tick runs; saving never waits on Redis, and what could not be enqueued is
sent by the next tick.

The worker tests run ``celery.contrib.testing.worker.start_worker`` in a thread of the
test process (solo pool), so Django's locmem ``mail.outbox`` sees what the worker sends.
They need a transactional database (the worker reads committed rows on its own
connection), and Postgres: SQLite with a second thread writing is unreliable.
``serialized_rollback=True`` restores the role groups the data migration created, which
the flush after a transactional test would otherwise remove (and tests/conftest.py
rebuilds them where Playwright has made that snapshot unreachable).
"""

import base64
import datetime
import hashlib
import hmac
import json
import logging
import shutil
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import kombu.pools
import pytest
from celery import signals as celery_signals
from celery.contrib.testing.worker import start_worker
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connections, transaction
from django.utils import timezone

from config.celery import app as celery_app
from logistics import tasks
from logistics.choices import DeliveryStatus, Role, Term, WebhookKind
from logistics.common import queue as queue_module
from logistics.common.reminders import reminders_run
from logistics.models import ChatMessage, Notification, Reminder
from logistics.reminders import SemesterEndingRule
from logistics.services import notifications as notifications_module
from logistics.services.notifications import deliveries_flush, notify
from tests import factories
from tests.conftest import REQUIRE_SERVICES, redis_url
from tests.redis_server import REDIS_SERVER, RedisServer

WAIT = 20.0  # upper bound for anything the worker should do in well under a second

transactional = pytest.mark.django_db(transaction=True, serialized_rollback=True)


# --- Helpers: broker, worker, waiting ------------------------------------------------------


def _reset_broker_pools():
    """Forget pooled broker connections (the app caches them per broker URL)."""
    kombu.pools.reset()
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@contextmanager
def celery_broker(url):
    """Point the Celery app at ``url`` with eager mode off; restore both afterwards."""
    conf = celery_app.conf
    saved = (conf.broker_url, conf.task_always_eager)
    conf.broker_url = url
    conf.task_always_eager = False
    _reset_broker_pools()
    try:
        yield
    finally:
        conf.broker_url, conf.task_always_eager = saved
        _reset_broker_pools()


def _leave_logging_alone(**kwargs):
    """A ``setup_logging`` receiver: Celery then keeps its hands off the root logger."""


class TaskTracker:
    """Records what is published to the broker, what the worker finishes, and failures."""

    def __init__(self):
        self.published = []  # task names, recorded in the publishing thread
        self.finished = []  # (task name, state, is_eager)
        self.failures = []
        self._cond = threading.Condition()

    def _on_publish(self, sender=None, **kwargs):
        with self._cond:
            self.published.append(sender)  # the task name

    def _on_postrun(self, sender=None, state=None, **kwargs):
        with self._cond:
            self.finished.append((sender.name, state, bool(sender.request.is_eager)))
            self._cond.notify_all()

    def _on_failure(self, sender=None, exception=None, **kwargs):
        with self._cond:
            self.failures.append(f"{sender.name}: {exception!r}")
            self._cond.notify_all()

    def __enter__(self):
        celery_signals.after_task_publish.connect(self._on_publish, weak=False)
        celery_signals.task_postrun.connect(self._on_postrun, weak=False)
        celery_signals.task_failure.connect(self._on_failure, weak=False)
        return self

    def __exit__(self, *exc):
        celery_signals.after_task_publish.disconnect(self._on_publish)
        celery_signals.task_postrun.disconnect(self._on_postrun)
        celery_signals.task_failure.disconnect(self._on_failure)

    def count(self, name):
        return sum(1 for finished, _state, _eager in self.finished if finished == name)

    def wait_for(self, name, count, timeout=WAIT):
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                if self.failures:
                    pytest.fail(f"a task failed in the worker: {self.failures}")
                if self.count(name) >= count:
                    return
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    pytest.fail(
                        f"waited {timeout:.0f} s for {count} × {name} to finish; "
                        f"finished so far: {self.finished}"
                    )
                self._cond.wait(remaining)


@contextmanager
def running_worker(tracker):
    """A solo-pool worker in a thread, consuming from the current broker URL."""
    celery_app.control.purge()  # leftovers of an earlier run must not be counted
    celery_signals.setup_logging.connect(_leave_logging_alone, weak=False)
    try:
        with start_worker(
            celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=WAIT
        ) as worker:
            yield worker
    finally:
        celery_signals.setup_logging.disconnect(_leave_logging_alone)
    assert not tracker.failures, f"a task failed in the worker: {tracker.failures}"
    assert all(not eager for _name, _state, eager in tracker.finished), (
        f"a task ran eagerly instead of through the broker: {tracker.finished}"
    )


def wait_until(predicate, message, timeout=WAIT):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"after {timeout:.0f} s: {message}")
        time.sleep(0.02)


def run_in_threads(*functions, timeout=WAIT):
    """Run each function on its own thread and DB connection; re-raise the first error."""
    errors = []
    results = [None] * len(functions)

    def run(index, function):
        try:
            results[index] = function()
        except BaseException as exc:  # reported in the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(i, f), daemon=True) for i, f in enumerate(functions)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(t.is_alive() for t in threads), f"a thread still runs after {timeout} s"
    if errors:
        raise errors[0]
    return results


def emails_to():
    return sorted(address for message in mail.outbox for address in message.to)


# --- Fixtures -------------------------------------------------------------------------------


@pytest.fixture
def tracker():
    with TaskTracker() as tracker:
        yield tracker


@pytest.fixture
def redis_broker():
    """The shared Redis (REDIS_URL, default db 15) as broker, eager off."""
    with celery_broker(redis_url()):
        yield


@pytest.fixture
def redis_server(tmp_path):
    """A private redis-server on a free loopback port that a test may stop and restart."""
    if not shutil.which(REDIS_SERVER):
        message = f"{REDIS_SERVER} is not installed"
        if REQUIRE_SERVICES:
            pytest.fail(message + " (HOUQIN_REQUIRE_SERVICES=1 makes this mandatory)")
        pytest.skip(message)
    server = RedisServer(tmp_path / "redis")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _current_semester(school, *, ends_in_days):
    today = timezone.localdate()
    return factories.SemesterFactory(
        school=school,
        academic_year=today.year,
        term=Term.FIRST,
        start_date=today - datetime.timedelta(days=100),
        end_date=today + datetime.timedelta(days=ends_in_days),
        is_current=True,
    )


@pytest.fixture
def quiet_school(school):
    """A school with a current semester far from its end: no reminder rule fires."""
    _current_semester(school, ends_in_days=school.semester_reminder_days + 60)
    return school


@pytest.fixture
def ending_school(school):
    """The current semester ends within the reminder days and no later one exists."""
    assert school.semester_reminder_days >= 5
    _current_semester(school, ends_in_days=5)
    return school


@pytest.fixture
def two_general_affairs(make_user, ending_school):
    return [
        make_user(Role.GENERAL_AFFAIRS, ending_school, email="zongwu1@example.cn"),
        make_user(Role.GENERAL_AFFAIRS, ending_school, email="zongwu2@example.cn"),
    ]


# --- 0. The transactional tests really keep the role groups -------------------------------


@pytest.mark.postgres
@transactional
def test_transactional_tests_find_the_role_groups_a_migration_created():
    # The flush after every transactional test empties auth_group. serialized_rollback
    # restores it, but only through the connection wrapper that took the snapshot; once
    # Playwright's sync API has run in the session the main thread gets another wrapper
    # and nothing is restored, silently. tests/conftest.py (_roles_after_flush) rebuilds
    # the groups then. Either way, a worker test must find them, with their permissions.
    groups = {group.name: group for group in Group.objects.prefetch_related("permissions")}
    missing = {str(role) for role in Role} - set(groups)
    assert not missing, f"role groups {sorted(missing)} are gone"
    assert groups[str(Role.GENERAL_AFFAIRS)].permissions.exists()


# --- 1. Email through a real worker -------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
@transactional
def test_worker_delivers_the_email_once_after_commit(
    redis_broker, tracker, quiet_school, make_user
):
    user = make_user(Role.STAFF, quiet_school, email="laoshi@example.cn")

    with running_worker(tracker):
        with transaction.atomic():  # as a view saving something would
            (notification,) = notify(
                recipients=[user],
                key="repair:42:accepted",
                title="报修单 42 已受理",
                body="维修工明天上午到。",
                url="/repairs/42/",
                school=quiet_school,
            )
            assert notification.email_status == DeliveryStatus.PENDING
            # A worker must not look for the row before it is committed.
            assert tracker.published == [], "published before the transaction committed"
        assert tracker.published == ["logistics.tasks.deliver_email"]
        tracker.wait_for("logistics.tasks.deliver_email", 1)
        notification.refresh_from_db()

    assert notification.email_status == DeliveryStatus.SENT
    assert notification.email_attempts == 1
    assert notification.email_sent_at is not None
    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    (message,) = mail.outbox
    assert message.to == ["laoshi@example.cn"]
    assert message.subject == "报修单 42 已受理"
    assert "维修工明天上午到。" in message.body
    assert message.body.endswith("/repairs/42/")
    assert tracker.count("logistics.tasks.deliver_email") == 1


# --- 2. Two ticks, one reminder ------------------------------------------------------------


@pytest.mark.django_db
def test_two_ticks_in_process_create_one_reminder(
    ending_school, two_general_affairs, make_user, django_capture_on_commit_callbacks
):
    bystander = make_user(Role.STAFF, ending_school)  # not general affairs: not notified

    for _ in range(2):
        # Each tick commits, so its on_commit deliver_email runs too (eagerly here).
        with django_capture_on_commit_callbacks(execute=True):
            tasks.tick.apply().get()

    assert Reminder.objects.filter(rule=SemesterEndingRule.name).count() == 1
    assert Reminder.objects.count() == 1
    notifications = Notification.objects.order_by("recipient__email")
    assert [n.recipient for n in notifications] == two_general_affairs
    assert not Notification.objects.filter(recipient=bystander).exists()
    assert {n.email_status for n in notifications} == {DeliveryStatus.SENT}
    assert emails_to() == ["zongwu1@example.cn", "zongwu2@example.cn"]
    # The title is translated (zh-hans by default): check the days, not the wording.
    title = notifications[0].title
    assert " 5 " in title
    assert [m.subject for m in mail.outbox] == [title, title]


@pytest.mark.postgres
@pytest.mark.redis
@transactional
def test_two_ticks_through_the_worker_create_one_reminder(
    redis_broker, tracker, ending_school, two_general_affairs
):
    with running_worker(tracker):
        tasks.tick.delay()
        tasks.tick.delay()
        tracker.wait_for("logistics.tasks.tick", 2)
        # The first tick enqueued one deliver_email per new notification (on commit);
        # the flush in the same tick may already have sent them: either way, once.
        tracker.wait_for("logistics.tasks.deliver_email", len(two_general_affairs))

    assert Reminder.objects.count() == 1
    assert Notification.objects.count() == 2
    assert set(Notification.objects.values_list("email_status", flat=True)) == {DeliveryStatus.SENT}
    assert emails_to() == ["zongwu1@example.cn", "zongwu2@example.cn"]
    assert tracker.count("logistics.tasks.deliver_email") == 2


@pytest.mark.postgres
@transactional
def test_two_concurrent_reminder_runs_create_one_reminder(
    monkeypatch, ending_school, two_general_affairs
):
    # Both runs read what is due before either records it, then race to insert.
    barrier = threading.Barrier(2, timeout=WAIT)
    original_due = SemesterEndingRule.due

    def due_together(self, now):
        items = list(original_due(self, now))
        barrier.wait()
        yield from items

    monkeypatch.setattr(SemesterEndingRule, "due", due_together)
    now = timezone.now()

    fired = run_in_threads(lambda: reminders_run(now), lambda: reminders_run(now))

    assert sorted(fired) == [0, 1]
    assert Reminder.objects.count() == 1
    assert Notification.objects.count() == 2
    assert emails_to() == ["zongwu1@example.cn", "zongwu2@example.cn"]


# --- 3. Redis stopped while something is filed --------------------------------------------


@pytest.mark.postgres
@transactional
def test_saving_with_redis_down_is_prompt_and_the_tick_delivers_later(
    redis_server, tracker, quiet_school, make_user, caplog
):
    caplog.set_level(logging.WARNING, logger="logistics.common.queue")
    first = make_user(Role.STAFF, quiet_school, email="yi@example.cn")
    second = make_user(Role.STAFF, quiet_school, email="er@example.cn")

    with celery_broker(redis_server.url):
        # The web process has been publishing: it holds a pooled broker connection.
        with celery_app.producer_or_acquire() as producer:
            producer.connection.ensure_connection(max_retries=1)
        redis_server.stop()

        started = time.monotonic()
        with transaction.atomic():  # as a view filing a repair request would
            notify(
                recipients=[first, second],
                key="repair:7:filed",
                title="新报修单 7",
                school=quiet_school,
            )
        elapsed = time.monotonic() - started
        # Two publishes, both refused at once: a few milliseconds, not kombu's retry loop.
        assert elapsed < 3.0, f"saving took {elapsed:.1f} s with the broker down"

        notifications = list(Notification.objects.order_by("recipient__email"))
        assert [n.recipient for n in notifications] == [second, first]
        assert {n.email_status for n in notifications} == {DeliveryStatus.PENDING}
        assert mail.outbox == []
        warnings = [r for r in caplog.records if "could not enqueue" in r.getMessage()]
        assert len(warnings) == 2, [r.getMessage() for r in caplog.records]

        redis_server.start()  # same port: the app's broker URL is unchanged
        with running_worker(tracker):
            started = time.monotonic()
            tasks.tick.delay()  # beat's next tick, through the restarted broker
            assert time.monotonic() - started < 3.0
            tracker.wait_for("logistics.tasks.tick", 1)
            assert emails_to() == ["er@example.cn", "yi@example.cn"]

            tasks.tick.delay()
            tracker.wait_for("logistics.tasks.tick", 2)

    assert emails_to() == ["er@example.cn", "yi@example.cn"]
    assert set(Notification.objects.values_list("email_status", flat=True)) == {DeliveryStatus.SENT}
    assert tracker.count("logistics.tasks.deliver_email") == 0  # nothing was enqueued


# --- 4. A redelivered task sends nothing twice --------------------------------------------


@pytest.fixture
def pending_notification(quiet_school, make_user, monkeypatch):
    """A notification whose email is pending and whose task was not run yet."""
    user = make_user(Role.STAFF, quiet_school, email="chongfa@example.cn")
    with monkeypatch.context() as patch:
        # Outside a transaction (transactional tests) on_commit would run the eager task
        # at once: keep the task from being enqueued at all.
        patch.setattr(queue_module, "enqueue_on_commit", lambda task, *args: None)
        (notification,) = notify(
            recipients=[user], key="redelivery", title="重复投递", school=quiet_school
        )
    notification.refresh_from_db()
    assert notification.email_status == DeliveryStatus.PENDING
    assert mail.outbox == []
    return notification


@pytest.mark.django_db
def test_redelivered_email_task_sends_once(pending_notification):
    tasks.deliver_email.apply(args=[pending_notification.pk]).get()
    tasks.deliver_email.apply(args=[pending_notification.pk]).get()  # redelivered
    assert deliveries_flush() == 0

    assert emails_to() == ["chongfa@example.cn"]
    pending_notification.refresh_from_db()
    assert pending_notification.email_status == DeliveryStatus.SENT
    assert pending_notification.email_attempts == 1


@pytest.mark.postgres
@transactional
def test_two_workers_delivering_the_same_email_at_once_send_it_once(
    monkeypatch, pending_notification
):
    real_send_mail = notifications_module.send_mail

    def slow_send_mail(*args, **kwargs):
        time.sleep(0.2)  # an SMTP server: long enough for the other worker to get here
        return real_send_mail(*args, **kwargs)

    monkeypatch.setattr(notifications_module, "send_mail", slow_send_mail)
    barrier = threading.Barrier(2, timeout=WAIT)

    def deliver():
        barrier.wait()
        tasks.deliver_email.apply(args=[pending_notification.pk]).get()

    run_in_threads(deliver, deliver)

    assert emails_to() == ["chongfa@example.cn"]
    pending_notification.refresh_from_db()
    assert pending_notification.email_status == DeliveryStatus.SENT


@pytest.mark.postgres
@transactional
def test_a_tick_does_not_resend_an_old_email_another_worker_is_sending(
    monkeypatch, pending_notification
):
    # E.g. queued while Redis was down for a quarter of an hour, then two ticks at once.
    Notification.objects.filter(pk=pending_notification.pk).update(
        created_at=timezone.now() - notifications_module.STALE_CLAIM - datetime.timedelta(minutes=1)
    )
    real_send_mail = notifications_module.send_mail
    sending, release = threading.Event(), threading.Event()

    def send_mail(*args, **kwargs):
        if not sending.is_set():  # the first worker's SMTP server is slow
            sending.set()
            assert release.wait(WAIT), "never released"
        return real_send_mail(*args, **kwargs)

    monkeypatch.setattr(notifications_module, "send_mail", send_mail)

    def first_worker():
        tasks.deliver_email.apply(args=[pending_notification.pk]).get()

    def tick_meanwhile():
        assert sending.wait(WAIT), "the first worker never started sending"
        try:
            deliveries_flush()
        finally:
            release.set()

    run_in_threads(first_worker, tick_meanwhile)

    assert emails_to() == ["chongfa@example.cn"]


# --- 5. Group chat robots -------------------------------------------------------------------


class Robot:
    """A local stand-in for a WeCom / DingTalk group robot."""

    def __init__(self):
        self.requests = []
        self.reply = {"errcode": 0, "errmsg": "ok"}
        self.redirect_to = None
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                parts = urlsplit(self.path)
                robot.requests.append(
                    SimpleNamespace(
                        method=self.command,
                        path=parts.path,
                        query=parse_qs(parts.query),
                        content_type=self.headers.get("Content-Type"),
                        body=self.rfile.read(length),
                    )
                )
                if robot.redirect_to:
                    self.send_response(302)
                    self.send_header("Location", robot.redirect_to)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                payload = json.dumps(robot.reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path, host="127.0.0.1"):
        return f"http://{host}:{self.port}{path}"


@pytest.fixture
def robot(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    robot = Robot()
    robot.thread.start()
    try:
        yield robot
    finally:
        robot.server.shutdown()
        robot.server.server_close()
        robot.thread.join(5)


def _chat_school(school, kind, url, secret=""):
    school.webhook_kind = kind
    school.webhook_url = url
    school.webhook_secret = secret
    school.save()
    return school


@pytest.mark.django_db
def test_wecom_robot_receives_one_text_message_per_key(
    robot, school, general_affairs, django_capture_on_commit_callbacks
):
    _chat_school(school, WebhookKind.WECOM, robot.url("/cgi-bin/webhook/send?key=abc-123"))

    for _ in range(2):  # the same event notified twice
        with django_capture_on_commit_callbacks(execute=True):
            notify(
                recipients=[general_affairs],
                key="outage:water:2026-12-01",
                title="明天停水",
                body="8:00-12:00 全校停水。",
                school=school,
                chat=True,
            )

    assert len(robot.requests) == 1, robot.requests
    (request,) = robot.requests
    assert request.method == "POST"
    assert request.path == "/cgi-bin/webhook/send"
    assert request.query == {"key": ["abc-123"]}
    assert request.content_type.startswith("application/json")
    payload = json.loads(request.body)
    assert set(payload) == {"msgtype", "text"}
    assert payload["msgtype"] == "text"
    assert set(payload["text"]) == {"content"}
    assert payload["text"]["content"].startswith("明天停水")
    assert "8:00-12:00 全校停水。" in payload["text"]["content"]

    (message,) = ChatMessage.objects.all()
    assert message.status == DeliveryStatus.SENT
    assert message.attempts == 1
    assert message.last_error == ""


@pytest.mark.django_db
def test_dingtalk_robot_with_secret_gets_a_valid_signature(
    robot, school, general_affairs, django_capture_on_commit_callbacks
):
    secret = "SEC0123456789abcdef"
    _chat_school(
        school, WebhookKind.DINGTALK, robot.url("/robot/send?access_token=tok"), secret=secret
    )

    before = time.time() * 1000
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[general_affairs], key="k", title="食堂检查", school=school, chat=True)
    after = time.time() * 1000

    (request,) = robot.requests
    assert request.query["access_token"] == ["tok"]
    (timestamp,) = request.query["timestamp"]
    (sign,) = request.query["sign"]
    assert before - 1000 <= int(timestamp) <= after + 1000
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    assert sign == base64.b64encode(digest).decode()
    assert json.loads(request.body)["text"]["content"].startswith("食堂检查")
    assert ChatMessage.objects.get().status == DeliveryStatus.SENT


@pytest.mark.django_db
def test_robot_error_leaves_the_message_pending(
    robot, school, general_affairs, django_capture_on_commit_callbacks
):
    robot.reply = {"errcode": 310000, "errmsg": "keywords not in content"}
    _chat_school(school, WebhookKind.DINGTALK, robot.url("/robot/send?access_token=tok"))

    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[general_affairs], key="k", title="宿舍查寝", school=school, chat=True)

    assert len(robot.requests) == 1
    message = ChatMessage.objects.get()
    assert message.status == DeliveryStatus.PENDING  # the next tick tries again
    assert message.attempts == 1
    assert "310000" in message.last_error
    assert "keywords not in content" in message.last_error
    assert message.sent_at is None


@pytest.mark.django_db
def test_webhook_host_outside_the_allow_list_is_never_contacted(
    robot, school, general_affairs, django_capture_on_commit_callbacks
):
    # "localhost" reaches the robot too, but only 127.0.0.1 is allowed.
    _chat_school(school, WebhookKind.WECOM, robot.url("/cgi-bin/webhook/send", host="localhost"))

    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[general_affairs], key="k", title="资产盘点", school=school, chat=True)
    deliveries_flush()  # the tick's retry must not contact it either

    assert robot.requests == []
    message = ChatMessage.objects.get()
    assert message.status == DeliveryStatus.PENDING
    assert message.attempts == 2
    assert "not allowed" in message.last_error


@pytest.mark.django_db
def test_a_redirecting_robot_is_not_followed(
    robot, school, general_affairs, django_capture_on_commit_callbacks
):
    # The redirect points back at the robot itself (an allowed host), under another path:
    # even so nothing is sent there, since a real robot never redirects.
    robot.redirect_to = robot.url("/elsewhere")
    _chat_school(school, WebhookKind.WECOM, robot.url("/cgi-bin/webhook/send?key=k"))

    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[general_affairs], key="k", title="报修提醒", school=school, chat=True)

    assert [r.path for r in robot.requests] == ["/cgi-bin/webhook/send"]
    message = ChatMessage.objects.get()
    assert message.status == DeliveryStatus.PENDING
    assert "redirect" in message.last_error
