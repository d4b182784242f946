"""The reminder framework.

An app registers a rule (``registry.register_reminder(rule)``) whose ``due(now)`` yields
``Due`` items read from the database. The tick records each item in ``Reminder`` under a
unique (rule, key); only the call that creates that row notifies, so two beats, a repeated
tick or a redelivered task send nothing twice.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction

from logistics.models import Reminder, School
from logistics.registry import registry


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
