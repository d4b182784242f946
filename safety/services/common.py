"""Helpers the safety services share: checks of people and places, links, who may."""

import datetime

from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from logistics.choices import Role
from logistics.common.dates import plausible_date
from logistics.common.workflow import PERMISSION, Refusal

# The pages the notifications link to, once the pages exist (a missing name gives no link).
HAZARD_DETAIL_URL = "safety_hazard_detail"
INSPECTION_DETAIL_URL = "safety_inspection_detail"


def link(url_name, *args):
    """The URL of a page, or "" while no such page is routed."""
    try:
        return reverse(url_name, args=args)
    except NoReverseMatch:
        return ""


def hazard_written(sender, instance, **kwargs):
    """A hazard (an inspection, a drill, an agreement) was saved or deleted (connected in
    ``safety.signals``): its school's figures changed, in the same transaction."""
    from logistics.services.organisation import figures_changed

    figures_changed(instance.school_id)


def text(value):
    return (value or "").strip()


def check_person(school, person, field, *, message=None):
    """``person`` must be an active user of ``school``."""
    if person is None or person.school_id != school.pk or not person.is_active:
        raise ValidationError({field: message or _("Choose an active person of this school.")})


def check_room(school, room, field="room"):
    if room is not None and (room.building.school_id != school.pk or not room.is_active):
        raise ValidationError({field: _("Choose a room of this school that is in use.")})


def check_department(school, department, field="department"):
    if department is not None and (department.school_id != school.pk or not department.is_active):
        raise ValidationError({field: _("Choose an active department of this school.")})


def same_school(actor, school_id):
    return actor.is_superuser or actor.school_id == school_id


def holds(perm):
    """Who may: ``perm`` (``safety.<codename>``) in the school of the record (a
    ``may(actor, obj)`` predicate for a step's declaration)."""

    def may(actor, obj):
        return same_school(actor, obj.school_id) and actor.has_perm(perm)

    may.__name__ = f"holds {perm}"
    return may


def require(actor, school_id, perm, message):
    """``actor`` must hold ``perm`` (``safety.<codename>``) in the school of the object."""
    if not (same_school(actor, school_id) and actor.has_perm(perm)):
        raise Refusal(message, PERMISSION)


def day_end(day):
    """The aware moment a local date ends (the next day's midnight, ``TIME_ZONE``)."""
    tz = timezone.get_default_timezone()
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min), tz
    )


def verifiers(school):
    """Who is asked to check rectified hazards: the school's general affairs office."""
    from logistics.selectors import people_with_role

    return people_with_role(school, Role.GENERAL_AFFAIRS)


def as_date(value, field):
    """``value`` as a date a school can mean (``logistics.common.fields``), else a
    ``ValidationError`` on ``field``."""
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value) if timezone.is_aware(value) else value.date()
    elif isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            value = None
    if isinstance(value, datetime.date):
        return plausible_date(value, field)
    raise ValidationError({field: _("Enter a valid date.")})
