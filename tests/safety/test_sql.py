"""Campus safety's hand-written SQL (``safety.selectors.sql``) reads what the ORM reads:
each statement against an ORM query written here for the purpose, on the database in use
(the rate's statement is written differently for PostgreSQL and SQLite: both are run)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Case, Count, DateTimeField, F, IntegerField, Q, Value, When

from logistics.common.periods import period_bounds
from safety.choices import (
    OPEN_HAZARD_STATUSES,
    OPEN_INSPECTION_STATUSES,
    HazardLevel,
    HazardStatus,
    InspectionKind,
    InspectionStatus,
    SafetyArea,
)
from safety.models import Hazard, Inspection
from safety.selectors import sql
from safety.selectors.stats import RATE_DIMENSIONS, months
from safety.services.common import day_end
from tests import factories
from tests.safety_factories import HazardFactory, InspectionFactory, template_with_items

TZ = ZoneInfo("Asia/Shanghai")
D = datetime.date
NOW = datetime.datetime(2026, 10, 15, 12, 0, tzinfo=TZ)
TODAY = D(2026, 10, 15)


def at(month, day, hour=9, minute=0):
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def hazards(school, other_school):
    """Hazards of every kind the figures tell apart, around September and October (local
    time), withdrawn ones, one of another school and one before the period."""
    offices = factories.DepartmentFactory(school=school, name="总务处")
    canteen = factories.DepartmentFactory(school=school, name="食堂")
    east = factories.RoomFactory(building=factories.BuildingFactory(school=school, name="求真楼"))
    west = factories.RoomFactory(building=factories.BuildingFactory(school=school, name="明德楼"))
    west2 = factories.RoomFactory(building=west.building)
    monthly = InspectionFactory(
        school=school, template=template_with_items(school, kind=InspectionKind.MONTHLY)
    )
    daily = InspectionFactory(school=school)
    made = []

    def make(found, status=HazardStatus.REPORTED, **kwargs):
        made.append(HazardFactory(school=school, found_at=found, status=status, **kwargs))

    make(at(9, 1, 0, 0), HazardStatus.CLOSED, closed_at=at(9, 5), department=offices, room=east)
    make(at(9, 30, 23, 59), HazardStatus.CLOSED, closed_at=at(10, 1, 0, 1), room=west)
    make(
        at(9, 10),
        HazardStatus.CLOSED,
        closed_at=at(10, 31, 23, 59),
        level=HazardLevel.MAJOR,
        category=SafetyArea.ELECTRICAL,
        department=canteen,
        inspection=monthly,
    )
    make(
        at(9, 12),
        HazardStatus.RECTIFYING,
        deadline=D(2026, 10, 1),
        level=HazardLevel.MAJOR,
        department=offices,
        room=west2,
        inspection=daily,
        deferral_count=2,
    )
    make(at(10, 2), HazardStatus.REPORTED, deadline=D(2026, 10, 20), category=SafetyArea.CANTEEN)
    make(at(10, 3), HazardStatus.REPORTED, deadline=D(2026, 10, 14), room=east)
    make(at(10, 4), HazardStatus.AWAITING_CHECK, department=canteen, inspection=monthly)
    make(at(10, 31, 23, 59), HazardStatus.CLOSED, closed_at=at(11, 1, 8), deferral_count=1)
    make(at(9, 15), HazardStatus.WITHDRAWN)
    make(at(8, 31, 23, 59), HazardStatus.CLOSED, closed_at=at(9, 2))
    HazardFactory(school=other_school, found_at=at(9, 10))
    return made


def orm_groups(school, start, end, *, dims, detail, today):
    """``sql.rectification_groups`` by the ORM: one query per group of rows."""
    since, until = period_bounds(start, end)
    firsts = [period_bounds(month, month)[0] for month in months(start, end)]
    hazards = Hazard.objects.filter(school=school, found_at__gte=since, found_at__lt=until).exclude(
        status=HazardStatus.WITHDRAWN
    )
    month = Case(
        *(When(found_at__lt=first, then=Value(i)) for i, first in enumerate(firsts[1:])),
        default=Value(len(firsts) - 1),
        output_field=IntegerField(),
    )
    month_end = Case(
        *(When(found_at__lt=first, then=Value(first)) for first in firsts[1:]),
        default=Value(until),
        output_field=DateTimeField(),
    )
    hazards = hazards.annotate(m=month, month_end=month_end)
    rectified = Q(status=HazardStatus.CLOSED, closed_at__lt=until)
    is_open = Q(status__in=OPEN_HAZARD_STATUSES)
    sums = {
        "rectified": Count("pk", filter=rectified),
        "overdue": Count("pk", filter=is_open & Q(deadline__lt=today)),
        "deferred": Count("pk", filter=Q(deferral_count__gt=0)),
    }
    if "month" in dims:
        sums["rectified_in_month"] = Count("pk", filter=rectified & Q(closed_at__lt=F("month_end")))
    if detail:
        sums.update(
            major=Count("pk", filter=Q(level=HazardLevel.MAJOR)),
            open=Count("pk", filter=is_open),
            awaiting_check=Count("pk", filter=Q(status=HazardStatus.AWAITING_CHECK)),
        )
    # dim: the columns grouped by → (ki, kt, lv) of a row
    shapes = {
        "total": (("status", "level"), lambda r: (None, r["status"], r["level"])),
        "month": (("m",), lambda r: (r["m"], None, None)),
        "category": (("category",), lambda r: (None, r["category"], None)),
        "department": (
            ("department", "department__name"),
            lambda r: (r["department"], r["department__name"], None),
        ),
        "building": (
            ("room__building", "room__building__name"),
            lambda r: (r["room__building"], r["room__building__name"], None),
        ),
        "source": (("inspection__kind",), lambda r: (None, r["inspection__kind"], None)),
    }
    groups = []
    for dim in ("total", *(d for d in dims if d != "level")):
        columns, keys = shapes[dim]
        for row in hazards.order_by().values(*columns).annotate(found=Count("pk"), **sums):
            values = {name: row[name] for name in ("found", *sums)}
            groups.append((dim, *keys(row), values))
    return groups


def ordered(groups):
    return sorted(groups, key=repr)


@pytest.mark.django_db
@pytest.mark.parametrize("detail", [True, False])
@pytest.mark.parametrize(
    "dims",
    [RATE_DIMENSIONS, ("month", "category", "level", "department"), ("month",), ()],
    ids=["all", "rate-page", "months", "totals"],
)
@pytest.mark.parametrize(
    "period",
    [(D(2026, 9, 1), D(2026, 10, 31)), (D(2026, 9, 10), D(2026, 9, 30))],
    ids=["two-months", "part-of-a-month"],
)
def test_rectification_groups_are_the_orms(school, hazards, period, dims, detail):
    found = sql.rectification_groups(
        school, *period, months=list(months(*period)), dims=dims, detail=detail, today=TODAY
    )
    expected = orm_groups(school, *period, dims=dims, detail=detail, today=TODAY)
    assert ordered(found) == ordered(expected)
    assert sum(values["found"] for dim, *_keys, values in found if dim == "total") == (
        8 if period[1].month == 10 else 3
    )


OVERDUE_FIELDS = sql.OVERDUE_FIELDS


@pytest.mark.django_db
@pytest.mark.parametrize("limit", [1, 2, 10])
def test_overdue_hazards_are_the_orms(school, hazards, limit):
    # Overdue on the 15th: a reported one and a rectifying one (others: not yet, closed).
    HazardFactory(
        school=school, found_at=at(8, 20), status=HazardStatus.RECTIFYING, deadline=D(2026, 10, 1)
    )
    found = sql.overdue_hazards(school, limit=limit, today=TODAY)

    overdue = Hazard.objects.filter(
        school=school, status__in=OPEN_HAZARD_STATUSES, deadline__lt=TODAY
    ).order_by("deadline", "pk")
    assert found == (list(overdue.values(*OVERDUE_FIELDS)[:limit]), overdue.count())
    assert found[1] == 3


@pytest.mark.django_db
def test_no_overdue_hazard(school):
    assert sql.overdue_hazards(school, limit=10, today=TODAY) == ([], 0)


@pytest.mark.django_db
def test_inspection_counts_are_the_orms(school, other_school):
    monthly = template_with_items(school, kind=InspectionKind.MONTHLY)

    def make(end, status, submitted_at=None, template=None):
        not_started = status in (InspectionStatus.PLANNED, InspectionStatus.CANCELLED)
        return InspectionFactory(
            school=school,
            period_start=end,
            period_end=end,
            status=status,
            started_at=None if not_started else day_end(end) - datetime.timedelta(hours=1),
            submitted_at=submitted_at,
            **({"template": template} if template else {}),
        )

    make(D(2026, 9, 1), InspectionStatus.SUBMITTED, at(9, 1, 20))  # on time
    make(D(2026, 9, 2), InspectionStatus.SUBMITTED, at(9, 4))  # late
    make(D(2026, 9, 3), InspectionStatus.PLANNED)  # missed
    make(D(2026, 10, 20), InspectionStatus.DRAFT)  # still open
    make(D(2026, 9, 30), InspectionStatus.CANCELLED, template=monthly)
    make(D(2026, 9, 30), InspectionStatus.PLANNED, template=monthly)
    make(D(2026, 8, 31), InspectionStatus.SUBMITTED, at(8, 31))  # before the period
    InspectionFactory(school=other_school, period_start=D(2026, 9, 5), period_end=D(2026, 9, 5))
    start, end = D(2026, 9, 1), D(2026, 10, 31)

    found = sql.inspection_counts(school, start, end, now=NOW)

    to_do = Q(status__in=OPEN_INSPECTION_STATUSES)
    submitted = Q(status=InspectionStatus.SUBMITTED)
    cancelled = Q(status=InspectionStatus.CANCELLED)
    rows = (
        Inspection.objects.filter(school=school, period_end__gte=start, period_end__lte=end)
        .order_by()
        .values("kind")
        .annotate(
            total=Count("pk", filter=~cancelled),
            submitted=Count("pk", filter=submitted),
            on_time=Count("pk", filter=submitted & Q(submitted_at__lte=F("due_at"))),
            missed=Count("pk", filter=to_do & Q(due_at__lte=NOW)),
            open=Count("pk", filter=to_do & Q(due_at__gt=NOW)),
            cancelled=Count("pk", filter=cancelled),
        )
    )
    assert found == {row.pop("kind"): row for row in rows}
    assert set(found) == {InspectionKind.DAILY, InspectionKind.MONTHLY}
    assert found[InspectionKind.DAILY] == {
        "total": 4,
        "submitted": 2,
        "on_time": 1,
        "missed": 1,
        "open": 1,
        "cancelled": 0,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("order", [("-found_at", "-pk"), ("deadline", "pk"), ("status", "-pk")])
@pytest.mark.parametrize("page", [slice(0, 4), slice(3, 8), slice(20, 30)])
def test_ledger_rows_are_the_orms(school, hazards, order, page):
    """The ledger's rows: the page's ids query inside the statement (PostgreSQL) or its
    ids read first (elsewhere), and a list of ids, all as the ORM's ``values()``."""
    person = factories.UserFactory(school=school, name="张老师")
    nameless = factories.UserFactory(school=school, name="", first_name="", last_name="")
    Hazard.objects.filter(pk=hazards[3].pk).update(responsible_person=person)
    Hazard.objects.filter(pk=hazards[4].pk).update(responsible_person=nameless)
    visible = Hazard.objects.filter(school=school).order_by(*order)
    ids = visible.values_list("pk", flat=True)[page]
    expected = list(visible.values(*sql.LEDGER_ROW_KEYS)[page])

    assert sql.ledger_rows(ids) == expected
    assert sql.ledger_rows(list(ids)[::-1]) == expected[::-1]


@pytest.mark.django_db
def test_ledger_page_rows_are_the_page_values(school, hazards, make_user):
    """``lists.page_rows`` gives what the ledger's rows were read as before: the ORM's
    ``values(*PAGE_ROW_FIELDS)`` of ``hazard_list`` with ``is_overdue`` computed in SQL."""
    from logistics.choices import Role
    from safety import lists
    from safety.selectors import hazard_list

    user = make_user(Role.GENERAL_AFFAIRS, school)
    listed = hazard_list(user, TODAY).order_by("-found_at", "-pk")
    expected = list(listed.values(*lists.PAGE_ROW_FIELDS))
    found = lists.page_rows(listed.values_list("pk", flat=True), TODAY)
    assert found == expected
    assert any(row["is_overdue"] for row in found)
    assert sql.ledger_rows(Hazard.objects.none().values_list("pk", flat=True)) == []
    assert sql.ledger_rows([]) == []


# --- Hazards (detail) ------------------------------------------------------------------------


def _values(obj):
    """An instance's columns (None for no instance)."""
    if obj is None:
        return None
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


HAZARD_RELATIONS = (
    "room",
    "room.building",
    "department",
    "responsible_person",
    "found_by",
    "rectified_by",
    "verified_by",
    "inspection",
    "inspection.template",
    "source_item",
    "plan",
    "plan.responsible_person",
)


def _related(hazard, path):
    obj = hazard
    for name in path.split("."):
        obj = getattr(obj, name, None) if obj is not None else None
    return obj


def _hazard_page_values(hazard, history, with_school):
    paths = HAZARD_RELATIONS + (("school", "school.district") if with_school else ())
    return {
        "hazard": _values(hazard),
        **{path: _values(_related(hazard, path)) for path in paths},
        "photos": [_values(p) for p in hazard.photos.all()],
        "deferrals": [(_values(d), _values(d.created_by)) for d in hazard.deferrals.all()],
        "history": [(_values(c), _values(c.actor), c.content_type_id) for c in history],
    }


@pytest.fixture
def detailed_hazards(school, other_school):
    """Hazards with and without each of the page's relations: a major one with its plan,
    photos, arrangements and a status log (one change by nobody); one found in an
    inspection at a checklist item; a bare one; and one of another school."""
    from logistics.common.workflow import status_record
    from safety.models import HazardDeferral, HazardPhoto, RectificationPlan

    person = factories.UserFactory(school=school, name="张老师")
    department = factories.DepartmentFactory(school=school, name="总务处")
    room = factories.RoomFactory(building=factories.BuildingFactory(school=school, name="求真楼"))
    major = HazardFactory(
        school=school,
        level=HazardLevel.MAJOR,
        status=HazardStatus.AWAITING_CHECK,
        room=room,
        department=department,
        responsible_person=person,
        deadline=D(2026, 10, 1),
        deferral_count=2,
    )
    RectificationPlan.objects.create(
        hazard=major,
        measures="更换线路",
        funding="1200.50",
        responsible_person=person,
        deadline=D(2026, 11, 1),
        interim_measures="设置围挡",
        created_by=person,
    )
    for i, kind in enumerate(("found", "rectified", "found")):
        HazardPhoto.objects.create(
            hazard=major, kind=kind, image=f"h/{i}.jpg", width=4, height=3, uploaded_by=person
        )
    HazardDeferral.objects.create(
        hazard=major,
        reason="等待采购",
        previous_deadline=D(2026, 9, 1),
        new_deadline=D(2026, 9, 15),
        created_by=person,
    )
    HazardDeferral.objects.create(
        hazard=major,
        reason="再等",
        new_deadline=D(2026, 10, 1),
        interim_measures="巡查",
        created_by=person,
    )
    status_record(major, from_status="", to_status=HazardStatus.REPORTED, actor=person)
    status_record(major, from_status=HazardStatus.REPORTED, to_status=HazardStatus.RECTIFYING)
    template = template_with_items(school)
    found = HazardFactory(
        school=school,
        inspection=InspectionFactory(school=school, template=template),
        source_item=template.items.first(),
        status=HazardStatus.CLOSED,
        closed_at=NOW,
    )
    bare = HazardFactory(school=school)
    theirs = HazardFactory(school=other_school)
    return major, found, bare, theirs


@pytest.mark.django_db
@pytest.mark.parametrize("with_school", [False, True])
def test_hazard_page_is_the_orms(school, detailed_hazards, make_user, with_school):
    """The hazard's page's one statement gives the instances ``hazard_detail`` read by the
    ORM gives (each relation, or its absence; the photos, arrangements and status log in
    their order), and nothing for another school's hazard or no hazard."""
    from logistics.choices import Role
    from logistics.selectors import status_history
    from safety.selectors import hazard_detail_orm

    user = make_user(Role.GENERAL_AFFAIRS, school)
    major, found, bare, theirs = detailed_hazards
    for hazard in (major, found, bare):
        expected = hazard_detail_orm(user, hazard.pk, with_school=with_school)
        read, history = sql.hazard_page(hazard.pk, school.pk, with_school=with_school)
        assert _hazard_page_values(read, history, with_school) == _hazard_page_values(
            expected, list(status_history(expected)), with_school
        )
        assert all(photo.hazard is read for photo in read.photos.all())
        if hazard is major:
            assert read.plan.hazard is read
            assert [p.image for p in read.photos.all()] == ["h/0.jpg", "h/1.jpg", "h/2.jpg"]
            assert len(history) == 2
            assert history[1].actor is None
    assert sql.hazard_page(theirs.pk, school.pk) == (None, [])
    assert sql.hazard_page(0, school.pk) == (None, [])
    assert sql.hazard_page("x", school.pk) == (None, [])


@pytest.mark.django_db
def test_hazard_page_reads_in_one_statement(school, detailed_hazards, django_assert_num_queries):
    major = detailed_hazards[0]
    with django_assert_num_queries(1):
        hazard, history = sql.hazard_page(major.pk, school.pk)
        _hazard_page_values(hazard, history, False)
