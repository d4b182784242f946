"""Hazards (隐患) and their rectification: report, assign, plan, rectify, defer, check.

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

from logistics.common.querysets import locked
from logistics.common.submissions import create_once
from logistics.common.workflow import status_record
from logistics.selectors import status_history
from logistics.services.notifications import notifications_done, notify
from safety.choices import (
    OPEN_HAZARD_STATUSES,
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
    link,
    refuse_status,
    require,
    same_school,
    text,
    verifiers,
)
from safety.uploads import HAZARD_PHOTOS, StoredFiles, photo_store

MAX_PHOTOS = 3  # per upload (a report, a rectification)


def _locked(hazard):
    return locked(
        Hazard.objects.select_related("school", "room__building", "responsible_person", "found_by"),
        hazard.pk if isinstance(hazard, Hazard) else hazard,
    )


def _change(hazard, to_status, *, actor, note="", fields=()):
    from_status = hazard.status
    hazard.status = to_status
    hazard.save(update_fields=["status", *fields])
    return status_record(
        hazard, from_status=from_status, to_status=to_status, actor=actor, note=note
    )


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


def may_assign(actor, hazard):
    return same_school(actor, hazard.school_id) and actor.has_perm("safety.assign_hazard")


def may_rectify(actor, hazard):
    """The responsible person, or general affairs acting for them."""
    return hazard.responsible_person_id == actor.pk or may_assign(actor, hazard)


def may_verify(actor, hazard):
    """Who may check a rectification: ``verify_hazard`` in the school, and neither its
    rectifier nor the responsible person."""
    return (
        same_school(actor, hazard.school_id)
        and actor.has_perm("safety.verify_hazard")
        and actor.pk not in (hazard.rectified_by_id, hazard.responsible_person_id)
    )


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
        raise ValidationError(_("Your account does not belong to a school."))
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


def hazard_photo_add(hazard, *, actor, photos, kind=HazardPhotoKind.FOUND):
    """More photos: as found (by whoever found it, or general affairs) while it is not
    closed, or of the rectification (by whoever may rectify it) while it is rectified."""
    if kind not in HazardPhotoKind.values:
        raise ValidationError({"kind": _("Choose what the photo shows.")})
    with StoredFiles() as files, transaction.atomic():
        hazard = _locked(hazard)
        if kind == HazardPhotoKind.FOUND:
            if hazard.found_by_id != actor.pk and not may_assign(actor, hazard):
                raise ValidationError(_("You cannot add photos to this hazard."), code="permission")
            refuse_status(
                hazard,
                [HazardStatus.REPORTED, HazardStatus.RECTIFYING, HazardStatus.AWAITING_CHECK],
            )
        else:
            if not may_rectify(actor, hazard):
                raise ValidationError(_("You cannot add photos to this hazard."), code="permission")
            refuse_status(hazard, [HazardStatus.RECTIFYING])
        return _store_photos(files, hazard, photos, kind, actor)


# --- Assignment, plan, deferral ----------------------------------------------------------


def _deadline(value, field="deadline"):
    return as_date(value, field)


@transaction.atomic
def hazard_assign(
    hazard, *, actor, responsible_person, deadline, department=None, level=None, note="", now=None
):
    """General affairs names who rectifies the hazard and by when (and may correct its
    level). Allowed until it is submitted for the check; a later deadline on a hazard that
    already has one is a deferral (``hazard_defer``), not an assignment."""
    hazard = _locked(hazard)
    require(actor, hazard.school_id, "safety.assign_hazard", _("You cannot assign hazards."))
    refuse_status(hazard, OPEN_HAZARD_STATUSES)
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
    hazard = _locked(hazard)
    if not may_rectify(actor, hazard):
        raise ValidationError(_("You cannot write the plan of this hazard."), code="permission")
    refuse_status(
        hazard, [HazardStatus.REPORTED, HazardStatus.RECTIFYING, HazardStatus.AWAITING_CHECK]
    )
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
        for name, value in fields.items():
            setattr(plan, name, value)
        plan.save()
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


@transaction.atomic
def hazard_defer(hazard, *, actor, reason, new_deadline, interim_measures="", now=None):
    """An 整改安排 for a hazard that cannot be fixed now: general affairs gives the reason
    and a later deadline (and the interim measures). Recorded as an arrangement and in
    the hazard's history; the overdue reminder starts again from the new deadline."""
    hazard = _locked(hazard)
    require(actor, hazard.school_id, "safety.assign_hazard", _("You cannot defer hazards."))
    refuse_status(hazard, OPEN_HAZARD_STATUSES)
    reason = text(reason)
    if not reason:
        raise ValidationError({"reason": _("Say why it cannot be rectified now.")})
    new_deadline = _deadline(new_deadline, "new_deadline")
    if hazard.deadline is None:
        raise ValidationError({"new_deadline": _("Assign the hazard with a deadline first.")})
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
    if (
        hazard.level == HazardLevel.MAJOR
        and not RectificationPlan.objects.filter(hazard=hazard).exists()
    ):
        raise ValidationError(_("A major hazard needs a rectification plan first."), code="plan")


@transaction.atomic
def hazard_start_rectifying(hazard, *, actor, note=""):
    """The responsible person (or general affairs) starts the rectification of an assigned
    hazard; a major one needs its plan first."""
    hazard = _locked(hazard)
    if not may_rectify(actor, hazard):
        raise ValidationError(
            _("Only the person responsible for this hazard can do this."), code="permission"
        )
    refuse_status(hazard, [HazardStatus.REPORTED])
    if hazard.responsible_person_id is None or hazard.deadline is None:
        raise ValidationError(_("Assign a responsible person and a deadline first."), code="assign")
    _needs_plan(hazard)
    _change(hazard, HazardStatus.RECTIFYING, actor=actor, note=text(note))
    return hazard


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
        hazard = _locked(hazard)
        if not may_rectify(actor, hazard):
            raise ValidationError(
                _("Only the person responsible for this hazard can do this."), code="permission"
            )
        refuse_status(hazard, [HazardStatus.RECTIFYING])
        _needs_plan(hazard)
        _store_photos(files, hazard, photos, HazardPhotoKind.RECTIFIED, actor)
        hazard.rectification_note = note
        hazard.rectified_by = actor
        hazard.rectified_at = now or timezone.now()
        # The previous check (a rejection) is in the history; a new one is awaited.
        hazard.verified_by = None
        hazard.verified_at = None
        change = _change(
            hazard,
            HazardStatus.AWAITING_CHECK,
            actor=actor,
            note=note,
            fields=[
                "rectification_note",
                "rectified_by",
                "rectified_at",
                "verified_by",
                "verified_at",
            ],
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


def _already_decided(hazard):
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
    return ValidationError(
        message
        % {"name": who or _("Someone"), "time": when, "status": hazard.get_status_display()},
        code="decided",
    )


@transaction.atomic
def hazard_verify(hazard, *, actor, approve, reason="", now=None):
    """Check a rectification: approve → closed (销号), reject → back to rectifying with the
    reason. By someone who may verify, neither its rectifier nor the responsible person.
    A second checker at the same time is told who decided (code ``decided``)."""
    hazard = _locked(hazard)
    require(actor, hazard.school_id, "safety.verify_hazard", _("You cannot check hazards."))
    if hazard.status != HazardStatus.AWAITING_CHECK:
        raise _already_decided(hazard)
    if actor.pk in (hazard.rectified_by_id, hazard.responsible_person_id):
        raise ValidationError(
            _("Someone other than the rectifier must check the rectification."),
            code="same_person",
        )
    reason = text(reason)
    now = now or timezone.now()
    hazard.verified_by = actor
    hazard.verified_at = now
    hazard.check_note = reason[:500]
    # Checked (a refusal below rolls this back): "please check it" asks no more.
    notifications_done(school=hazard.school, prefixes=[f"safety:hazard:{hazard.pk}:check:"])
    if approve:
        hazard.closed_at = now
        _change(
            hazard,
            HazardStatus.CLOSED,
            actor=actor,
            note=reason,
            fields=["verified_by", "verified_at", "check_note", "closed_at"],
        )
        return hazard
    if not reason:
        raise ValidationError({"reason": _("Say what is still wrong.")})
    change = _change(
        hazard,
        HazardStatus.RECTIFYING,
        actor=actor,
        note=reason,
        fields=["verified_by", "verified_at", "check_note"],
    )
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


@transaction.atomic
def hazard_withdraw(hazard, *, actor, reason):
    """General affairs withdraws a report that is a duplicate or no hazard at all (only
    while reported). It is kept, and not counted in the rectification rate."""
    hazard = _locked(hazard)
    require(actor, hazard.school_id, "safety.assign_hazard", _("You cannot withdraw hazards."))
    reason = text(reason)
    if not reason:
        raise ValidationError({"reason": _("Say why the report is withdrawn.")})
    refuse_status(hazard, [HazardStatus.REPORTED])
    _change(hazard, HazardStatus.WITHDRAWN, actor=actor, note=reason)
    notifications_done(
        school=hazard.school,
        prefixes=[f"safety:hazard:{hazard.pk}:", f"reminder:safety_hazard_overdue:{hazard.pk}:"],
    )
    return hazard
