"""The reminder framework.

An app registers a rule (``registry.register_reminder(rule)``) whose ``due(now)`` yields
``Due`` items read from the database. The tick records each item in ``Reminder`` under a
unique (rule, key); only the call that creates that row notifies, so two beats, a repeated
tick or a redelivered task send nothing twice.
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


def reminders_run(now) -> int:
    """Evaluate every registered rule once; returns how many reminders were new."""
    from logistics.services.notifications import notify

    fired = 0
    for rule in list(registry.reminder_rules.values()):
        for item in rule.due(now):
            with transaction.atomic():
                recipients = list(item.recipients)
                try:
                    with transaction.atomic():
                        Reminder.objects.create(
                            school=item.school,
                            rule=rule.name,
                            key=item.key,
                            recipients=len(recipients),
                        )
                except IntegrityError:
                    continue
                if item.action is not None:
                    try:
                        with transaction.atomic():
                            item.action(item)
                    except Exception:
                        logger.exception("reminder %s:%s: its action failed", rule.name, item.key)
                        transaction.set_rollback(True)
                        continue
                notify(
                    recipients=recipients,
                    key=f"reminder:{rule.name}:{item.key}",
                    title=item.title,
                    body=item.body,
                    url=item.url,
                    school=item.school,
                    chat=item.chat,
                )
                fired += 1
    return fired
