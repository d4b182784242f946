"""School set-up: campuses, buildings, rooms, departments, semesters, school settings."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from logistics.choices import CurrentStatus
from logistics.common.submissions import create_once, school_record_save
from logistics.common.workflow import status_record
from logistics.models import Building, Campus, Department, Room, School, Semester
from logistics.services import reminders
from logistics.services.notifications import notifications_done

CAMPUS_FIELDS = ("name", "address", "is_active")
BUILDING_FIELDS = ("name", "code", "campus", "floors_above", "floors_below", "is_active")
ROOM_FIELDS = ("building", "floor", "number", "name", "kind", "capacity", "is_active")
DEPARTMENT_FIELDS = ("name", "is_active")
SEMESTER_FIELDS = ("academic_year", "term", "start_date", "end_date", "is_current")


def figures_changed(schools):
    """Raise ``School.figures_version`` of ``schools`` (a school, its id, or a queryset):
    a record their statistics count was written. Called in the writing transaction, so
    the stamp and the record change together."""
    if isinstance(schools, School | int):
        schools = School.objects.filter(pk=getattr(schools, "pk", schools))
    schools.update(figures_version=F("figures_version") + 1)


def _same_school(school, **objects):
    for field, obj in objects.items():
        if obj is not None and obj.school_id != school.pk:
            raise ValidationError({field: _("This belongs to another school.")})


campus_save = school_record_save(Campus, CAMPUS_FIELDS)
_building_save = school_record_save(Building, BUILDING_FIELDS)
_department_save = school_record_save(Department, DEPARTMENT_FIELDS)


def building_save(*, school, **data):
    _same_school(school, campus=data.get("campus"))
    building = _building_save(school=school, **data)
    figures_changed(school)  # the statistics name buildings
    return building


def room_check(*, school, instance=None, in_database=False, **fields):
    """The room ``room_save`` would write, checked but not saved (an import checks every
    row before it writes any); raises ``ValidationError``.

    ``in_database``: the table's constraints (a room number once per building, no floor
    0) and its building's existence (given as a row of the school) are left to the
    database, which checks them when the rows are written (an import of thousands of
    rooms: a query per row and constraint otherwise)."""
    unknown = set(fields) - set(ROOM_FIELDS)
    if unknown:
        raise TypeError(f"A room takes no {', '.join(sorted(unknown))} here")
    building = fields.get("building") or (instance.building if instance else None)
    _same_school(school, building=building)
    if building is not None and "floor" in fields:
        floor = fields["floor"]
        if floor is not None and not (-building.floors_below <= floor <= building.floors_above):
            raise ValidationError(
                {
                    "floor": _("%(building)s has floors %(low)s to %(high)s.")
                    % {
                        "building": building.name,
                        "low": -building.floors_below if building.floors_below else 1,
                        "high": building.floors_above,
                    }
                }
            )
    room = instance or Room()
    for name, value in fields.items():
        setattr(room, name, value)
    if in_database:
        room.full_clean(exclude=["building"], validate_unique=False, validate_constraints=False)
    else:
        room.full_clean()
    return room


def room_save(*, school, instance=None, submission_key=None, **fields):
    room = room_check(school=school, instance=instance, **fields)

    def create():
        room.submission_key = submission_key
        room.save()
        return room

    if instance is None:
        existing = Room.objects.for_school(school)
        room, _created = create_once(existing, submission_key, create)
    else:
        room.save()
    figures_changed(school)  # … and rooms
    return room


def department_save(*, school, **data):
    department = _department_save(school=school, **data)
    figures_changed(school)  # … and departments
    return department


@transaction.atomic
def semester_save(*, school, instance=None, actor=None, submission_key=None, **fields):
    """Create or change a semester; semesters of one school never overlap. The same form
    sent twice (its ``submission_key``) makes one semester.

    The school row is locked so two people saving at once cannot both pass the check.
    """
    School.objects.select_for_update().get(pk=school.pk)
    if instance is None and submission_key is not None:
        made = Semester.objects.filter(school=school, submission_key=submission_key).first()
        if made is not None:
            return made  # the same form, sent again (the lock above orders the two)
    unknown = set(fields) - set(SEMESTER_FIELDS)
    if unknown:
        raise TypeError(f"A semester takes no {', '.join(sorted(unknown))} here")
    semester = instance or Semester(school=school, submission_key=submission_key)
    for name, value in fields.items():
        setattr(semester, name, value)
    semester.school = school
    if semester.start_date and semester.end_date:
        overlapping = (
            Semester.objects.filter(
                school=school,
                start_date__lte=semester.end_date,
                end_date__gte=semester.start_date,
            )
            .exclude(pk=semester.pk)
            .first()
        )
        if overlapping:
            raise ValidationError(
                _("The dates overlap %(other)s (%(start)s – %(end)s).")
                % {
                    "other": overlapping.label,
                    "start": overlapping.start_date,
                    "end": overlapping.end_date,
                }
            )
    semester.full_clean(exclude=["is_current", "submission_key"])
    was_new = semester.pk is None
    make_current = semester.is_current
    semester.is_current = False if was_new else Semester.objects.get(pk=semester.pk).is_current
    semester.save()
    figures_changed(school)  # the home page shows the current semester
    if make_current and not semester.is_current:
        semester_make_current(semester=semester, actor=actor)
        semester.refresh_from_db()
    if semester.start_date:
        # A later semester exists now: "set up the next semester" asks no more.
        earlier = Semester.objects.filter(school=school, end_date__lt=semester.start_date)
        notifications_done(
            school=school,
            keys=[
                reminders.notification_key(
                    reminders.SEMESTER_ENDING, reminders.semester_ending_key(earlier_semester)
                )
                for earlier_semester in earlier.only("pk", "school_id")
            ],
        )
    return semester


@transaction.atomic
def semester_make_current(*, semester, actor=None):
    """Make ``semester`` its school's current one (and the previous one not)."""
    School.objects.select_for_update().get(pk=semester.school_id)
    previous = Semester.objects.filter(school_id=semester.school_id, is_current=True).first()
    if previous and previous.pk == semester.pk:
        return semester
    if previous:
        Semester.objects.filter(pk=previous.pk).update(is_current=False)
        status_record(
            previous,
            from_status=CurrentStatus.CURRENT,
            to_status=CurrentStatus.NOT_CURRENT,
            actor=actor,
            field="is_current",
        )
    Semester.objects.filter(pk=semester.pk).update(is_current=True)
    figures_changed(semester.school_id)  # the home page shows the current semester
    status_record(
        semester,
        from_status=CurrentStatus.NOT_CURRENT,
        to_status=CurrentStatus.CURRENT,
        actor=actor,
        field="is_current",
    )
    semester.is_current = True
    if semester.start_date <= timezone.localdate() <= semester.end_date:
        # A current semester covers today: "no current semester" asks no more.
        notifications_done(
            school=semester.school,
            prefixes=[
                reminders.notification_key(
                    reminders.NO_CURRENT_SEMESTER,
                    reminders.no_current_semester_prefix(semester.school_id),
                )
            ],
        )
    return semester


def school_settings_update(*, school, **fields):
    """Change the school's own settings; a chat webhook may only point at a robot."""
    from logistics.services.notifications import webhook_host_allowed

    for name, value in fields.items():
        setattr(school, name, value)
    if school.webhook_kind and not school.webhook_url:
        raise ValidationError({"webhook_url": _("Enter the robot's webhook address.")})
    if school.webhook_url and not webhook_host_allowed(school.webhook_url):
        raise ValidationError(
            {"webhook_url": _("Only WeCom and DingTalk robot addresses are accepted.")}
        )
    school.full_clean()
    school.save(update_fields=list(fields))
    return school
