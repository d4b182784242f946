"""Figures kept under a school's figures stamp (``School.figures_version``).

The stamp is raised in the transaction of every write to a record the figures count
(``logistics.services.organisation.figures_changed``), and it comes with the signed-in
user's school (no query), so figures kept under it are read with no statement until the
next change. A figure that changes with time alone (a ticket becomes overdue when its
target passes) is kept until the next such moment: ``compute`` returns it with the
figures, and the day is part of the key for those counted by date.
"""

import datetime

from django.core.cache import cache
from django.utils import timezone

# At most this long: a figure left stale by a write that raised no stamp ends then.
FIGURES_CACHE_SECONDS = 600


def figures_key(name, school, *parts):
    return ":".join(str(p) for p in ("figures", name, school.pk, school.figures_version, *parts))


def kept_figures(name, school, compute, *parts, now=None):
    """``compute()`` → ``(figures, changes_at)``, kept under ``name``, the school's
    stamp, ``parts`` and today's date until ``changes_at`` (an aware datetime, or None
    when only a write changes them) and for at most ``FIGURES_CACHE_SECONDS``."""
    now = now or timezone.now()
    key = figures_key(name, school, timezone.localdate(now), *parts)
    found = cache.get(key)
    if found is not None and (found[1] is None or now < found[1]):
        return found[0]
    figures, changes_at = compute()
    seconds = FIGURES_CACHE_SECONDS
    if changes_at is not None:
        seconds = min(seconds, max(1, int((changes_at - now).total_seconds()) + 1))
    cache.set(key, (figures, changes_at), seconds)
    return figures


def earliest(*moments):
    """The earliest of ``moments`` that are set (datetimes), or None."""
    found = [m for m in moments if isinstance(m, datetime.datetime)]
    return min(found) if found else None
