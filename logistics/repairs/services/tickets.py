"""Repair tickets: filing, dispatch, work, confirmation — the rules of every step.

Each step is declared once, on its service (``ticket_steps``, see
``logistics.common.workflow``): the statuses it is allowed from, who may take it, its
form and its success message. The ticket's page offers the steps the declaration allows
(``ticket_steps.offered``); the service takes the ticket under a row lock and checks
the same declaration (``ticket_steps.begin``), changes it, and records the change (who,
when, from, to, note). Two people acting at once are serialised by the lock: the second
one is told what happened.
"""

import contextlib
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from logistics.choices import Role, Trade
from logistics.common.submissions import create_once, school_record_save
from logistics.common.uploads import image_store
from logistics.common.workflow import PERMISSION, Refusal, Workflow, status_record, transition
from logistics.models import School
from logistics.repairs.choices import (
    OPEN_TICKET_STATUSES,
    DamageCause,
    PhotoKind,
    TicketStatus,
    Urgency,
)
from logistics.repairs.models import (
    DispatchRule,
    Material,
    RepairCategory,
    Ticket,
    TicketMaterial,
    TicketPhoto,
)
from logistics.services.notifications import notifications_done, notify
from logistics.services.organisation import figures_changed

MAX_PHOTOS = 3
MEDIA_PREFIX = "repairs"

# Loaded for a school that has no categories yet (总务处 edits them afterwards).
DEFAULT_CATEGORIES = {
    Trade.PLUMBING: ["漏水", "堵塞", "水龙头", "马桶/蹲便器", "水管", "热水器", "其他"],
    Trade.ELECTRICAL: ["灯具", "开关插座", "跳闸断电", "电扇", "线路", "其他"],
    Trade.CARPENTRY: ["门窗", "门锁", "课桌椅", "柜子", "床铺", "其他"],
    Trade.AIR_CONDITIONING: ["不制冷/不制热", "漏水", "噪音", "遥控器", "其他"],
    Trade.NETWORK: ["无法上网", "网口/网线", "多媒体设备", "广播", "监控", "其他"],
    Trade.GENERAL: ["墙面地面", "玻璃", "窗帘", "黑板", "屋顶渗漏", "其他"],
}


def ticket_written(sender, instance, **kwargs):
    """A ticket was saved or deleted (connected in ``logistics.wiring``): its school's
    figures changed (the home cards' counts), in the same transaction."""
    figures_changed(instance.school_id)


def ticket_material_written(sender, instance, **kwargs):
    """A ticket's material was saved or deleted (connected in ``logistics.wiring``): the
    school's figures changed (the statistics' materials), in the same transaction."""
    figures_changed(School.objects.filter(tickets=instance.ticket_id))


def ticket_counts_refresh(schools=None):
    """Recount ``School.ticket_count`` (after tickets were written in bulk: demo, bench)
    and raise the figures stamp."""
    from django.db.models import Count, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    counts = (
        Ticket.objects.filter(school=OuterRef("pk"))
        .order_by()
        .values("school")
        .annotate(n=Count("pk"))
        .values("n")
    )
    queryset = School.objects.all() if schools is None else schools
    # Written in bulk, no ticket raised the figures stamp: raise it here.
    return queryset.update(
        ticket_count=Coalesce(Subquery(counts), 0), figures_version=F("figures_version") + 1
    )


def repair_categories_load_defaults(school):
    """Add the default categories the school lacks; returns how many were added."""
    existing = set(RepairCategory.objects.filter(school=school).values_list("trade", "name"))
    rows = [
        RepairCategory(school=school, trade=trade, name=name, sort_order=order)
        for trade, names in DEFAULT_CATEGORIES.items()
        for order, name in enumerate(names)
        if (str(trade), name) not in existing
    ]
    RepairCategory.objects.bulk_create(rows)
    if rows:
        figures_changed(school)  # the filing form's choices (see ``repair_category_save``)
    return len(rows)


# --- Set-up: categories, dispatch rules, the materials catalogue ----------------------

CATEGORY_FIELDS = ("trade", "name", "sort_order", "is_active")
RULE_FIELDS = ("trade", "building", "technician", "is_active")
MATERIAL_FIELDS = ("name", "spec", "unit", "unit_cost", "trade", "is_active")

_repair_category_save = school_record_save(RepairCategory, CATEGORY_FIELDS)
_material_save = school_record_save(Material, MATERIAL_FIELDS)


@transaction.atomic
def repair_category_save(*, school, **data):
    """Create or change a repair category of ``school``. Its figures stamp is raised:
    the pages keep what shows categories under it (a ticket's facts)."""
    category = _repair_category_save(school=school, **data)
    figures_changed(school)
    return category


@transaction.atomic
def material_save(*, school, **data):
    """Create or change an item of ``school``'s materials catalogue. Its figures stamp is
    raised: a ticket's page keeps its steps' forms (the catalogue's choices) under it."""
    material = _material_save(school=school, **data)
    figures_changed(school)
    return material


_dispatch_rule_save = school_record_save(DispatchRule, RULE_FIELDS)


def _check_technician(school, technician, trade=None, field="technician"):
    if (
        technician is None
        or technician.school_id != school.pk
        or not technician.is_active
        or not technician.has_role(Role.TECHNICIAN)
    ):
        raise ValidationError({field: _("Choose an active technician of this school.")})


def dispatch_rule_save(*, school, instance=None, submission_key=None, **data):
    _check_technician(school, data.get("technician"))
    building = data.get("building")
    if building is not None and building.school_id != school.pk:
        raise ValidationError({"building": _("This belongs to another school.")})
    return _dispatch_rule_save(
        school=school, instance=instance, submission_key=submission_key, **data
    )


def dispatch_rule_match(school, trade, building_id):
    """The technician the rules give a new ticket of ``trade`` in ``building_id``, or None."""
    rules = (
        DispatchRule.objects.filter(
            school=school,
            trade=trade,
            is_active=True,
            technician__is_active=True,
            technician__groups__name=Role.TECHNICIAN,
        )
        .filter(building_id__in=[building_id])
        .select_related("technician")
    )
    rule = rules.first()
    if rule is None:
        rule = (
            DispatchRule.objects.filter(
                school=school,
                trade=trade,
                building__isnull=True,
                is_active=True,
                technician__is_active=True,
                technician__groups__name=Role.TECHNICIAN,
            )
            .select_related("technician")
            .first()
        )
    return rule.technician if rule else None


# --- Filing -----------------------------------------------------------------------------


def service_targets(school, urgency, start):
    """The (start by, finish by) times of a ticket of ``urgency`` filed at ``start``."""
    if urgency == Urgency.URGENT:
        response, completion = (
            school.repair_response_hours_urgent,
            (school.repair_complete_hours_urgent),
        )
    else:
        response, completion = (
            school.repair_response_hours_normal,
            (school.repair_complete_hours_normal),
        )
    return start + timedelta(hours=response), start + timedelta(hours=completion)


def _store_photos(ticket, photos, kind, actor):
    """Store the pictures under new names and record them; the caller deletes the files
    (``_delete_files``) if its transaction does not commit."""
    stored = []
    try:
        for image in photos:
            stored.append(image_store(image, prefix=MEDIA_PREFIX))
        TicketPhoto.objects.bulk_create(
            TicketPhoto(
                ticket=ticket,
                kind=kind,
                image=saved.name,
                width=saved.width,
                height=saved.height,
                uploaded_by=actor,
            )
            for saved in stored
        )
    except BaseException:
        _delete_files([s.name for s in stored])
        raise
    return stored


def _delete_files(names):
    from django.core.files.storage import default_storage

    for name in names:
        with contextlib.suppress(OSError):
            default_storage.delete(name)


def _notify_assigned(ticket, change):
    notify(
        recipients=[ticket.assignee],
        key=f"ticket:{ticket.pk}:assigned:{change.pk}",
        title=_("Repair #%(number)s assigned to you: %(room)s")
        % {"number": ticket.pk, "room": ticket.room},
        body=ticket.description[:200],
        url=reverse("ticket_detail", args=[ticket.pk]),
        school=ticket.school,
        chat=ticket.urgency == Urgency.URGENT,
    )


def _notify_dispatchers(ticket):
    from logistics.selectors import people_with_role

    notify(
        recipients=people_with_role(ticket.school, Role.GENERAL_AFFAIRS),
        key=f"ticket:{ticket.pk}:dispatch",
        title=_("Repair #%(number)s needs a technician: %(room)s")
        % {"number": ticket.pk, "room": ticket.room},
        body=ticket.description[:200],
        url=reverse("ticket_detail", args=[ticket.pk]),
        school=ticket.school,
        chat=ticket.urgency == Urgency.URGENT,
    )


def ticket_file(
    *,
    requester,
    room,
    trade,
    description,
    photos,
    urgency=Urgency.NORMAL,
    category=None,
    contact_phone="",
    submission_key=None,
    now=None,
):
    """File a repair request; returns ``(ticket, created)``.

    A second call with the requester's same ``submission_key`` (a double submit)
    returns the first ticket and stores nothing. The rules assign it at once when one
    matches its trade and building; otherwise general affairs is asked to dispatch it.
    """
    school = requester.school
    errors = {}
    if school is None:
        raise Refusal(_("Your account does not belong to a school."), PERMISSION)
    if room is None or room.building.school_id != school.pk or not room.is_active:
        errors["room"] = _("Choose a room of your school that is in use.")
    if trade not in Trade.values:
        errors["trade"] = _("Choose what kind of repair this is.")
    if category is not None and (
        category.school_id != school.pk or category.trade != trade or not category.is_active
    ):
        errors["category"] = _("This category is not one of the chosen trade.")
    if not (description or "").strip():
        errors["description"] = _("Describe what is wrong.")
    if urgency not in Urgency.values:
        errors["urgency"] = _("Choose how urgent it is.")
    photos = list(photos or [])
    if not 1 <= len(photos) <= MAX_PHOTOS:
        errors["photos"] = _("Add one to three photos.")
    if errors:
        raise ValidationError(errors)

    now = now or timezone.now()
    respond_by, complete_by = service_targets(school, urgency, now)

    def create():
        stored_names = []
        try:
            with transaction.atomic():
                ticket = Ticket.objects.create(
                    school=school,
                    requester=requester,
                    contact_phone=(contact_phone or "").strip(),
                    room=room,
                    trade=trade,
                    category=category,
                    description=description.strip(),
                    urgency=urgency,
                    created_at=now,
                    respond_by=respond_by,
                    complete_by=complete_by,
                    submission_key=submission_key,
                )
                School.objects.filter(pk=school.pk).update(ticket_count=F("ticket_count") + 1)
                stored_names.extend(
                    s.name for s in _store_photos(ticket, photos, PhotoKind.REPORT, requester)
                )
                status_record(
                    ticket, from_status="", to_status=TicketStatus.SUBMITTED, actor=requester
                )
                technician = dispatch_rule_match(school, trade, room.building_id)
                if technician is not None:
                    change = transition(
                        ticket,
                        TicketStatus.ASSIGNED,
                        actor=None,
                        note=_("Assigned by rule to %(name)s") % {"name": technician},
                        fields={"assignee": technician, "assigned_at": now},
                    )
                    _notify_assigned(ticket, change)
                else:
                    _notify_dispatchers(ticket)
        except BaseException:
            _delete_files(stored_names)
            raise
        return ticket

    return create_once(Ticket.objects.filter(requester=requester), submission_key, create)


# --- Steps --------------------------------------------------------------------------------

ticket_steps = Workflow(
    Ticket,
    lock=Ticket.objects.select_related("school", "room__building", "assignee", "requester"),
    status_message=gettext_lazy(
        "This ticket is now “%(status)s”: this step is no longer possible."
    ),
)

FORMS = "logistics.repairs.forms.tickets"
WORKING = (TicketStatus.IN_PROGRESS, TicketStatus.ON_HOLD)
ONLY_ASSIGNEE = gettext_lazy("Only the technician this ticket is assigned to can do this.")


def may_dispatch(actor, ticket):
    """General affairs of the ticket's school."""
    return actor.school_id == ticket.school_id and actor.has_perm("logistics.dispatch_ticket")


def may_work(actor, ticket):
    """A technician of the ticket's school."""
    return actor.school_id == ticket.school_id and actor.has_perm("logistics.work_ticket")


def is_assignee(actor, ticket):
    return ticket.assignee_id is not None and ticket.assignee_id == actor.pk


def is_assignee_or_dispatcher(actor, ticket):
    return is_assignee(actor, ticket) or may_dispatch(actor, ticket)


def is_requester(actor, ticket):
    return ticket.requester_id == actor.pk


def _taken(actor, ticket):
    """Who took the ticket first, said to the one who came second."""
    if ticket.assignee_id is None:
        return None
    if ticket.assignee_id == actor.pk:
        return Refusal(_("You have already taken this ticket."), "taken")
    return Refusal(
        _("%(name)s has already taken this ticket.") % {"name": ticket.assignee}, "taken"
    )


def _with_school(actor, ticket):
    return {"school": ticket.school}


@ticket_steps.step(
    "assign",
    statuses=OPEN_TICKET_STATUSES,
    may=may_dispatch,
    refusal=gettext_lazy("You cannot dispatch repair tickets."),
    to=[TicketStatus.ASSIGNED],
    form=f"{FORMS}.AssignForm",
    form_kwargs=_with_school,
    message=gettext_lazy("Assigned."),
)
@transaction.atomic
def ticket_assign(ticket, *, actor, technician, note=""):
    """General affairs assigns (or reassigns) a ticket that is not finished."""
    ticket = ticket_steps.begin("assign", ticket, actor=actor)
    _check_technician(ticket.school, technician)
    if ticket.assignee_id == technician.pk and ticket.status == TicketStatus.ASSIGNED:
        raise ValidationError({"technician": _("The ticket is already assigned to this person.")})
    previous = ticket.assignee
    if previous is None:
        text = _("Assigned to %(name)s") % {"name": technician}
    else:
        text = _("Reassigned from %(old)s to %(new)s") % {"old": previous, "new": technician}
    change = transition(
        ticket,
        TicketStatus.ASSIGNED,
        actor=actor,
        note="\n".join(filter(None, [text, note.strip()])),
        fields={"assignee": technician, "assigned_at": timezone.now(), "hold_reason": ""},
    )
    # Dispatched: "needs a technician" and an earlier "assigned to you" ask no more.
    notifications_done(
        school=ticket.school,
        keys=[f"ticket:{ticket.pk}:dispatch"],
        prefixes=[f"ticket:{ticket.pk}:assigned:"],
    )
    _notify_assigned(ticket, change)
    return ticket


@ticket_steps.step(
    "take",
    statuses=[TicketStatus.SUBMITTED],
    may=may_work,
    refusal=gettext_lazy("You cannot work repair tickets."),
    to=[TicketStatus.ASSIGNED],
    status_refusal=_taken,
    guards=[_taken],
    message=gettext_lazy("It is yours."),
)
@transaction.atomic
def ticket_take(ticket, *, actor):
    """A technician takes an unassigned ticket of their trade; the first one wins."""
    ticket = ticket_steps.begin("take", ticket, actor=actor)
    transition(
        ticket,
        TicketStatus.ASSIGNED,
        actor=actor,
        note=_("Taken by %(name)s") % {"name": actor},
        fields={"assignee": actor, "assigned_at": timezone.now()},
    )
    notifications_done(school=ticket.school, keys=[f"ticket:{ticket.pk}:dispatch"])
    return ticket


@ticket_steps.step(
    "start",
    statuses=[TicketStatus.ASSIGNED],
    may=is_assignee,
    refusal=ONLY_ASSIGNEE,
    to=[TicketStatus.IN_PROGRESS],
    message=gettext_lazy("Work started."),
)
@transaction.atomic
def ticket_start(ticket, *, actor, now=None):
    ticket = ticket_steps.begin("start", ticket, actor=actor)
    fields = {} if ticket.started_at else {"started_at": now or timezone.now()}
    transition(ticket, TicketStatus.IN_PROGRESS, actor=actor, fields=fields)
    # Started: "assigned to you" and "nobody has started it" ask no more.
    notifications_done(
        school=ticket.school,
        prefixes=[
            f"ticket:{ticket.pk}:assigned:",
            f"reminder:ticket_overdue:{ticket.pk}:response:",
        ],
    )
    return ticket


@ticket_steps.step(
    "hold",
    statuses=[TicketStatus.ASSIGNED, TicketStatus.IN_PROGRESS],
    may=is_assignee_or_dispatcher,
    refusal=ONLY_ASSIGNEE,
    to=[TicketStatus.ON_HOLD],
    form=f"{FORMS}.HoldForm",
    message=gettext_lazy("Put on hold."),
)
@transaction.atomic
def ticket_hold(ticket, *, actor, reason):
    ticket = ticket_steps.begin("hold", ticket, actor=actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the work is on hold.")})
    transition(
        ticket, TicketStatus.ON_HOLD, actor=actor, note=reason, fields={"hold_reason": reason[:200]}
    )
    return ticket


@ticket_steps.step(
    "resume",
    statuses=[TicketStatus.ON_HOLD],
    may=is_assignee_or_dispatcher,
    refusal=ONLY_ASSIGNEE,
    to=[TicketStatus.IN_PROGRESS, TicketStatus.ASSIGNED],
    message=gettext_lazy("Work resumed."),
)
@transaction.atomic
def ticket_resume(ticket, *, actor):
    ticket = ticket_steps.begin("resume", ticket, actor=actor)
    to = TicketStatus.IN_PROGRESS if ticket.started_at else TicketStatus.ASSIGNED
    transition(ticket, to, actor=actor, fields={"hold_reason": ""})
    return ticket


def _decimal(value, field):
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: _("Enter a number.")}) from None
    if not number.is_finite():
        raise ValidationError({field: _("Enter a number.")})
    return number


@ticket_steps.step(
    "material",
    statuses=WORKING,
    may=is_assignee,
    refusal=ONLY_ASSIGNEE,
    form=f"{FORMS}.MaterialUseForm",
    form_kwargs=_with_school,
    message=gettext_lazy("Material recorded."),
)
@transaction.atomic
def ticket_material_add(
    ticket,
    *,
    actor,
    quantity,
    material=None,
    name="",
    spec="",
    unit="",
    unit_cost=None,
    submission_key=None,
):
    """Record a material used: a catalogue item (its name, spec, unit and cost) or a
    freely entered one. The same form sent twice (its ``submission_key``) records it once."""
    ticket = ticket_steps.begin("material", ticket, actor=actor)
    if material is not None:
        if material.school_id != ticket.school_id or not material.is_active:
            raise ValidationError({"material": _("Choose an item of the catalogue.")})
        name, spec, unit = material.name, material.spec, material.unit
        if unit_cost in (None, ""):
            unit_cost = material.unit_cost
    errors = {}
    if not (name or "").strip():
        errors["name"] = _("Name the item, or choose one from the catalogue.")
    if not (unit or "").strip():
        errors["unit"] = _("Give the unit (个, 米, 套 …).")
    if unit_cost in (None, ""):
        errors["unit_cost"] = _("Give the unit cost.")
    if errors:
        raise ValidationError(errors)
    quantity = _decimal(quantity, "quantity")
    unit_cost = _decimal(unit_cost, "unit_cost")
    if quantity <= 0:
        raise ValidationError({"quantity": _("The quantity must be more than zero.")})
    if unit_cost < 0:
        raise ValidationError({"unit_cost": _("The unit cost cannot be negative.")})
    used = TicketMaterial(
        ticket=ticket,
        material=material,
        name=name.strip(),
        spec=(spec or "").strip(),
        quantity=quantity,
        unit=unit.strip(),
        unit_cost=unit_cost,
        added_by=actor,
        submission_key=submission_key,
    )
    used.full_clean(exclude=["ticket", "added_by", "submission_key"])

    def create():
        used.save()
        return used

    used, _created = create_once(
        TicketMaterial.objects.filter(ticket=ticket, added_by=actor), submission_key, create
    )
    return used


@transaction.atomic
def ticket_material_remove(used, *, actor):
    """Take back a material entered by mistake, while the work is not finished (whoever
    may add materials, the ``material`` step)."""
    ticket = ticket_steps.begin("material", used.ticket_id, actor=actor)
    TicketMaterial.objects.filter(pk=used.pk, ticket=ticket).delete()


@ticket_steps.step(
    "complete",
    statuses=[TicketStatus.IN_PROGRESS],
    may=is_assignee,
    refusal=ONLY_ASSIGNEE,
    to=[TicketStatus.DONE],
    form=f"{FORMS}.CompleteForm",
    message=gettext_lazy("Marked as done. The requester is asked to confirm."),
)
def ticket_complete(ticket, *, actor, cause, work_notes="", photo=None, now=None):
    """The technician finishes the work: the cause, notes and a completion photo."""
    if cause not in DamageCause.values:
        raise ValidationError({"cause": _("Choose the cause.")})
    if photo is None:
        raise ValidationError({"photo": _("Add a photo of the finished work.")})
    stored = []
    try:
        with transaction.atomic():
            ticket = ticket_steps.begin("complete", ticket, actor=actor)
            stored = _store_photos(ticket, [photo], PhotoKind.COMPLETION, actor)
            work_notes = (work_notes or "").strip()
            change = transition(
                ticket,
                TicketStatus.DONE,
                actor=actor,
                note=work_notes,
                fields={"cause": cause, "work_notes": work_notes, "done_at": now or timezone.now()},
            )
            # Finished: the work's reminders ask no more.
            notifications_done(
                school=ticket.school,
                prefixes=[f"ticket:{ticket.pk}:assigned:", f"reminder:ticket_overdue:{ticket.pk}:"],
            )
            notify(
                recipients=[ticket.requester],
                key=f"ticket:{ticket.pk}:done:{change.pk}",
                title=_("Repair #%(number)s is done: please confirm and rate it")
                % {"number": ticket.pk},
                body=str(ticket.room),
                url=reverse("ticket_detail", args=[ticket.pk]),
                school=ticket.school,
            )
    except BaseException:
        _delete_files([s.name for s in stored])
        raise
    return ticket


@ticket_steps.step(
    "confirm",
    statuses=[TicketStatus.DONE],
    may=is_requester,
    refusal=gettext_lazy("Only the person who filed this ticket can confirm it."),
    to=[TicketStatus.CLOSED],
    form=f"{FORMS}.ConfirmForm",
    message=gettext_lazy("Thank you: the repair is confirmed."),
)
@transaction.atomic
def ticket_confirm(ticket, *, actor, rating, comment="", now=None):
    """The requester confirms the repair and rates it (1–5)."""
    ticket = ticket_steps.begin("confirm", ticket, actor=actor)
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": _("A rating is from 1 to 5.")})
    comment = (comment or "").strip()[:500]
    transition(
        ticket,
        TicketStatus.CLOSED,
        actor=actor,
        note=comment,
        fields={"rating": rating, "rating_comment": comment, "closed_at": now or timezone.now()},
    )
    notifications_done(school=ticket.school, prefixes=[f"ticket:{ticket.pk}:done:"])
    return ticket


@ticket_steps.step(
    "reopen",
    statuses=[TicketStatus.DONE],
    may=is_requester,
    refusal=gettext_lazy("Only the person who filed this ticket can reopen it."),
    to=[TicketStatus.ASSIGNED],
    form=f"{FORMS}.ReopenForm",
    message=gettext_lazy("Reopened: the technician is told."),
)
@transaction.atomic
def ticket_reopen(ticket, *, actor, reason, now=None):
    """The requester says it is not fixed: back to its technician, with a new deadline."""
    ticket = ticket_steps.begin("reopen", ticket, actor=actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say what is still wrong.")})
    now = now or timezone.now()
    change = transition(
        ticket,
        TicketStatus.ASSIGNED,
        actor=actor,
        note=reason,
        fields={
            "reopen_count": ticket.reopen_count + 1,
            "done_at": None,
            "complete_by": service_targets(ticket.school, ticket.urgency, now)[1],
        },
    )
    notifications_done(school=ticket.school, prefixes=[f"ticket:{ticket.pk}:done:"])
    _notify_assigned(ticket, change)
    return ticket


@ticket_steps.step(
    "cancel",
    # General affairs may cancel any unfinished ticket; its requester one not yet started.
    who=[
        (may_dispatch, OPEN_TICKET_STATUSES),
        (is_requester, (TicketStatus.SUBMITTED, TicketStatus.ASSIGNED)),
    ],
    refusal=gettext_lazy("Only the person who filed this ticket can cancel it."),
    to=[TicketStatus.CANCELLED],
    form=f"{FORMS}.CancelForm",
    message=gettext_lazy("Cancelled."),
)
@transaction.atomic
def ticket_cancel(ticket, *, actor, reason):
    """The requester withdraws a ticket before the work starts; general affairs may
    cancel any unfinished one (a duplicate, not a repair)."""
    ticket = ticket_steps.begin("cancel", ticket, actor=actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the ticket is cancelled.")})
    transition(ticket, TicketStatus.CANCELLED, actor=actor, note=reason)
    # Nothing is left to do on it.
    notifications_done(
        school=ticket.school,
        prefixes=[f"ticket:{ticket.pk}:", f"reminder:ticket_overdue:{ticket.pk}:"],
    )
    return ticket


def tickets_auto_confirm(now=None):
    """Close the finished tickets nobody confirmed within their school's period.

    Run by the tick; each ticket is closed under its lock, once."""
    now = now or timezone.now()
    candidates = Ticket.objects.filter(status=TicketStatus.DONE).values_list(
        "pk", "done_at", "school__repair_auto_confirm_days"
    )
    closed = 0
    for pk, done_at, days in candidates.iterator():
        if done_at + timedelta(days=days) > now:
            continue
        with transaction.atomic():
            ticket = ticket_steps.lock(pk)
            if ticket.status != TicketStatus.DONE:
                continue
            transition(
                ticket,
                TicketStatus.CLOSED,
                actor=None,
                note=_("Confirmed automatically after %(days)s days") % {"days": days},
                fields={"auto_confirmed": True, "closed_at": now},
            )
            notifications_done(school=ticket.school, prefixes=[f"ticket:{ticket.pk}:done:"])
            closed += 1
    return closed
