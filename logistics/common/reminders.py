"""The reminder framework.

An app declares its rules in its ``reminders.py`` (``reminder_rules``); a rule's
``due(now)`` yields ``Due`` items read from the database. ``fire(rule, due)`` records an
item in ``Reminder`` under a unique (rule, key) and only the call that creates that row
tells anyone, so two beats, a repeated tick or a redelivered task send nothing twice. The
tick fires what every rule finds due; a service that must remind at once (an inspection
made by hand whose period has begun) fires the same rule's item itself, and the tick
then finds it sent. A service names the rule (its ``name``) rather than importing the
app's ``reminders`` module, which reads selectors and documents above the services.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction

from logistics.common.registry import registry
from logistics.models import Reminder, School

logger = logging.getLogger(__name__)


@dataclass
class Due:
    school: School
    key: str
    title: str
    recipients: Iterable[Any]
    body: str = ""
    url: str = ""
    chat: bool = False
    extra: dict = field(default_factory=dict)
    # ``action(item)`` runs once, right after the reminder is recorded and before anyone
    # is told, in the same transaction (e.g. asking for a document; it may set ``url``).
    # If it raises, nothing is recorded or sent: the next tick tries again.
    action: Callable[["Due"], Any] | None = None


class ReminderRule:
    """Subclass with a unique ``name`` and a ``due(now)`` that reads the database."""

    name: str = ""

    def due(self, now) -> Iterable[Due]:
        raise NotImplementedError


def fire(rule, due: Due) -> bool:
    """Send ``due`` once: record it under (the rule's name, its key) and, if this call
    recorded it, run its ``action`` and notify its recipients, all in one transaction.

    ``rule`` is a ``ReminderRule`` or its ``name``. Returns whether this call sent it
    (False: it was sent before, or its action failed and nothing was kept, so the next
    tick tries again).
    """
    from logistics.services.notifications import notify

    name = rule if isinstance(rule, str) else rule.name
    with transaction.atomic():
        recipients = list(due.recipients)
        try:
            with transaction.atomic():
                Reminder.objects.create(
                    school=due.school, rule=name, key=due.key, recipients=len(recipients)
                )
        except IntegrityError:
            return False
        if due.action is not None:
            try:
                with transaction.atomic():
                    due.action(due)
            except Exception:
                logger.exception("reminder %s:%s: its action failed", name, due.key)
                transaction.set_rollback(True)
                return False
        notify(
            recipients=recipients,
            key=notification_key(name, due.key),
            title=due.title,
            body=due.body,
            url=due.url,
            school=due.school,
            chat=due.chat,
        )
        return True


def notification_key(rule, key):
    """The key of the notification a reminder of ``rule`` (its name) sent under ``key``;
    a service marks it done with ``notifications_done`` when what it asked for is done."""
    return f"reminder:{rule}:{key}"


def reminders_run(now) -> int:
    """Evaluate every registered rule once and fire what is due; returns how many
    reminders were new."""
    fired = 0
    for rule in list(registry.reminder_rules.values()):
        for item in rule.due(now):
            fired += fire(rule, item)
    return fired
