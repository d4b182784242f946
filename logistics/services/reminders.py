"""What the core's services need of its reminder rules (``logistics/reminders.py``, read
by the tick, above the services): the rules' names and the keys their notifications carry,
so that a service can mark a reminder done when what it asked for is done."""

from logistics.common.reminders import notification_key  # noqa: F401 - for the services

# The rules' names, which key their reminders and notifications.
SEMESTER_ENDING = "semester_ending"
NO_CURRENT_SEMESTER = "no_current_semester"


def semester_ending_key(semester):
    """The key of "set up the next semester" for ``semester`` (its ``Due.key``)."""
    return f"{semester.school_id}:{semester.pk}"


def no_current_semester_prefix(school_id):
    """The start of the keys of "no current semester" for a school (one a week)."""
    return f"{school_id}:"
