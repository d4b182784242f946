"""When a repair ticket is overdue: one rule, in its two forms side by side.

An open ticket is overdue when nobody has started it by its start target, or when it is
not finished by its finish target (both fixed when it is filed, from the school's
service levels). ``overdue_q`` is the rule as an SQL filter (lists, counts, the filter,
the reminder's scan); ``missed_target`` the same rule on a ticket's values in Python (a
ticket's page, the list's rows read by ``ticket_rows``, the reminder's key). A test
holds them to agree (tests/repairs/test_overdue.py).
"""

from django.db.models import Q
from django.utils import timezone

from logistics.repairs.choices import OPEN_TICKET_STATUSES

RESPONSE, COMPLETION = "response", "completion"


def overdue_q(now=None):
    """Open tickets that missed their start or finish target at ``now`` (one SQL filter)."""
    now = now or timezone.now()
    return Q(status__in=OPEN_TICKET_STATUSES) & (
        Q(started_at__isnull=True, respond_by__lt=now) | Q(complete_by__lt=now)
    )


def missed_target(status, started_at, respond_by, complete_by, now):
    """Which target a ticket with these values has missed at ``now``: ``"response"``
    (nobody started it in time), ``"completion"`` (not finished in time) or ``""``."""
    if status not in OPEN_TICKET_STATUSES:
        return ""
    if started_at is None and now > respond_by:
        return RESPONSE
    if now > complete_by:
        return COMPLETION
    return ""
