"""Inspecting: starting an inspection, answering its items, submitting it.

Each step takes the inspection under a row lock, checks its status and the actor, and
records every change of status. Hazards are made when the inspection is submitted, so a
draft can be corrected freely: each "hazard" answer then creates a hazard pre-filled from
the item (category = the item's area, description, room or place, photo, level), or links
the open hazard already found for the same item at the same place — the same room, or,
without a room, the same typed place (case and spacing aside) — so a daily patrol
finding yesterday's unfixed hazard again does not report it twice: the finding (its note,
photo and inspection) is recorded in that hazard's history, and a more severe level
raises the hazard's level. A hazard of the same item elsewhere is a hazard of its own.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from logistics.common.submissions import create_once
from logistics.common.workflow import Refusal, Workflow, status_record, transition
from logistics.services.notifications import notifications_done, notify
from safety.choices import (
    OPEN_INSPECTION_STATUSES,
    UNRESOLVED_HAZARD_STATUSES,
    HazardLevel,
    HazardPhotoKind,
    HazardStatus,
    InspectionKind,
    InspectionStatus,
    Outcome,
)
from safety.models import (
    ChecklistItem,
    Hazard,
    HazardPhoto,
    Inspection,
    InspectionResult,
)
from safety.services.common import (
    HAZARD_DETAIL_URL,
    check_person,
    check_room,
    day_end,
    holds,
    link,
    require,
    same_school,
    text,
    verifiers,
)
from safety.services.hazards import notify_reported
from safety.uploads import INSPECTION_PHOTOS, StoredFiles, files_delete_on_commit, photo_store

# How many unanswered items the refusal names.
UNANSWERED_NAMED = 5


inspection_steps = Workflow(
    Inspection,
    lock=Inspection.objects.select_related(
        "school", "template", "inspector", "room__building", "schedule"
    ),
)
FORMS = "safety.forms.inspections"
ONLY_INSPECTOR = gettext_lazy("Only the inspector of this inspection can do this.")


def may_work(actor, inspection):
    """The inspector, or someone of the school who may change inspections (general
    affairs, the safety officers covering for each other)."""
    return inspection.inspector_id == actor.pk or (
        same_school(actor, inspection.school_id) and actor.has_perm("safety.change_inspection")
    )


def _already_submitted(actor, inspection):
    if inspection.status == InspectionStatus.SUBMITTED:
        return Refusal(_("This inspection was already submitted."), "done")
    return None


@transaction.atomic
def inspection_create(
    *,
    school,
    template,
    inspector,
    actor,
    kind=None,
    area="",
    room=None,
    location="",
    period_start=None,
    period_end=None,
    now=None,
    submission_key=None,
):
    """An inspection by hand (a special or start-of-term inspection, not from a schedule):
    by someone who may add inspections; due at the end of ``period_end`` (today if not
    given). Returns the inspection, to do (``planned``); the same form sent twice (its
    ``submission_key``) plans it once."""
    require(actor, school.pk, "safety.add_inspection", _("You cannot plan inspections."))
    if template.school_id != school.pk or not template.is_active:
        raise ValidationError({"template": _("Choose a checklist of this school that is in use.")})
    check_person(school, inspector, "inspector")
    check_room(school, room)
    kind = kind or template.kind
    if kind not in InspectionKind.values:
        raise ValidationError({"kind": _("Choose the kind of inspection.")})
    now = now or timezone.now()
    period_start = period_start or timezone.localdate(now)
    period_end = period_end or period_start
    if period_end < period_start:
        raise ValidationError({"period_end": _("The period cannot end before it starts.")})
    if area and not template.items.filter(is_active=True, area=area).exists():
        raise ValidationError({"area": _("The checklist has no item of this area.")})

    def create():
        inspection = Inspection.objects.create(
            school=school,
            template=template,
            kind=kind,
            inspector=inspector,
            area=area,
            room=room,
            location=text(location),
            period_start=period_start,
            period_end=period_end,
            due_at=day_end(period_end),
            created_at=now,
            submission_key=submission_key,
        )
        status_record(inspection, from_status="", to_status=InspectionStatus.PLANNED, actor=actor)
        if period_start <= timezone.localdate(now):
            # Told at once, under the reminder's own key (the tick will not tell again); a
            # later period is told by the tick when it begins.
            from safety.services.reminders import inspection_assigned_now

            inspection_assigned_now(inspection)
        return inspection

    inspection, _created = create_once(
        Inspection.objects.for_school(school), submission_key, create
    )
    return inspection


@inspection_steps.step(
    "start",
    statuses=[InspectionStatus.PLANNED],
    may=may_work,
    refusal=ONLY_INSPECTOR,
    to=[InspectionStatus.DRAFT],
    message=gettext_lazy("Inspection started: answer each item below."),
)
@transaction.atomic
def inspection_start(inspection, *, actor, now=None):
    """Start an inspection to do: its result rows are made from the checklist's items in
    use (those of its area, if it has one). Returns the inspection, in progress."""
    inspection = inspection_steps.begin("start", inspection, actor=actor)
    items = ChecklistItem.objects.filter(template=inspection.template, is_active=True)
    if inspection.area:
        items = items.filter(area=inspection.area)
    items = list(items.order_by("sort_order", "pk"))
    if not items:
        raise Refusal(_("The checklist has no items in use."), "empty")
    InspectionResult.objects.bulk_create(
        InspectionResult(
            inspection=inspection,
            item=item,
            area=item.area,
            text=item.text,
            sort_order=item.sort_order,
        )
        for item in items
    )
    transition(
        inspection,
        InspectionStatus.DRAFT,
        actor=actor,
        fields={"started_at": now or timezone.now()},
    )
    return inspection


# Answering is done item by item on the inspection's own page (each item's form).
@inspection_steps.step(
    "record",
    statuses=[InspectionStatus.DRAFT],
    may=may_work,
    refusal=ONLY_INSPECTOR,
    posted=False,
)
def inspection_record_result(
    inspection,
    item,
    outcome,
    note="",
    photo=None,
    *,
    actor,
    hazard_level=HazardLevel.GENERAL,
    room=None,
    location="",
    remove_photo=False,
    now=None,
):
    """Answer one item of an inspection in progress: ``outcome`` ok / hazard / na, a note,
    an optional photo (an upload or a ``CleanImage``; a new one replaces the draft's).

    A hazard needs a note saying what is wrong, its level, and where it is: ``room`` or
    ``location`` here, else the inspection's room or place. Answering again overwrites
    the answer (the inspection is a draft until submitted). Returns the result."""
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose OK, hazard or not applicable.")})
    note = text(note)
    location = text(location)
    if outcome == Outcome.HAZARD:
        if not note:
            raise ValidationError({"note": _("Describe the hazard.")})
        if hazard_level not in HazardLevel.values:
            raise ValidationError({"hazard_level": _("Choose the level of the hazard.")})
    with StoredFiles() as files, transaction.atomic():
        inspection = inspection_steps.begin("record", inspection, actor=actor)
        item_id = item.pk if isinstance(item, ChecklistItem) else item
        try:
            result = InspectionResult.objects.select_for_update().get(
                inspection=inspection, item_id=item_id
            )
        except InspectionResult.DoesNotExist:
            raise Refusal(_("This item is not part of the inspection."), "item") from None
        check_room(inspection.school, room)
        if outcome == Outcome.HAZARD and not (
            room or location or inspection.room_id or inspection.location
        ):
            raise ValidationError({"location": _("Say where the hazard is: a room or a place.")})
        replaced = ""
        if photo is not None:
            stored = files.add(photo_store(photo, INSPECTION_PHOTOS))
            replaced = result.photo
            result.photo, result.photo_width, result.photo_height = (
                stored.name,
                stored.width,
                stored.height,
            )
        elif remove_photo:
            replaced = result.photo
            result.photo, result.photo_width, result.photo_height = "", None, None
        is_hazard = outcome == Outcome.HAZARD
        result.outcome = outcome
        result.note = note
        result.hazard_level = hazard_level if is_hazard else ""
        result.room = room if is_hazard else None
        result.location = location if is_hazard else ""
        result.recorded_by = actor
        result.recorded_at = now or timezone.now()
        result.save()
        files_delete_on_commit([replaced])
    return result


def same_place(a, b):
    """Two typed places name the same place: compared without case and with the white
    space normalised ("东门 岗亭" and "东门  岗亭 " are one place)."""
    return " ".join((a or "").split()).casefold() == " ".join((b or "").split()).casefold()


def _open_hazard_of(school, item_id, room, location):
    """The open hazard already found for this checklist item at this place — in the same
    room, or, without a room, at the same typed place — or None."""
    candidates = Hazard.objects.select_for_update().filter(
        school=school,
        source_item_id=item_id,
        room=room,
        status__in=UNRESOLVED_HAZARD_STATUSES,
    )
    for hazard in candidates.order_by("found_at", "pk"):
        if room is not None or same_place(hazard.location, location):
            return hazard
    return None


# The more severe of two levels wins when a hazard is found again.
LEVEL_RANK = {HazardLevel.GENERAL: 0, HazardLevel.MAJOR: 1}


def notify_raised(hazard, record):
    """Tell general affairs (and the group chat) that an open hazard is now major."""
    notify(
        recipients=verifiers(hazard.school),
        key=f"safety:hazard:{hazard.pk}:major:{record.pk}",
        title=_("Hazard now major: %(category)s · %(where)s")
        % {"category": hazard.get_category_display(), "where": hazard.where},
        body=record.note[:200],
        url=link(HAZARD_DETAIL_URL, hazard.pk),
        school=hazard.school,
        chat=True,
    )


def _found_again(hazard, result, inspection, actor):
    """Record on an open hazard that an inspection found it again: the finding (who,
    which inspection, the new note and place) in its history, and a more severe level
    raised (recorded as a change of level)."""
    who = result.recorded_by or actor
    lines = [
        _("Found again in the inspection “%(inspection)s” (%(period)s).")
        % {"inspection": inspection.template.name, "period": inspection.period_label},
        result.note,
    ]
    if result.location and not same_place(result.location, hazard.location):
        lines.append(_("Place given: %(place)s") % {"place": result.location})
    status_record(
        hazard,
        from_status="",
        to_status=str(inspection.pk),
        actor=who,
        field="found_again",
        note="\n".join(line for line in lines if line),
    )
    level = result.hazard_level or HazardLevel.GENERAL
    if LEVEL_RANK.get(level, 0) > LEVEL_RANK.get(hazard.level, 0):
        record = status_record(
            hazard,
            from_status=hazard.level,
            to_status=level,
            actor=who,
            field="level",
            note=_("Found at this level in the inspection “%(inspection)s”.")
            % {"inspection": inspection.template.name},
        )
        hazard.level = level
        hazard.save(update_fields=["level"])
        if level == HazardLevel.MAJOR:
            notify_raised(hazard, record)


def _hazard_for(result, inspection, actor):
    """Create the hazard of a "hazard" answer, or link the open one of the same item at
    the same place (see ``_open_hazard_of``) and record the finding on it; returns
    ``(hazard, created)``."""
    room = result.room or inspection.room
    location = result.location or ("" if result.room else inspection.location)
    existing = _open_hazard_of(inspection.school, result.item_id, room, location)
    if existing is not None:
        hazard, created = existing, False
        _found_again(hazard, result, inspection, actor)
    else:
        hazard = Hazard.objects.create(
            school=inspection.school,
            level=result.hazard_level or HazardLevel.GENERAL,
            category=result.area,
            description=f"{result.text}：{result.note}",
            room=room,
            location=location,
            found_by=result.recorded_by or actor,
            found_at=result.recorded_at or timezone.now(),
            inspection=inspection,
            source_item_id=result.item_id,
        )
        status_record(
            hazard,
            from_status="",
            to_status=HazardStatus.REPORTED,
            actor=result.recorded_by or actor,
            note=_("Found in the inspection “%(inspection)s”") % {"inspection": inspection},
        )
        created = True
    if result.photo:
        HazardPhoto.objects.get_or_create(
            image=result.photo,
            defaults={
                "hazard": hazard,
                "kind": HazardPhotoKind.FOUND,
                "width": result.photo_width or 0,
                "height": result.photo_height or 0,
                "uploaded_by": result.recorded_by or actor,
            },
        )
    result.hazard = hazard
    result.save(update_fields=["hazard"])
    return hazard, created


def _submitted_message(inspection, result, data):
    """What the inspector is told: the hazards reported, and those already open."""
    _inspection, hazards = result
    if not hazards:
        return _("Inspection submitted: no hazards found.")
    new = [h for h in hazards if h.inspection_id == inspection.pk]
    again = [h for h in hazards if h.inspection_id != inspection.pk]
    done = ngettext(
        "Inspection submitted: %(count)s hazard reported to the office.",
        "Inspection submitted: %(count)s hazards reported to the office.",
        len(new),
    ) % {"count": len(new)}
    for hazard in again:
        done += " " + same_hazard_text(hazard)
    return done


def same_hazard_text(hazard):
    """What an inspector is told of an answer recorded as a hazard already open."""
    return _("Recorded as the same hazard as #%(number)s, already open since %(date)s.") % {
        "number": hazard.pk,
        "date": timezone.localtime(hazard.found_at).strftime("%Y-%m-%d"),
    }


@inspection_steps.step(
    "submit",
    statuses=[InspectionStatus.DRAFT],
    may=may_work,
    refusal=ONLY_INSPECTOR,
    status_refusal=_already_submitted,
    to=[InspectionStatus.SUBMITTED],
    form=f"{FORMS}.SubmitForm",
    form_errors=["unanswered"],
    message=_submitted_message,
)
@transaction.atomic
def inspection_submit(inspection, *, actor, summary="", now=None):
    """Submit an inspection in progress; every item must be answered.

    Each "hazard" answer creates a hazard (or links the open one of the same item and
    room, see the module doc); general affairs is told of each new one. Returns
    ``(inspection, hazards)``: the hazards created or linked, in checklist order.
    Raises ``ValidationError`` (code ``unanswered``) naming the unanswered items."""
    inspection = inspection_steps.begin("submit", inspection, actor=actor)
    results = list(
        InspectionResult.objects.filter(inspection=inspection)
        .select_for_update()
        .order_by("sort_order", "pk")
    )
    unanswered = [r.text for r in results if not r.outcome]
    if unanswered:
        named = "；".join(unanswered[:UNANSWERED_NAMED])
        if len(unanswered) > UNANSWERED_NAMED:
            named += "…"
        raise Refusal(
            ngettext(
                "%(count)s item is not answered yet: %(items)s",
                "%(count)s items are not answered yet: %(items)s",
                len(unanswered),
            )
            % {"count": len(unanswered), "items": named},
            "unanswered",
        )
    hazards, created = [], []
    for result in results:
        if result.outcome == Outcome.HAZARD:
            hazard, new = _hazard_for(result, inspection, actor)
            hazards.append(hazard)
            if new:
                created.append(hazard)
    note = (
        ngettext("%(count)s hazard found", "%(count)s hazards found", len(hazards))
        % {"count": len(hazards)}
        if hazards
        else _("No hazards")
    )
    transition(
        inspection,
        InspectionStatus.SUBMITTED,
        actor=actor,
        note=note,
        fields={"summary": text(summary), "submitted_at": now or timezone.now()},
    )
    for hazard in created:
        notify_reported(hazard)
    _reminders_done(inspection)
    return inspection, hazards


def _reminders_done(inspection):
    """Submitted or cancelled: "inspection to do" and "inspection overdue" ask no more."""
    from safety.services.reminders import INSPECTION_ASSIGNED, INSPECTION_OVERDUE

    notifications_done(
        school=inspection.school,
        keys=[
            f"reminder:{rule}:{inspection.pk}" for rule in (INSPECTION_ASSIGNED, INSPECTION_OVERDUE)
        ],
    )


@inspection_steps.step(
    "cancel",
    statuses=OPEN_INSPECTION_STATUSES,
    may=holds("safety.cancel_inspection"),
    refusal=gettext_lazy("You cannot cancel inspections."),
    to=[InspectionStatus.CANCELLED],
    form=f"{FORMS}.CancelForm",
    message=gettext_lazy("Inspection cancelled."),
)
@transaction.atomic
def inspection_cancel(inspection, *, actor, reason):
    """General affairs cancels an inspection that will not be done (a holiday, a schedule
    set up by mistake), with the reason. It is kept, and no longer reminded."""
    inspection = inspection_steps.begin("cancel", inspection, actor=actor)
    reason = text(reason)
    if not reason:
        raise ValidationError({"reason": _("Say why the inspection is cancelled.")})
    transition(inspection, InspectionStatus.CANCELLED, actor=actor, note=reason)
    _reminders_done(inspection)
    return inspection
