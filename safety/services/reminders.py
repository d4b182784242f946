"""Reminders a service sends at once, exactly as the tick would send them.

The rules are the app's ``safety/reminders.py``, read by the tick; it builds on the
selectors and the printed documents, above the services. What a service needs of a rule
is here instead: its name, and the item it sends. ``logistics.common.reminders.fire``
records the item under the rule's name and its key, so whichever of the service and the
tick comes first sends it, and the other finds it sent.
"""

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from logistics.common import reminders
from safety.services.common import INSPECTION_DETAIL_URL, link

# The rules' names (``safety.reminders``), which key their reminders and notifications.
INSPECTION_ASSIGNED = "safety_inspection_assigned"
INSPECTION_OVERDUE = "safety_inspection_overdue"


def inspection_assigned_due(inspection):
    """The reminder that an inspection is to be done (its ``Due``)."""
    with translation.override(settings.LANGUAGE_CODE):
        return reminders.Due(
            school=inspection.school,
            key=str(inspection.pk),
            title=_("Inspection to do: %(checklist)s (%(period)s)")
            % {"checklist": inspection.template.name, "period": inspection.period_label},
            body=_("Due by %(time)s")
            % {"time": timezone.localtime(inspection.due_at).strftime("%Y-%m-%d %H:%M")},
            url=link(INSPECTION_DETAIL_URL, inspection.pk),
            recipients=[inspection.inspector],
        )


def inspection_assigned_now(inspection) -> bool:
    """Send the "to do" reminder of an inspection at once (one made by hand whose period
    has begun), under the rule's own key, so the tick does not send it again."""
    return reminders.fire(INSPECTION_ASSIGNED, inspection_assigned_due(inspection))
