"""The reminder framework's one way to send: ``fire(rule, due)``, called by the tick for
what every rule finds due and by a service that must remind at once; and the services
do not reach the rules' module (which reads documents and selectors above them)."""

import ast
import datetime
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from logistics.choices import Role
from logistics.common import reminders
from logistics.common.registry import registry
from logistics.models import Notification, Reminder
from safety import services
from safety.choices import InspectionKind
from safety.reminders import InspectionAssignedRule
from safety.services.reminders import INSPECTION_ASSIGNED
from tests.safety_factories import template_with_items

TZ = ZoneInfo("Asia/Shanghai")


def _due(school, user, key="k1", **kwargs):
    return reminders.Due(school=school, key=key, title="提醒", recipients=[user], **kwargs)


class Rule(reminders.ReminderRule):
    name = "test_rule"

    def __init__(self, items=()):
        self.items = list(items)

    def due(self, now):
        return iter(self.items)


@pytest.mark.django_db
class TestFire:
    def test_sends_once_under_the_rules_name_and_key(self, school, make_user):
        user = make_user(Role.STAFF, school)
        assert reminders.fire(Rule(), _due(school, user)) is True
        assert reminders.fire("test_rule", _due(school, user)) is False
        [reminder] = Reminder.objects.all()
        assert (reminder.rule, reminder.key, reminder.recipients) == ("test_rule", "k1", 1)
        [notification] = Notification.objects.filter(recipient=user)
        assert notification.key == "reminder:test_rule:k1"

    def test_a_failed_action_keeps_nothing_and_the_next_call_sends(self, school, make_user):
        user = make_user(Role.STAFF, school)

        def broken(item):
            raise RuntimeError("the document could not be asked for")

        with mock.patch.object(reminders.logger, "exception") as logged:
            assert reminders.fire(Rule(), _due(school, user, action=broken)) is False
        logged.assert_called_once()
        assert not Reminder.objects.exists() and not Notification.objects.exists()

        def link(item):
            item.url = "/documents/1/"

        assert reminders.fire(Rule(), _due(school, user, action=link)) is True
        assert Notification.objects.get(recipient=user).url == "/documents/1/"


@pytest.mark.django_db
def test_the_tick_fires_what_every_rule_finds_due(school, make_user, monkeypatch):
    user = make_user(Role.STAFF, school)
    rule = Rule([_due(school, user, "a"), _due(school, user, "b")])
    monkeypatch.setattr(registry, "reminder_rules", {rule.name: rule})
    with mock.patch.object(reminders, "fire", wraps=reminders.fire) as fire:
        assert reminders.reminders_run(datetime.datetime(2026, 9, 1, 9, tzinfo=TZ)) == 2
        assert reminders.reminders_run(datetime.datetime(2026, 9, 1, 10, tzinfo=TZ)) == 0
    assert [(c.args[0], c.args[1].key) for c in fire.call_args_list] == [
        (rule, "a"),
        (rule, "b"),
        (rule, "a"),
        (rule, "b"),
    ]


@pytest.mark.django_db
def test_a_service_fires_the_rules_item_and_the_tick_finds_it_sent(school, make_user):
    officer = make_user(Role.SAFETY_OFFICER, school)
    office = make_user(Role.GENERAL_AFFAIRS, school)
    template = template_with_items(school, kind=InspectionKind.SPECIAL)
    today = datetime.date(2026, 9, 1)
    now = datetime.datetime(2026, 9, 1, 9, tzinfo=TZ)
    with mock.patch.object(reminders, "fire", wraps=reminders.fire) as fire:
        inspection = services.inspection_create(
            school=school,
            template=template,
            inspector=officer,
            actor=office,
            period_start=today,
            period_end=today,
            now=now,
        )
    [call] = fire.call_args_list
    rule, due = call.args
    assert rule == INSPECTION_ASSIGNED == InspectionAssignedRule.name
    assert (due.key, list(due.recipients)) == (str(inspection.pk), [officer])
    # The tick's rule leaves it out: it was recorded under the rule's own key.
    later = now + datetime.timedelta(hours=3)
    assert list(registry.reminder_rules[INSPECTION_ASSIGNED].due(later)) == []
    reminders.reminders_run(later)
    assert Notification.objects.filter(recipient=officer).count() == 1


def _imported_modules(path):
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize(
    "path",
    sorted(Path(settings.BASE_DIR, "safety", "services").glob("*.py")),
    ids=lambda p: p.name,
)
def test_the_services_do_not_import_the_rules_module(path):
    """A service reaches a rule through ``safety.services.reminders`` (its name and its
    item), never through ``safety.reminders``, which imports the printed documents (and
    through them the pages): the cycle service → reminders → documents → views."""
    imported = _imported_modules(path)
    for above in ("safety.reminders", "safety.documents", "safety.views", "safety.forms"):
        assert not {name for name in imported if name.startswith(above)}, (path.name, above)
