"""Checklists and schedules: the default set, editing templates and items (items are
retired, never deleted), who inspects what and how often, and the tick job that creates
each period's inspection."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from logistics.common.submissions import save_once, school_record_save
from logistics.models import School, Semester
from safety.choices import Frequency, InspectionKind, SafetyArea
from safety.defaults import default_templates
from safety.models import ChecklistItem, ChecklistTemplate, Inspection, InspectionSchedule
from safety.services.common import check_person, check_room, day_end

TEMPLATE_FIELDS = ("name", "kind", "area", "description", "is_active")
ITEM_FIELDS = ("text", "guidance", "area", "sort_order")
SCHEDULE_FIELDS = (
    "template",
    "inspector",
    "frequency",
    "area",
    "rooms",
    "scope_note",
    "starts_on",
    "ends_on",
    "is_active",
)

_template_save = school_record_save(ChecklistTemplate, TEMPLATE_FIELDS)
_schedule_save = school_record_save(InspectionSchedule, SCHEDULE_FIELDS)

# --- Checklists ---------------------------------------------------------------------------


@transaction.atomic
def checklists_load_defaults(school):
    """Add the default checklists (``safety.defaults``) the school lacks; returns how many
    checklists were added.

    A default checklist is recognised by its key, so loading twice adds nothing, and a
    default the office has edited (renamed, items retired or added) is left as it is. A
    default whose name the school already uses for a checklist of its own is skipped.
    """
    existing = ChecklistTemplate.objects.filter(school=school)
    keys = set(existing.exclude(default_key="").values_list("default_key", flat=True))
    names = set(existing.values_list("name", flat=True))
    added = 0
    for key, name, kind, area, description, items in default_templates():
        if key in keys or name in names:
            continue
        template = ChecklistTemplate.objects.create(
            school=school,
            name=name,
            kind=kind,
            area=area,
            description=description,
            default_key=key,
        )
        ChecklistItem.objects.bulk_create(
            ChecklistItem(
                template=template,
                area=item_area,
                text=text,
                guidance=guidance,
                sort_order=(order + 1) * 10,
            )
            for order, (item_area, text, guidance) in enumerate(items)
        )
        added += 1
    return added


def checklist_template_save(*, school, instance=None, submission_key=None, **fields):
    """Create or change a checklist: ``name``, ``kind``, ``area`` (optional), ``description``,
    ``is_active`` (retire with False). Raises ``ValidationError``."""
    if instance is not None and instance.school_id != school.pk:
        raise ValidationError(_("This belongs to another school."))
    if "kind" in fields and fields["kind"] not in InspectionKind.values:
        raise ValidationError({"kind": _("Choose the kind of inspection.")})
    from logistics.services.organisation import figures_changed

    with transaction.atomic():
        template = _template_save(
            school=school, instance=instance, submission_key=submission_key, **fields
        )
        figures_changed(school)  # the inspections' cards name their checklist
    return template


def checklist_item_save(*, template, instance=None, submission_key=None, **fields):
    """Add or change an item of ``template``: ``text``, ``guidance``, ``area`` (defaults to
    the template's area), ``sort_order`` (defaults to after the last item).

    Changing an item does not change past inspections: their results keep the text they
    were answered against."""
    if instance is not None and instance.template_id != template.pk:
        raise ValidationError(_("This item belongs to another checklist."))
    if not fields.get("area") and instance is None:
        fields["area"] = template.area
    if fields.get("area") not in (None, *SafetyArea.values):
        raise ValidationError({"area": _("Choose the area.")})
    if instance is None and fields.get("sort_order") is None:
        last = template.items.order_by("-sort_order").values_list("sort_order", flat=True).first()
        fields["sort_order"] = (last or 0) + 10
    return save_once(
        instance or ChecklistItem(template=template),
        data=fields,
        fields=ITEM_FIELDS,
        existing=ChecklistItem.objects.filter(template=template),
        submission_key=submission_key,
    )


def checklist_item_retire(item):
    """Take an item out of use: new inspections no longer ask it; past results stay."""
    ChecklistItem.objects.filter(pk=item.pk).update(is_active=False)
    item.is_active = False
    return item


def checklist_item_restore(item):
    """Put a retired item back in use (refused if an item in use has the same text)."""
    item.is_active = True
    item.full_clean()
    ChecklistItem.objects.filter(pk=item.pk).update(is_active=True)
    return item


@transaction.atomic
def checklist_items_reorder(template, item_ids):
    """Put the template's items in the order of ``item_ids`` (others keep theirs, after)."""
    items = {i.pk: i for i in template.items.all()}
    order = [int(pk) for pk in item_ids if int(pk) in items]
    rest = [
        pk for pk, _i in sorted(items.items(), key=lambda p: p[1].sort_order) if pk not in order
    ]
    for position, pk in enumerate(order + rest):
        items[pk].sort_order = (position + 1) * 10
    ChecklistItem.objects.bulk_update(items.values(), ["sort_order"])


# --- Schedules ----------------------------------------------------------------------------


def inspection_schedule_save(*, school, instance=None, submission_key=None, **fields):
    """Create or change a schedule: ``template``, ``inspector``, ``frequency``, ``area``
    (optional), ``scope_note``, ``starts_on``, ``ends_on`` (optional), ``is_active``;
    ``rooms`` (optional) replaces its rooms. Retire a schedule with ``is_active=False``:
    its past inspections stay."""
    if instance is not None and instance.school_id != school.pk:
        raise ValidationError(_("This belongs to another school."))
    template = fields.get("template", instance.template if instance else None)
    if template is None or template.school_id != school.pk or not template.is_active:
        raise ValidationError({"template": _("Choose a checklist of this school that is in use.")})
    if "inspector" in fields or instance is None:
        check_person(school, fields.get("inspector"), "inspector")
    if fields.get("frequency", instance.frequency if instance else None) not in Frequency.values:
        raise ValidationError({"frequency": _("Choose how often.")})
    area = fields.get("area", instance.area if instance else "")
    if area and not template.items.filter(is_active=True, area=area).exists():
        raise ValidationError({"area": _("The checklist has no item of this area.")})
    for room in fields.get("rooms") or ():
        check_room(school, room, "rooms")
    with transaction.atomic():
        return _schedule_save(
            school=school, instance=instance, submission_key=submission_key, **fields
        )


def period_of(frequency, day, semester=None):
    """The ``(first, last)`` dates of the period of ``frequency`` that holds ``day``.

    Daily: the day; weekly: its ISO week, Monday to Sunday; monthly: its calendar month;
    once per term: ``semester`` (``(start_date, end_date)``), or None without one."""
    if frequency == Frequency.DAILY:
        return day, day
    if frequency == Frequency.WEEKLY:
        monday = day - datetime.timedelta(days=day.weekday())
        return monday, monday + datetime.timedelta(days=6)
    if frequency == Frequency.MONTHLY:
        first = day.replace(day=1)
        following = (first + datetime.timedelta(days=32)).replace(day=1)
        return first, following - datetime.timedelta(days=1)
    if frequency == Frequency.TERM:
        return tuple(semester) if semester else None
    raise ValueError(f"unknown frequency {frequency!r}")


def inspections_plan(now=None):
    """The tick job: make sure every schedule in use has its inspection for the period
    that holds ``now`` (local date); returns how many were created.

    The inspection of (schedule, period start) is unique, so a second tick, a second beat
    or two workers at once create nothing more. Past periods are not filled in. A
    once-per-term schedule needs a semester of its school covering today. Three queries
    whatever the number of schedules (plus the insert).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    schedules = list(
        InspectionSchedule.objects.filter(
            is_active=True,
            school__is_active=True,
            template__is_active=True,
            starts_on__lte=today,
        )
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .select_related("template")
        .order_by("pk")
    )
    if not schedules:
        return 0
    term_schools = {s.school_id for s in schedules if s.frequency == Frequency.TERM}
    semesters = {}
    if term_schools:
        for school_id, start, end in (
            Semester.objects.filter(
                school_id__in=term_schools, start_date__lte=today, end_date__gte=today
            )
            .order_by("school_id", "-start_date")
            .values_list("school_id", "start_date", "end_date")
        ):
            semesters.setdefault(school_id, (start, end))
    wanted = {}
    for schedule in schedules:
        period = period_of(schedule.frequency, today, semesters.get(schedule.school_id))
        if period is not None:
            wanted[(schedule.pk, period[0])] = (schedule, period)
    existing = set(
        Inspection.objects.filter(
            schedule_id__in={pk for pk, _start in wanted},
            period_start__in={start for _pk, start in wanted},
        ).values_list("schedule_id", "period_start")
    )
    rows = [
        Inspection(
            school_id=schedule.school_id,
            schedule=schedule,
            template=schedule.template,
            kind=schedule.template.kind,
            inspector_id=schedule.inspector_id,
            area=schedule.area,
            location=schedule.scope_note,
            period_start=start,
            period_end=end,
            due_at=day_end(end),
            created_at=now,
        )
        for key, (schedule, (start, end)) in wanted.items()
        if key not in existing
    ]
    # Two ticks at once: the unique constraint keeps one row, the other insert is ignored.
    Inspection.objects.bulk_create(rows, ignore_conflicts=True)
    if rows:  # written in bulk: no signal raised the figures stamp
        from logistics.services.organisation import figures_changed

        figures_changed(School.objects.filter(pk__in={row.school_id for row in rows}))
    return len(rows)
