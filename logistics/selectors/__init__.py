"""Reads of the core: scoped lists, counts for the home page, the district roll-up."""

import hashlib
import math

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.paginator import Page
from django.db.models import Count, Q, Window
from django.utils import timezone

from logistics.choices import Role
from logistics.common.figures import FIGURES_CACHE_SECONDS, kept_figures
from logistics.common.pagination import CountedPaginator
from logistics.models import (
    Building,
    Campus,
    Department,
    Notification,
    Room,
    School,
    Semester,
    StatusChange,
    User,
)
from logistics.selectors import sql


def campus_list(user):
    return Campus.objects.for_user(user).annotate(building_count=Count("buildings"))


def building_list(user):
    return (
        Building.objects.for_user(user).select_related("campus").annotate(room_count=Count("rooms"))
    )


def room_list(user):
    return Room.objects.for_user(user).select_related("building")


def room_ids(user):
    """The rooms ``user`` may read, bare: the list's page reads its ids, then its rows
    (``room_rows``)."""
    return Room.objects.for_user(user)


def room_rows(ids):
    """The rooms list's rows: one statement (``sql.room_rows``)."""
    return sql.room_rows(ids)


def room_count(user):
    """How many rooms ``user`` may read, kept under their school's figures stamp (raised
    by every write to a room or a building)."""
    if user.school is None or user.is_superuser:  # the school's count is not theirs
        return room_ids(user).count()
    return kept_figures("room-count", user.school, lambda: (room_ids(user).count(), None))


def department_list(user):
    return Department.objects.for_user(user).annotate(
        member_count=Count("members", filter=Q(members__is_active=True))
    )


def semester_list(user):
    return Semester.objects.for_user(user)


def person_list(user):
    return (
        User.objects.for_user(user)
        .select_related("department")
        .prefetch_related("groups", "trades")
    )


def person_ids(user):
    """The people ``user`` may read, bare: the list's page reads its ids, then its rows
    (``person_rows``)."""
    return User.objects.for_user(user)


def person_rows(ids):
    """The people list's rows with their department and roles: one statement
    (``sql.person_rows``)."""
    return sql.person_rows(ids)


def person_count(user):
    """How many people ``user`` may read, kept under their school's figures stamp
    (raised by every write to a person: created, imported, disabled or enabled)."""
    if user.school is None or user.is_superuser:  # the school's count is not theirs
        return person_ids(user).count()
    return kept_figures("person-count", user.school, lambda: (person_ids(user).count(), None))


def status_history(obj):
    """The status log of ``obj``, oldest first, in one query (who, when, from, to, note).

    ``ContentType.objects.get_for_model`` is cached; the actor and the content type (for
    the status labels) come with each row.
    """
    return StatusChange.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).select_related("actor", "content_type")


def semester_current(school):
    return Semester.objects.filter(school=school, is_current=True).first()


def unread_count(user, *, fresh=False):
    """The user's unread notifications; the count read with the signed-in user (see
    ``logistics.backends``) unless ``fresh``."""
    if not fresh and getattr(user, "unread_at_sign_in", None) is not None:
        return user.unread_at_sign_in
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_list(user):
    return Notification.objects.filter(recipient=user)


# Page numbers beyond this are past the end of any list (their offset is not computed).
MAX_PAGE_NUMBER = 10**6


def notification_page(user, number, *, unread_only=False, per_page=20):
    """A page of ``user``'s notifications (newest first), as ``Paginator.get_page``
    gives it (a bad number: the first page; past the end: the last), with the list's
    size read in the same statement (a window count) rather than by a ``COUNT`` of its
    own; a page past the end costs one more."""
    queryset = notification_list(user)
    if unread_only:
        queryset = queryset.filter(read_at__isnull=True)
    try:
        number = max(1, int(number))
    except (TypeError, ValueError):
        number = 1

    def rows(number):
        start = (number - 1) * per_page
        return list(queryset.annotate(list_size=Window(Count("pk")))[start : start + per_page])

    # A number no list reaches is past the end: counted first (no offset beyond a bigint).
    found = rows(number) if number <= MAX_PAGE_NUMBER else []
    if found:
        count = found[0].list_size
    else:
        count = queryset.count()
        last = max(1, math.ceil(count / per_page))
        if number > last:
            number = last
            found = rows(number) if count else []
    paginator = CountedPaginator(queryset, per_page, count=count)
    return Page(found, number, paginator)


def school_overview(school):
    """Counts for the home page of a school (one query per figure, constant)."""
    today = timezone.localdate()
    current = semester_current(school)
    return {
        "school": school,
        "semester": current,
        "semester_days_left": (current.end_date - today).days if current else None,
        "buildings": Building.objects.filter(school=school, is_active=True).count(),
        "rooms": Room.objects.filter(building__school=school, is_active=True).count(),
        "departments": Department.objects.filter(school=school, is_active=True).count(),
        "people": User.objects.filter(school=school, is_active=True).count(),
    }


def district_schools(user):
    """The schools a district viewer reads, with their size (``building_count``,
    ``people_count``).

    The list itself is one short statement; the sizes (a count over every building and
    person of the district) are kept under a key made of the schools' figures stamps
    (``School.figures_version``, read with the list), so they are counted again only
    after a write to a building or a person of one of them (or after
    ``FIGURES_CACHE_SECONDS``).
    """
    schools = list(
        School.objects.for_user(user)
        .filter(is_active=True)
        .only("id", "name", "figures_version")
        .order_by("name")
    )
    if not schools:
        return schools
    stamps = ",".join(f"{s.pk}.{s.figures_version}" for s in sorted(schools, key=lambda s: s.pk))
    key = "figures:district-sizes:" + hashlib.sha256(stamps.encode()).hexdigest()
    sizes = cache.get(key)
    if sizes is None:
        sizes = {
            pk: (buildings, people)
            for pk, buildings, people in School.objects.filter(pk__in=[s.pk for s in schools])
            .annotate(
                building_count=Count(
                    "buildings", filter=Q(buildings__is_active=True), distinct=True
                ),
                people_count=Count("people", filter=Q(people__is_active=True), distinct=True),
            )
            .values_list("pk", "building_count", "people_count")
        }
        cache.set(key, sizes, FIGURES_CACHE_SECONDS)
    for school in schools:
        school.building_count, school.people_count = sizes.get(school.pk, (0, 0))
    return schools


def people_with_role(school, role: Role):
    return User.objects.filter(school=school, is_active=True, groups__name=str(role)).distinct()
