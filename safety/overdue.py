"""When an inspection or a hazard is overdue: one rule each, in its two forms side by side.

- An inspection is overdue when it is still to do or in progress (not submitted, not
  cancelled) at or after its due time (the end of its period).
- A hazard is overdue when it is still to be rectified (reported or being rectified)
  after the day of its deadline.

``…_overdue_q`` is the rule as an SQL filter (the lists, the filters, the counts, the
reminders' scans); ``…_overdue`` the same rule on the record's values in Python (a
record's page, a list's row). A test holds each pair to agree
(tests/safety/test_overdue.py).
"""

from django.db.models import Q
from django.utils import timezone

from safety.choices import OPEN_HAZARD_STATUSES, OPEN_INSPECTION_STATUSES


def inspection_overdue_q(now=None):
    """Inspections not done (to do or in progress) at or after their due time."""
    now = now or timezone.now()
    return Q(status__in=OPEN_INSPECTION_STATUSES, due_at__lte=now)


def inspection_overdue(status, due_at, now):
    return status in OPEN_INSPECTION_STATUSES and now >= due_at


def hazard_overdue_q(today=None):
    """Hazards still to be rectified after their deadline (``today`` a local date). A
    hazard without a deadline is not overdue: false, not unknown, so that the flag a
    list computes with it (``is_overdue``) is False as in Python, not NULL."""
    today = today or timezone.localdate()
    return Q(status__in=OPEN_HAZARD_STATUSES, deadline__isnull=False, deadline__lt=today)


def hazard_overdue(status, deadline, today):
    return status in OPEN_HAZARD_STATUSES and deadline is not None and today > deadline
