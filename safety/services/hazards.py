"""Hazards (隐患) and their rectification: report, assign, plan, rectify, defer, check.

Each step is declared once, on its service (``hazard_steps``, see
``logistics.common.workflow``): the hazard's page offers what the declaration allows,
the service checks it again under the row lock.

    reported ──start──▶ rectifying ──submit──▶ awaiting_check ──verify(approve)──▶ closed
        │                  ▲                          │
        └─withdraw         └──────verify(reject)──────┘

Rules (each checked under a row lock on the hazard, each change of status recorded):

- Anyone of the school who may add hazards reports one: category, description, a room
  and/or a place, level, 0–3 photos. General affairs is told.
- General affairs (``assign_hazard``) names the responsible department and person and the
  deadline; the person is told. A hazard is rectified only once it has both.
- A major hazard (重大隐患) needs a rectification plan (measures, funding, responsible
  person, deadline, interim safety measures) *before its rectification starts* — and so
  before it can be submitted for the check or closed. A hazard becoming major while being
  rectified needs its plan before it is submitted for the check.
- A hazard that cannot be fixed now gets an arrangement (整改安排): a reason and a later
  deadline, recorded, with the interim measures; general affairs decides it.
- The responsible person (or general affairs for them) submits the rectification for the
  check with a note of what was done AND a photo of the result; either missing is refused.
- The check is made by someone who may verify hazards and is neither the person who
  submitted the rectification nor the responsible person. Approving closes it (销号);
  rejecting, with the reason, sends it back to rectifying. Two checkers at once: the lock
  lets one decide, the other is told who did.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from logistics.common.submissions import create_once
from logistics.common.workflow import (
    PERMISSION,
    Refusal,
    Workflow,
    model_update,
    status_record,
    transition,
)
from logistics.selectors import status_history
from logistics.services.notifications import notifications_done, notify
from safety.choices import (
    OPEN_HAZARD_STATUSES,
    UNRESOLVED_HAZARD_STATUSES,
    HazardLevel,
    HazardPhotoKind,
    HazardStatus,
    SafetyArea,
)
from safety.models import Hazard, HazardDeferral, HazardPhoto, RectificationPlan
from safety.services.common import (
    HAZARD_DETAIL_URL,
    as_date,
    check_department,
    check_person,
    check_room,
    holds,
    link,
    require,
    text,
    verifiers,
)
from safety.uploads import HAZARD_PHOTOS, StoredFiles, photo_store

MAX_PHOTOS = 3  # per upload (a report, a rectification)

hazard_steps = Workflow(
    Hazard,
    lock=Hazard.objects.select_related(
        "school", "room__building", "responsible_person", "found_by"
    ),
)
FORMS = "safety.forms.hazards"
ONLY_RESPONSIBLE = gettext_lazy("Only the person responsible for this hazard can do this.")
NO_PHOTOS = gettext_lazy("You cannot add photos to this hazard.")


def _store_photos(files, hazard, photos, kind, actor):
    photos = list(photos or ())
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("Add at most three photos.")})
    stored = [files.add(photo_store(photo, HAZARD_PHOTOS)) for photo in photos]
    HazardPhoto.objects.bulk_create(
        HazardPhoto(
            hazard=hazard,
            kind=kind,
            image=s.name,
            width=s.width,
            height=s.height,
            uploaded_by=actor,
        )
        for s in stored
    )
    return stored


may_assign = holds("safety.assign_hazard")  # general affairs


def may_rectify(actor, hazard):
    """The responsible person, or general affairs acting for them."""
    return hazard.responsible_person_id == actor.pk or may_assign(actor, hazard)


def may_verify(actor, hazard):
    """Who may check a rectification: ``verify_hazard`` in the school, and neither its
    rectifier nor the responsible person (the ``verify`` step's rule and guard)."""
    return may_check(actor, hazard) and _not_their_own(actor, hazard) is None


may_check = holds("safety.verify_hazard")


def may_add_found_photos(actor, hazard):
    """Whoever found it, or general affairs."""
    return hazard.found_by_id == actor.pk or may_assign(actor, hazard)


def plan_of(hazard):
    """The hazard's rectification plan, or None."""
    return getattr(hazard, "plan", None)


def _has_plan_or_is_major(hazard):
    return hazard.level == HazardLevel.MAJOR or plan_of(hazard) is not None


def _has_deadline(actor, hazard):
    if hazard.deadline is None:
        return Refusal(_("Assign the hazard with a deadline first."), "assign")
    return None


def _is_assigned(actor, hazard):
    if hazard.responsible_person_id is None or hazard.deadline is None:
        return Refusal(_("Assign a responsible person and a deadline first."), "assign")
    return None


def _not_their_own(actor, hazard):
    if actor.pk in (hazard.rectified_by_id, hazard.responsible_person_id):
        return Refusal(
            _("Someone other than the rectifier must check the rectification."), "same_person"
        )
    return None


def photo_kinds(actor, hazard):
    """What the photos ``actor`` adds may show: as found; of the rectification too while
    it is being rectified by them."""
    kinds = [HazardPhotoKind.FOUND]
    if hazard_steps.allows("photo_rectified", actor, hazard):
        kinds.append(HazardPhotoKind.RECTIFIED)
    return kinds


def notify_reported(hazard):
    """Tell general affairs of a new hazard (a major one in the group chat too)."""
    notify(
        recipients=verifiers(hazard.school),
        key=f"safety:hazard:{hazard.pk}:reported",
        title=_("Hazard reported: %(category)s · %(where)s")
        % {"category": hazard.get_category_display(), "where": hazard.where},
        body=hazard.description[:200],
        url=link(HAZARD_DETAIL_URL, hazard.pk),
        school=hazard.school,
        chat=hazard.level == HazardLevel.MAJOR,
    )


# --- Reporting ----------------------------------------------------------------------------


def hazard_report(
    *,
    actor,
    category,
    description,
    level=HazardLevel.GENERAL,
    room=None,
    location="",
    photos=(),
    found_at=None,
    submission_key=None,
):
    """Report a hazard found outside an inspection (随手拍); returns ``(hazard, created)``.

    A second call with the reporter's same ``submission_key`` (the same form sent twice)
    returns the first hazard and stores nothing (``logistics.common.submissions``)."""
    school = actor.school
    if school is None:
        raise Refusal(_("Your account does not belong to a school."), PERMISSION)
    require(actor, school.pk, "safety.add_hazard", _("You cannot report hazards."))
    errors = {}
    if category not in SafetyArea.values:
        errors["category"] = _("Choose the category.")
    if not text(description):
        errors["description"] = _("Describe the hazard.")
    if level not in HazardLevel.values:
        errors["level"] = _("Choose the level of the hazard.")
    if room is None and not text(location):
        errors["location"] = _("Say where the hazard is: a room or a place.")
    if errors:
        raise ValidationError(errors)
    check_room(school, room)

    def create():
        with StoredFiles() as files, transaction.atomic():
            hazard = Hazard.objects.create(
                school=school,
                level=level,
                category=category,
                description=text(description),
                room=room,
                location=text(location),
                found_by=actor,
                found_at=found_at or timezone.now(),
                submission_key=submission_key,
            )
            _store_photos(files, hazard, photos, HazardPhotoKind.FOUND, actor)
            status_record(hazard, from_status="", to_status=HazardStatus.REPORTED, actor=actor)
            notify_reported(hazard)
        return hazard

    return create_once(Hazard.objects.filter(found_by=actor), submission_key, create)


@hazard_steps.step(
    "photo",
    statuses=UNRESOLVED_HAZARD_STATUSES,
    may=may_add_found_photos,
    refusal=NO_PHOTOS,
    form=f"{FORMS}.PhotoForm",
    form_kwargs=lambda actor, hazard: {"kinds": photo_kinds(actor, hazard)},
    message=gettext_lazy("Photos added."),
)
# Photos of the rectification: not a step of the page of its own (a kind of the photos).
@hazard_steps.step(
    "photo_rectified",
    statuses=[HazardStatus.RECTIFYING],
    may=may_rectify,
    refusal=NO_PHOTOS,
    shown=False,
    posted=False,
)
def hazard_photo_add(hazard, *, actor, photos, kind=HazardPhotoKind.FOUND):
    """More photos: as found (by whoever found it, or general affairs) while it is not
    closed, or of the rectification (by whoever may rectify it) while it is rectified."""
    if kind not in HazardPhotoKind.values:
        raise ValidationError({"kind": _("Choose what the photo shows.")})
    step = "photo" if kind == HazardPhotoKind.FOUND else "photo_rectified"
    with StoredFiles() as files, transaction.atomic():
        hazard = hazard_steps.begin(step, hazard, actor=actor)
        return _store_photos(files, hazard, photos, kind, actor)


# --- Assignment, plan, deferral ----------------------------------------------------------


def _deadline(value, field="deadline"):
    return as_date(value, field)


@hazard_steps.step(
    "assign",
    statuses=OPEN_HAZARD_STATUSES,
    may=may_assign,
    refusal=gettext_lazy("You cannot assign hazards."),
    form=f"{FORMS}.AssignForm",
    form_kwargs=lambda actor, hazard: {"hazard": hazard},
    message=gettext_lazy("Assigned: the responsible person is told."),
)
@transaction.atomic
def hazard_assign(
    hazard, *, actor, responsible_person, deadline, department=None, level=None, note="", now=None
):
    """General affairs names who rectifies the hazard and by when (and may correct its
    level). Allowed until it is submitted for the check; a later deadline on a hazard that
    already has one is a deferral (``hazard_defer``), not an assignment."""
    hazard = hazard_steps.begin("assign", hazard, actor=actor)
    check_person(hazard.school, responsible_person, "responsible_person")
    check_department(hazard.school, department)
    deadline = _deadline(deadline)
    today = timezone.localdate(now)
    if hazard.deadline is None and deadline < today:
        raise ValidationError({"deadline": _("The deadline cannot be in the past.")})
    if hazard.deadline is not None and deadline > hazard.deadline:
        raise ValidationError(
            {"deadline": _("To give more time, make a rectification arrangement (defer it).")}
        )
    if level is not None and level not in HazardLevel.values:
        raise ValidationError({"level": _("Choose the level of the hazard.")})
    previous = hazard.responsible_person
    fields = ["responsible_person", "department", "deadline", "assigned_at"]
    hazard.responsible_person = responsible_person
    hazard.department = department
    hazard.deadline = deadline
    hazard.assigned_at = now or timezone.now()
    if level is not None and level != hazard.level:
        status_record(
            hazard,
            from_status=hazard.level,
            to_status=level,
            actor=actor,
            field="level",
            note=text(note),
        )
        hazard.level = level
        fields.append("level")
    hazard.save(update_fields=fields)
    lines = [
        _("Responsible: %(person)s%(department)s, by %(deadline)s")
        % {
            "person": responsible_person,
            "department": f" ({department})" if department else "",
            "deadline": date_format(deadline, "Y-m-d"),
        },
        text(note),
    ]
    record = status_record(
        hazard,
        from_status=previous.display_name[:50] if previous else "",
        to_status=responsible_person.display_name[:50],
        actor=actor,
        field="responsible_person",
        note="\n".join(filter(None, lines)),
    )
    # Assigned: "reported" asks general affairs no more; an earlier assignment is replaced.
    notifications_done(
        school=hazard.school,
        keys=[f"safety:hazard:{hazard.pk}:reported"],
        prefixes=[f"safety:hazard:{hazard.pk}:assigned:"],
    )
    notify(
        recipients=[responsible_person],
        key=f"safety:hazard:{hazard.pk}:assigned:{record.pk}",
        title=_("Hazard to rectify by %(deadline)s: %(where)s")
        % {"deadline": date_format(deadline, "Y-m-d"), "where": hazard.where},
        body=hazard.description[:200],
        url=link(HAZARD_DETAIL_URL, hazard.pk),
        school=hazard.school,
        chat=hazard.level == HazardLevel.MAJOR,
    )
    return hazard


PLAN_FIELDS = ("measures", "funding", "responsible_person", "deadline", "interim_measures")


def _money(value, field):
    try:
        amount = Decimal(str(value if value not in (None, "") else "0"))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: _("Enter an amount in yuan.")}) from None
    if not amount.is_finite():
        raise ValidationError({field: _("Enter an amount in yuan.")})
    if amount < 0:
        raise ValidationError({field: _("The funding cannot be negative.")})
    return amount.quantize(Decimal("0.01"))


@hazard_steps.step(
    "plan",
    statuses=UNRESOLVED_HAZARD_STATUSES,
    may=may_rectify,
    refusal=gettext_lazy("You cannot write the plan of this hazard."),
    form=f"{FORMS}.PlanForm",
    form_kwargs=lambda actor, hazard: {"hazard": hazard, "plan": plan_of(hazard)},
    message=gettext_lazy("Rectification plan saved."),
    # The page offers it for a major hazard, or one that has a plan (to revise it).
    shown=_has_plan_or_is_major,
)
@transaction.atomic
def hazard_plan_save(
    hazard,
    *,
    actor,
    measures,
    funding,
    responsible_person,
    deadline,
    interim_measures,
):
    """Write (or revise) the rectification plan of a hazard not yet closed, by general
    affairs or the responsible person. Returns the plan. Every field is required;
    ``funding`` is in yuan (Decimal, 0 allowed)."""
    hazard = hazard_steps.begin("plan", hazard, actor=actor)
    errors = {}
    if not text(measures):
        errors["measures"] = _("Describe the rectification measures.")
    if not text(interim_measures):
        errors["interim_measures"] = _("Describe how people are kept safe until it is fixed.")
    if errors:
        raise ValidationError(errors)
    check_person(hazard.school, responsible_person, "responsible_person")
    fields = {
        "measures": text(measures),
        "funding": _money(funding, "funding"),
        "responsible_person": responsible_person,
        "deadline": _deadline(deadline),
        "interim_measures": text(interim_measures),
    }
    plan = RectificationPlan.objects.filter(hazard=hazard).first()
    if plan is None:
        plan = RectificationPlan.objects.create(hazard=hazard, created_by=actor, **fields)
        note = _("Rectification plan written")
    else:
        model_update(plan, data=fields, fields=PLAN_FIELDS)
        note = _("Rectification plan revised")
    status_record(
        hazard,
        from_status="",
        to_status="plan",
        actor=actor,
        field="plan",
        note=f"{note}: {fields['measures'][:200]}",
    )
    return plan


@hazard_steps.step(
    "defer",
    statuses=OPEN_HAZARD_STATUSES,
    may=may_assign,
    refusal=gettext_lazy("You cannot defer hazards."),
    guards=[_has_deadline],
    form=f"{FORMS}.DeferForm",
    message=gettext_lazy("Rectification arrangement recorded: the deadline is moved."),
)
@transaction.atomic
def hazard_defer(hazard, *, actor, reason, new_deadline, interim_measures="", now=None):
    """An 整改安排 for a hazard that cannot be fixed now: general affairs gives the reason
    and a later deadline (and the interim measures). Recorded as an arrangement and in
    the hazard's history; the overdue reminder starts again from the new deadline."""
    hazard = hazard_steps.begin("defer", hazard, actor=actor)
    reason = text(reason)
    if not reason:
        raise ValidationError({"reason": _("Say why it cannot be rectified now.")})
    new_deadline = _deadline(new_deadline, "new_deadline")
    if new_deadline <= hazard.deadline or new_deadline < timezone.localdate(now):
        raise ValidationError(
            {"new_deadline": _("The new deadline must be later than the present one.")}
        )
    deferral = HazardDeferral.objects.create(
        hazard=hazard,
        reason=reason,
        previous_deadline=hazard.deadline,
        new_deadline=new_deadline,
        interim_measures=text(interim_measures),
        created_by=actor,
    )
    status_record(
        hazard,
        from_status=hazard.deadline.isoformat(),
        to_status=new_deadline.isoformat(),
        actor=actor,
        field="deadline",
        note=reason,
    )
    hazard.deadline = new_deadline
    hazard.deferral_count += 1
    hazard.save(update_fields=["deadline", "deferral_count"])
    notifications_done(
        school=hazard.school, prefixes=[f"reminder:safety_hazard_overdue:{hazard.pk}:"]
    )
    if hazard.responsible_person_id:
        notify(
            recipients=[hazard.responsible_person],
            key=f"safety:hazard:{hazard.pk}:deferred:{deferral.pk}",
            title=_("Hazard deferred to %(deadline)s: %(where)s")
            % {"deadline": date_format(new_deadline, "Y-m-d"), "where": hazard.where},
            body=reason[:200],
            url=link(HAZARD_DETAIL_URL, hazard.pk),
            school=hazard.school,
        )
    return deferral


# --- Rectification and the check --------------------------------------------------------


def _needs_plan(hazard):
    """A major hazard needs its plan before its rectification starts, and before the
    check. (Not a guard: the page shows the step, disabled, with what it needs.)"""
    if (
        hazard.level == HazardLevel.MAJOR
        and not RectificationPlan.objects.filter(hazard=hazard).exists()
    ):
        raise Refusal(_("A major hazard needs a rectification plan first."), "plan")


@hazard_steps.step(
    "start",
    statuses=[HazardStatus.REPORTED],
    may=may_rectify,
    refusal=ONLY_RESPONSIBLE,
    guards=[_is_assigned],
    to=[HazardStatus.RECTIFYING],
    message=gettext_lazy("Rectification started."),
)
@transaction.atomic
def hazard_start_rectifying(hazard, *, actor, note=""):
    """The responsible person (or general affairs) starts the rectification of an assigned
    hazard; a major one needs its plan first."""
    hazard = hazard_steps.begin("start", hazard, actor=actor)
    _needs_plan(hazard)
    transition(hazard, HazardStatus.RECTIFYING, actor=actor, note=text(note))
    return hazard


@hazard_steps.step(
    "submit",
    statuses=[HazardStatus.RECTIFYING],
    may=may_rectify,
    refusal=ONLY_RESPONSIBLE,
    to=[HazardStatus.AWAITING_CHECK],
    form=f"{FORMS}.SubmitForm",
    message=gettext_lazy("Submitted for the check. General affairs is told."),
)
def hazard_submit_rectification(hazard, *, actor, note, photo, now=None):
    """Submit the rectification for the check: what was done AND a photo of the result
    (an upload or a ``CleanImage``; a list of up to three is accepted). Either missing is
    refused with the reason (field errors ``note`` / ``photo``); a major hazard needs its
    plan. The checkers (general affairs) are told."""
    note = text(note)
    photos = [p for p in (photo if isinstance(photo, list | tuple) else [photo]) if p is not None]
    errors = {}
    if not note:
        errors["note"] = _("Say what was done to rectify the hazard.")
    if not photos:
        errors["photo"] = _("Add a photo of the rectified place.")
    if errors:
        raise ValidationError(errors)
    with StoredFiles() as files, transaction.atomic():
        hazard = hazard_steps.begin("submit", hazard, actor=actor)
        _needs_plan(hazard)
        _store_photos(files, hazard, photos, HazardPhotoKind.RECTIFIED, actor)
        change = transition(
            hazard,
            HazardStatus.AWAITING_CHECK,
            actor=actor,
            note=note,
            fields={
                "rectification_note": note,
                "rectified_by": actor,
                "rectified_at": now or timezone.now(),
                # The previous check (a rejection) is in the history; a new one is awaited.
                "verified_by": None,
                "verified_at": None,
            },
        )
        # Rectified: "to rectify", "deferred", "not accepted" and "overdue" ask no more.
        notifications_done(
            school=hazard.school,
            prefixes=[
                f"safety:hazard:{hazard.pk}:assigned:",
                f"safety:hazard:{hazard.pk}:deferred:",
                f"safety:hazard:{hazard.pk}:rejected:",
                f"reminder:safety_hazard_overdue:{hazard.pk}:",
            ],
        )
        others = [p for p in verifiers(hazard.school) if p.pk not in (actor.pk,)]
        notify(
            recipients=others,
            key=f"safety:hazard:{hazard.pk}:check:{change.pk}",
            title=_("Hazard rectified, please check it: %(where)s") % {"where": hazard.where},
            body=note[:200],
            url=link(HAZARD_DETAIL_URL, hazard.pk),
            school=hazard.school,
        )
    return hazard


def _already_decided(actor, hazard):
    """The refusal a checker gets when the hazard is no longer awaiting the check: who
    decided, if someone just did."""
    last = status_history(hazard).filter(field="status").last()
    decided = last is not None and last.from_status == HazardStatus.AWAITING_CHECK
    who = last.actor if decided and last.actor else None
    when = timezone.localtime(last.at).strftime("%Y-%m-%d %H:%M") if decided else ""
    if decided and hazard.status == HazardStatus.CLOSED:
        message = _("%(name)s already checked and closed this hazard (%(time)s).")
    elif decided and hazard.status == HazardStatus.RECTIFYING:
        message = _("%(name)s already sent this hazard back for rectification (%(time)s).")
    else:
        message = _("This hazard is now “%(status)s”: it cannot be checked.")
    return Refusal(
        message
        % {"name": who or _("Someone"), "time": when, "status": hazard.get_status_display()},
        "decided",
    )


def _verified_message(hazard, result, data):
    if data.get("approve"):
        return _("Checked and closed.")
    return _("Sent back for rectification: the responsible person is told.")


@hazard_steps.step(
    "verify",
    statuses=[HazardStatus.AWAITING_CHECK],
    may=may_check,
    refusal=gettext_lazy("You cannot check hazards."),
    status_refusal=_already_decided,
    guards=[_not_their_own],
    to=[HazardStatus.CLOSED, HazardStatus.RECTIFYING],
    form=f"{FORMS}.VerifyForm",
    message=_verified_message,
)
@transaction.atomic
def hazard_verify(hazard, *, actor, approve, reason="", now=None):
    """Check a rectification: approve → closed (销号), reject → back to rectifying with the
    reason. By someone who may verify, neither its rectifier nor the responsible person.
    A second checker at the same time is told who decided (code ``decided``)."""
    hazard = hazard_steps.begin("verify", hazard, actor=actor)
    reason = text(reason)
    now = now or timezone.now()
    checked = {"verified_by": actor, "verified_at": now, "check_note": reason[:500]}
    # Checked (a refusal below rolls this back): "please check it" asks no more.
    notifications_done(school=hazard.school, prefixes=[f"safety:hazard:{hazard.pk}:check:"])
    if approve:
        transition(
            hazard,
            HazardStatus.CLOSED,
            actor=actor,
            note=reason,
            fields={**checked, "closed_at": now},
        )
        return hazard
    if not reason:
        raise ValidationError({"reason": _("Say what is still wrong.")})
    change = transition(hazard, HazardStatus.RECTIFYING, actor=actor, note=reason, fields=checked)
    if hazard.responsible_person_id:
        notify(
            recipients=[hazard.responsible_person],
            key=f"safety:hazard:{hazard.pk}:rejected:{change.pk}",
            title=_("Rectification not accepted: %(where)s") % {"where": hazard.where},
            body=reason[:200],
            url=link(HAZARD_DETAIL_URL, hazard.pk),
            school=hazard.school,
        )
    return hazard


@hazard_steps.step(
    "withdraw",
    statuses=[HazardStatus.REPORTED],
    may=may_assign,
    refusal=gettext_lazy("You cannot withdraw hazards."),
    to=[HazardStatus.WITHDRAWN],
    form=f"{FORMS}.WithdrawForm",
    message=gettext_lazy("Report withdrawn."),
)
@transaction.atomic
def hazard_withdraw(hazard, *, actor, reason):
    """General affairs withdraws a report that is a duplicate or no hazard at all (only
    while reported). It is kept, and not counted in the rectification rate."""
    hazard = hazard_steps.begin("withdraw", hazard, actor=actor)
    reason = text(reason)
    if not reason:
        raise ValidationError({"reason": _("Say why the report is withdrawn.")})
    transition(hazard, HazardStatus.WITHDRAWN, actor=actor, note=reason)
    notifications_done(
        school=hazard.school,
        prefixes=[f"safety:hazard:{hazard.pk}:", f"reminder:safety_hazard_overdue:{hazard.pk}:"],
    )
    return hazard
