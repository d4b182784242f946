"""Reads of campus safety: who sees what, the lists, one object with its parts, the media
check, and counts for home cards. (What a user may do next is the steps' declaration:
``safety.services.hazards.hazard_steps``, ``safety.services.inspections.inspection_steps``.)

Every list starts from ``Model.objects.for_user(user)``: another school's object is never
among them (a 404 on the pages). The statistics are in ``safety.selectors.stats``.
"""

from django.db.models import BooleanField, Count, ExpressionWrapper, Prefetch, Q
from django.utils import timezone

from logistics.common.figures import kept_figures
from logistics.common.ids import as_id
from logistics.selectors import status_history
from safety.choices import (
    OPEN_HAZARD_STATUSES,
    OPEN_INSPECTION_STATUSES,
    HazardLevel,
    HazardStatus,
    Outcome,
)
from safety.models import (
    ChecklistItem,
    ChecklistTemplate,
    Drill,
    DrillPhoto,
    Hazard,
    HazardDeferral,
    HazardPhoto,
    Inspection,
    InspectionResult,
    InspectionSchedule,
    SafetyAgreement,
)
from safety.overdue import hazard_overdue_q, inspection_overdue_q
from safety.selectors import sql
from safety.uploads import AGREEMENT_SCANS, DRILL_PHOTOS, HAZARD_PHOTOS, INSPECTION_PHOTOS

# --- Checklists and schedules ---------------------------------------------------------


def template_list(user):
    """The school's checklists with ``item_count`` (items in use)."""
    return ChecklistTemplate.objects.for_user(user).annotate(
        item_count=Count("items", filter=Q(items__is_active=True))
    )


def template_items(template, *, include_retired=False):
    items = ChecklistItem.objects.filter(template=template)
    if not include_retired:
        items = items.filter(is_active=True)
    return items.order_by("sort_order", "pk")


def templates_in_use(school):
    return ChecklistTemplate.objects.filter(school=school, is_active=True).order_by("kind", "name")


def schedule_list(user):
    return (
        InspectionSchedule.objects.for_user(user)
        .select_related("template", "inspector")
        .prefetch_related("rooms__building")
    )


# --- Inspections ------------------------------------------------------------------------


def inspection_visible(user):
    """The inspections ``user`` may open: all of the school's for those who may view
    inspections (general affairs, safety officers, principal), else their own."""
    inspections = Inspection.objects.for_user(user)
    if user.has_perm("safety.view_inspection"):
        return inspections
    return inspections.filter(inspector=user)


def inspection_opens(user, inspection):
    """Whether ``user`` may open ``inspection`` (``inspection_visible``), decided from
    the inspection read with a page's record when the user belongs to a school (no
    query); asked of the database otherwise."""
    if user.school_id and not user.is_superuser:
        return inspection.school_id == user.school_id and (
            inspection.inspector_id == user.pk or user.has_perm("safety.view_inspection")
        )
    return inspection_visible(user).filter(pk=inspection.pk).exists()


def inspection_list(user, now=None):
    """The inspections for a list page, with ``is_overdue`` computed in SQL."""
    return (
        inspection_visible(user)
        .select_related("template", "inspector", "room__building")
        .annotate(is_overdue=ExpressionWrapper(inspection_overdue_q(now), BooleanField()))
    )


def inspections_to_do(user, now=None):
    """The user's own inspections to do or in progress whose period has begun, the
    earliest due first (the inspector's home card and "my inspections")."""
    now = now or timezone.now()
    return (
        Inspection.objects.filter(
            inspector=user,
            status__in=OPEN_INSPECTION_STATUSES,
            period_start__lte=timezone.localdate(now),
        )
        .select_related("template", "room__building")
        .annotate(is_overdue=ExpressionWrapper(inspection_overdue_q(now), BooleanField()))
        .order_by("due_at", "pk")
    )


def inspections_done(user):
    """The user's own inspections no longer open (submitted, cancelled), latest first
    (the "done recently" of their list), with what their cards show. None is overdue:
    only an open one can be."""
    return (
        inspection_visible(user)
        .filter(inspector=user)
        .exclude(status__in=OPEN_INSPECTION_STATUSES)
        .select_related("template", "room__building")
        .order_by("-period_end", "-pk")
    )


def inspections_upcoming(user, now=None):
    """The user's own open inspections whose period has not begun, the earliest first."""
    today = timezone.localdate(now or timezone.now())
    return (
        Inspection.objects.filter(
            inspector=user, status__in=OPEN_INSPECTION_STATUSES, period_start__gt=today
        )
        .select_related("template", "room__building")
        .order_by("period_start", "pk")
    )


def inspection_page(user, pk):
    """One inspection the user may see (``inspection_opens``), for its page: with its
    checklist, inspector and room, read by one statement (its results are read by the
    page: ``inspection_answers``, or ``inspection_results``). Its school is the user's,
    when it is, without a query. Raises ``Inspection.DoesNotExist``."""
    from safety.selectors import sql

    pk = as_id(pk)
    inspection = sql.inspection_with_parts(pk) if pk is not None else None
    if inspection is None or not inspection_opens(user, inspection):
        raise Inspection.DoesNotExist
    if user.school_id is not None and inspection.school_id == user.school_id:
        inspection.school = user.school
    return inspection


def inspection_results(inspection):
    """The results of ``inspection`` in checklist order, with their items (for the
    guidance), hazards, rooms and who recorded them."""
    return list(
        InspectionResult.objects.filter(inspection=inspection)
        .select_related("item", "hazard", "room__building", "recorded_by")
        .order_by("sort_order", "pk")
    )


def inspection_answers(inspection):
    """What each result of ``inspection`` holds, in checklist order, as plain values
    (``sql.ANSWER_KEYS``): one statement."""
    from safety.selectors import sql

    return sql.inspection_answers(inspection.pk)


def _room_label(card):
    label = f"{card['room__building__name']} {card['room__number']}"
    return f"{label} {card['room__name']}" if card["room__name"] else label


def inspector_list(user, now=None, *, to_do=50, upcoming=10, done=25, offset=0):
    """The cards of an inspector's list: ``(to_do, coming_up, done)``, the inspections of
    ``inspections_to_do`` (at most ``to_do``), ``inspections_upcoming`` and a page of
    ``inspections_done`` (``done`` from ``offset``), as dicts of
    ``sql.INSPECTION_CARD_KEYS`` plus ``period_label``, ``room_label`` (the room's
    ``str``, "" without one) and ``is_overdue`` (the rule of ``safety.overdue``): one
    statement (``sql.inspector_cards``). A user of no school has none of their own
    (an inspector is a person of the inspection's school): only a superuser's are read
    then, by inspector alone."""
    from safety.overdue import inspection_overdue
    from safety.selectors import sql

    now = now or timezone.now()
    if user.school_id is None and not user.is_superuser:
        return [], [], []
    lists = sql.inspector_cards(
        user.pk,
        user.school_id,
        timezone.localdate(now),
        to_do=to_do,
        upcoming=upcoming,
        done=done,
        offset=offset,
    )
    for cards in lists:
        for card in cards:
            start, end = card["period_start"], card["period_end"]
            card["period_label"] = (
                f"{start:%Y-%m-%d}" if start == end else f"{start:%Y-%m-%d} ~ {end:%Y-%m-%d}"
            )
            card["room_label"] = _room_label(card) if card["room_id"] else ""
            card["is_overdue"] = inspection_overdue(card["status"], card["due_at"], now)
    return lists


def inspector_list_kept(user, now=None, **sizes):
    """``inspector_list`` kept under the school's figures stamp (raised by every write to
    an inspection, a checklist, a room or a person), the user, the page and the day, and
    until the first card to do falls due (it is overdue from then on)."""
    now = now or timezone.now()
    if user.school is None:
        return inspector_list(user, now, **sizes)

    def compute():
        lists = inspector_list(user, now, **sizes)
        falls_due = [c["due_at"] for c in lists[0] if not c["is_overdue"] and c["due_at"]]
        return lists, min(falls_due, default=None)

    parts = (user.pk, *(f"{k}={v}" for k, v in sorted(sizes.items())))
    return kept_figures("safety:inspector-cards", user.school, compute, *parts, now=now)


def inspection_progress(inspection):
    """``{"total", "answered", "hazards", "ok", "not_applicable"}`` of its results (one query)."""
    return InspectionResult.objects.filter(inspection=inspection).aggregate(
        total=Count("pk"),
        answered=Count("pk", filter=~Q(outcome="")),
        hazards=Count("pk", filter=Q(outcome=Outcome.HAZARD)),
        ok=Count("pk", filter=Q(outcome=Outcome.OK)),
        not_applicable=Count("pk", filter=Q(outcome=Outcome.NOT_APPLICABLE)),
    )


# --- Hazards ----------------------------------------------------------------------------


def hazard_visible(user):
    """The hazards ``user`` may open: all of the school's for those who may view hazards
    (general affairs, safety officers, principal); otherwise those they reported and those
    they are responsible for. District viewers see none yet."""
    hazards = Hazard.objects.for_user(user)
    if user.has_perm("safety.view_hazard"):
        return hazards
    return hazards.filter(Q(found_by=user) | Q(responsible_person=user))


def hazard_list(user, today=None):
    """Hazards for the ledger (隐患台账), with ``is_overdue`` computed in SQL."""
    return (
        hazard_visible(user)
        .select_related("room__building", "department", "responsible_person")
        .annotate(is_overdue=ExpressionWrapper(hazard_overdue_q(today), BooleanField()))
    )


def my_hazards(user, today=None):
    """Hazards the user must rectify (responsible, not yet closed), the earliest deadline
    first."""
    return (
        Hazard.objects.filter(
            responsible_person=user,
            status__in=[*OPEN_HAZARD_STATUSES, HazardStatus.AWAITING_CHECK],
        )
        .select_related("room__building")
        .annotate(is_overdue=ExpressionWrapper(hazard_overdue_q(today), BooleanField()))
        .order_by("deadline", "pk")
    )


def hazards_overdue(school, today=None):
    """The school's overdue list: still to be rectified after the deadline, the longest
    overdue first."""
    return (
        Hazard.objects.filter(hazard_overdue_q(today), school=school)
        .select_related("room__building", "department", "responsible_person")
        .order_by("deadline", "pk")
    )


def hazards_to_check(user):
    """Rectified hazards awaiting the check that ``user`` may check (not their own)."""
    if not user.has_perm("safety.verify_hazard"):
        return Hazard.objects.none()
    return (
        Hazard.objects.for_user(user)
        .filter(status=HazardStatus.AWAITING_CHECK)
        .exclude(rectified_by=user)
        .exclude(responsible_person=user)
        .select_related("room__building", "responsible_person", "rectified_by")
        .order_by("rectified_at", "pk")
    )


def hazard_detail(user, pk, *, with_school=False):
    """One hazard the user may see, with its photos, plan, arrangements and source (and
    its school and district ``with_school``: the page needs only their ids, and every
    relation joined costs the query's compilation more than its run).
    Raises ``Hazard.DoesNotExist``. The history: ``hazard_history``.

    For a user of a school (the pages' case) the hazard and its status log are read by
    one hand-written statement (``sql.hazard_page``, the same instances) and who may see
    it is decided on its row, as ``hazard_visible`` decides; otherwise by the ORM."""
    if user.is_authenticated and user.school_id and not user.is_superuser:
        if as_id(pk) is None:
            raise Hazard.DoesNotExist
        hazard, history = sql.hazard_page(as_id(pk), user.school_id, with_school=with_school)
        if hazard is None or not (
            user.has_perm("safety.view_hazard")
            or user.pk in (hazard.found_by_id, hazard.responsible_person_id)
        ):
            raise Hazard.DoesNotExist
        hazard.status_log = history
        return hazard
    return hazard_detail_orm(user, pk, with_school=with_school)


def hazard_detail_orm(user, pk, *, with_school=False):
    """``hazard_detail`` read by the ORM (any user; the statements' reference)."""
    related = ("school__district",) if with_school else ()
    return (
        hazard_visible(user)
        .select_related(
            *related,
            "room__building",
            "department",
            "responsible_person",
            "found_by",
            "rectified_by",
            "verified_by",
            "inspection__template",
            "source_item",
            "plan__responsible_person",
        )
        .prefetch_related(
            Prefetch("photos", queryset=HazardPhoto.objects.order_by("created_at", "pk")),
            Prefetch(
                "deferrals",
                queryset=HazardDeferral.objects.select_related("created_by").order_by(
                    "created_at", "pk"
                ),
            ),
        )
        .get(pk=pk)
    )


def hazard_history(hazard):
    """The status log of ``hazard`` (``logistics.selectors.status_history``), oldest
    first: the one ``hazard_detail`` read with the hazard, else read now."""
    found = getattr(hazard, "status_log", None)
    return found if found is not None else list(status_history(hazard))


# --- Drills and agreements ----------------------------------------------------------------


def drill_list(user):
    drills = Drill.objects.for_user(user)
    if not user.has_perm("safety.view_drill"):
        return drills.none()
    return drills.select_related("recorded_by").annotate(photo_count=Count("photos"))


def drill_detail(user, pk):
    return (
        drill_list(user)
        .prefetch_related(
            Prefetch("photos", queryset=DrillPhoto.objects.order_by("created_at", "pk"))
        )
        .get(pk=pk)
    )


def agreement_visible(user):
    """All of the school's agreements for those who may view them; else one's own."""
    agreements = SafetyAgreement.objects.for_user(user)
    if user.has_perm("safety.view_safetyagreement"):
        return agreements
    return agreements.filter(signer=user)


def agreement_list(user):
    return agreement_visible(user).select_related("signer__department", "recorded_by")


# --- Media --------------------------------------------------------------------------------


def media_readable(user, name):
    """May ``user`` read the safety file stored as ``name``? (``registry.media`` for
    ``safety/``: ``safety/media.py``.) The folder says which record names the file: a
    photo of a hazard the user may see, of an inspection result (or the hazard it
    became), of a drill, or the scan of an agreement. One or two indexed queries."""
    if not user.is_authenticated:
        return False
    folder = name.rsplit("/", 4)[0] if name.count("/") >= 4 else ""
    if folder == HAZARD_PHOTOS:
        return HazardPhoto.objects.filter(
            image=name, hazard__in=hazard_visible(user).values("pk")
        ).exists()
    if folder == INSPECTION_PHOTOS:
        if InspectionResult.objects.filter(
            photo=name, inspection__in=inspection_visible(user).values("pk")
        ).exists():
            return True
        return HazardPhoto.objects.filter(
            image=name, hazard__in=hazard_visible(user).values("pk")
        ).exists()
    if folder == DRILL_PHOTOS:
        return DrillPhoto.objects.filter(
            image=name, drill__in=drill_list(user).values("pk")
        ).exists()
    if folder == AGREEMENT_SCANS:
        return agreement_visible(user).filter(file=name).exists()
    return False


# --- Counts for home cards (one aggregate query each) -------------------------------------


def inspector_counts(user, now=None, *, with_next_change=False):
    """The user's inspections: to do now, overdue; hazards they must rectify, overdue.
    With ``with_next_change``, ``(counts, when the next of them falls due)``: until then,
    on the same day, no count changes but by a write."""
    from django.db.models import Min

    now = now or timezone.now()
    today = timezone.localdate(now)
    extra = {"next_due": Min("due_at", filter=Q(due_at__gt=now))} if with_next_change else {}
    inspections = Inspection.objects.filter(
        inspector=user, status__in=OPEN_INSPECTION_STATUSES, period_start__lte=today
    ).aggregate(to_do=Count("pk"), overdue=Count("pk", filter=inspection_overdue_q(now)), **extra)
    hazards = Hazard.objects.filter(
        responsible_person=user, status__in=OPEN_HAZARD_STATUSES
    ).aggregate(to_rectify=Count("pk"), overdue=Count("pk", filter=hazard_overdue_q(today)))
    counts = {
        "inspections_to_do": inspections["to_do"],
        "inspections_overdue": inspections["overdue"],
        "hazards_to_rectify": hazards["to_rectify"],
        "hazards_overdue": hazards["overdue"],
    }
    if with_next_change:
        return counts, inspections["next_due"]
    return counts


def school_counts(school, now=None):
    """The school's open hazards by step, overdue and major ones (one query)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    return Hazard.objects.filter(
        school=school,
        status__in=[*OPEN_HAZARD_STATUSES, HazardStatus.AWAITING_CHECK],
    ).aggregate(
        reported=Count("pk", filter=Q(status=HazardStatus.REPORTED)),
        rectifying=Count("pk", filter=Q(status=HazardStatus.RECTIFYING)),
        awaiting_check=Count("pk", filter=Q(status=HazardStatus.AWAITING_CHECK)),
        overdue=Count("pk", filter=hazard_overdue_q(today)),
        major=Count("pk", filter=Q(level=HazardLevel.MAJOR)),
    )
