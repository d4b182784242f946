"""Drills (演练) and safety responsibility agreements (安全责任状): recording them."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from logistics.common.submissions import create_once
from logistics.common.workflow import STATUS, Refusal, model_update, status_record
from safety.choices import AgreementKind, DrillKind
from safety.models import Drill, DrillPhoto, SafetyAgreement
from safety.services.common import as_date, check_person, require, text
from safety.uploads import DRILL_PHOTOS, StoredFiles, photo_store, scan_store

MAX_DRILL_PHOTOS = 6  # per upload


def _count(value, field, *, required):
    if value in (None, ""):
        if required:
            raise ValidationError({field: _("Enter a whole number.")})
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: _("Enter a whole number.")}) from None
    if number < 1:
        raise ValidationError({field: _("Enter a number greater than zero.")})
    return number


DRILL_FIELDS = (
    "kind",
    "held_on",
    "participants",
    "evacuation_seconds",
    "title",
    "location",
    "notes",
)


def _drill_fields(kind, held_on, participants, evacuation_seconds, title, location, notes):
    if kind not in DrillKind.values:
        raise ValidationError({"kind": _("Choose the kind of drill.")})
    return {
        "kind": kind,
        "held_on": as_date(held_on, "held_on"),
        "participants": _count(participants, "participants", required=True),
        "evacuation_seconds": _count(evacuation_seconds, "evacuation_seconds", required=False),
        "title": text(title),
        "location": text(location),
        "notes": text(notes),
    }


def _drill_photos(files, drill, photos, actor):
    photos = list(photos or ())
    if len(photos) > MAX_DRILL_PHOTOS:
        raise ValidationError({"photos": _("Add at most six photos at a time.")})
    stored = [files.add(photo_store(photo, DRILL_PHOTOS)) for photo in photos]
    DrillPhoto.objects.bulk_create(
        DrillPhoto(drill=drill, image=s.name, width=s.width, height=s.height, uploaded_by=actor)
        for s in stored
    )


def drill_record(
    *,
    school,
    actor,
    kind,
    held_on,
    participants,
    evacuation_seconds=None,
    title="",
    location="",
    notes="",
    photos=(),
    submission_key=None,
):
    """Record a drill held (by someone who may add drills). Returns the drill; the same
    form sent twice (its ``submission_key``) records it once."""
    require(actor, school.pk, "safety.add_drill", _("You cannot record drills."))
    fields = _drill_fields(kind, held_on, participants, evacuation_seconds, title, location, notes)

    def create():
        with StoredFiles() as files, transaction.atomic():
            drill = Drill.objects.create(
                school=school, recorded_by=actor, submission_key=submission_key, **fields
            )
            _drill_photos(files, drill, photos, actor)
        return drill

    drill, _created = create_once(
        Drill.objects.filter(school=school, recorded_by=actor), submission_key, create
    )
    return drill


def drill_update(
    drill,
    *,
    actor,
    kind,
    held_on,
    participants,
    evacuation_seconds=None,
    title="",
    location="",
    notes="",
    photos=(),
):
    """Correct a drill's record and add photos (earlier photos stay)."""
    require(actor, drill.school_id, "safety.change_drill", _("You cannot change drills."))
    fields = _drill_fields(kind, held_on, participants, evacuation_seconds, title, location, notes)
    with StoredFiles() as files, transaction.atomic():
        drill = Drill.objects.select_for_update().get(pk=drill.pk)
        model_update(drill, data=fields, fields=DRILL_FIELDS)
        _drill_photos(files, drill, photos, actor)
    return drill


# --- Responsibility agreements -------------------------------------------------------------


def agreement_record(
    *, school, actor, signer, kind, year, signed_on, title="", scan=None, submission_key=None
):
    """Record that ``signer`` signed an agreement of ``kind`` for the academic ``year``
    (2026 = 2026~2027) on ``signed_on``; ``scan`` (optional) is the scanned copy, a PDF
    (checked by its bytes and size) or a picture. ``title`` defaults to the kind's name.
    One valid agreement of a kind per person and year. Returns the agreement; the same
    form sent twice (its ``submission_key``) records it once."""
    require(
        actor,
        school.pk,
        "safety.add_safetyagreement",
        _("You cannot record responsibility agreements."),
    )
    check_person(school, signer, "signer")
    if kind not in AgreementKind.values:
        raise ValidationError({"kind": _("Choose the kind of agreement.")})
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": _("Enter the academic year.")}) from None
    signed_on = as_date(signed_on, "signed_on")
    mine = SafetyAgreement.objects.filter(school=school, recorded_by=actor)
    if submission_key is not None and (made := mine.filter(submission_key=submission_key).first()):
        return made  # the same form, sent again (before the rules refuse a second one)
    agreement = SafetyAgreement(
        school=school,
        signer=signer,
        kind=kind,
        title=text(title) or str(AgreementKind(kind).label),
        year=year,
        signed_on=signed_on,
        recorded_by=actor,
        submission_key=submission_key,
    )
    agreement.full_clean(exclude=["file", "file_type", "file_size", "submission_key"])

    def create():
        with StoredFiles() as files:
            if scan is not None:
                stored = files.add(scan_store(scan))
                agreement.file = stored.name
                agreement.file_type = stored.content_type
                agreement.file_size = stored.size
            with transaction.atomic():
                agreement.save()
        return agreement

    try:
        agreement, _created = create_once(mine, submission_key, create)
    except IntegrityError:
        raise ValidationError(
            _("This person already has this agreement for this academic year.")
        ) from None
    return agreement


@transaction.atomic
def agreement_retire(agreement, *, actor, reason):
    """Withdraw an agreement recorded by mistake or replaced; it is kept, not counted."""
    agreement = SafetyAgreement.objects.select_for_update().get(pk=agreement.pk)
    require(
        actor,
        agreement.school_id,
        "safety.change_safetyagreement",
        _("You cannot change responsibility agreements."),
    )
    reason = text(reason)
    if not reason:
        raise ValidationError({"reason": _("Say why the agreement is withdrawn.")})
    if not agreement.is_active:
        raise Refusal(_("This agreement is already withdrawn."), STATUS)
    agreement.is_active = False
    agreement.retired_reason = reason[:200]
    agreement.save(update_fields=["is_active", "retired_reason"])
    status_record(
        agreement,
        from_status="valid",
        to_status="withdrawn",
        actor=actor,
        field="is_active",
        note=reason,
    )
    return agreement
