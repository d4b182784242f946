"""The demo's semester of campus safety records (``seed_demo``) and the bench's safety data."""

from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils import timezone

from logistics.bench import BenchData, BenchPage
from logistics.bench.generate import generate
from logistics.choices import Role
from logistics.common.registry import DemoSeeder, Registry, registry
from logistics.management.commands.seed_demo import ACCOUNTS
from logistics.management.commands.seed_demo import Command as SeedDemo
from logistics.models import School, StatusChange, User
from safety import bench as safety_bench
from safety import demo as safety_demo
from safety.choices import (
    OPEN_HAZARD_STATUSES,
    DrillKind,
    Frequency,
    HazardLevel,
    HazardStatus,
    InspectionKind,
    InspectionStatus,
    Outcome,
)
from safety.defaults import AREA_ITEMS
from safety.models import (
    ChecklistTemplate,
    Drill,
    Hazard,
    HazardDeferral,
    Inspection,
    InspectionResult,
    InspectionSchedule,
    RectificationPlan,
    SafetyAgreement,
)
from safety.selectors.stats import agreement_coverage, drill_months, rectification_rate
from tests import factories

SAFETY_MODELS = [
    ChecklistTemplate,
    InspectionSchedule,
    Inspection,
    InspectionResult,
    Hazard,
    RectificationPlan,
    HazardDeferral,
    Drill,
    SafetyAgreement,
]


def last_status(model):
    """The ``to_status`` of each row's latest recorded change of status (a subquery)."""
    changes = StatusChange.objects.filter(
        content_type__app_label="safety",
        content_type__model=model._meta.model_name,
        field="status",
        object_id=OuterRef("pk"),
    ).order_by("-at", "-pk")
    return Subquery(changes.values("to_status")[:1])


@pytest.fixture
def with_seeder():
    """The safety app's demo seeder registered (as ``SafetyConfig.ready()`` will)."""
    added = "safety" not in registry.demo_seeders
    if added:
        registry.register_module(safety_demo)
    yield
    if added:
        del registry.demo_seeders["safety"]


@pytest.fixture
def demo(db, with_seeder):
    call_command("seed_demo", stdout=StringIO())
    return School.objects.get(code="wjsy")


# --- The catalogue ---------------------------------------------------------------------------


def test_every_finding_answers_exactly_one_default_item():
    usernames = {a[0] for a in ACCOUNTS} | {f"laoshi{n:02d}" for n in range(1, 15)}
    for area, findings in safety_demo.FINDINGS.items():
        texts = [text for text, _guidance, _tags in AREA_ITEMS[area]]
        for finding in findings:
            assert sum(finding.item in t for t in texts) == 1, finding
            assert finding.note and finding.fix and finding.where
            assert finding.who in usernames, finding  # never general affairs: it checks
            assert finding.who != "zongwu"
    for phrase in safety_demo.NOT_APPLICABLE:
        assert any(phrase in t for rows in AREA_ITEMS.values() for t, _g, _t in rows), phrase


# --- The registry hook -----------------------------------------------------------------------


def test_demo_seeders_run_in_order_for_the_school_and_its_neighbour(db, monkeypatch):
    own = Registry()
    calls = []
    own.register_demo_seeder(
        DemoSeeder("late", lambda s, **kw: calls.append(("late", s.code, kw)), 20)
    )
    own.register_demo_seeder(
        DemoSeeder("early", lambda s, **kw: calls.append(("early", s.code, kw)), 10)
    )
    monkeypatch.setattr("logistics.management.commands.seed_demo.registry", own)
    school = factories.SchoolFactory(code="wjsy")
    factories.SchoolFactory(code="htsx", district=school.district)
    command = SeedDemo()
    command.seed_apps(school)
    assert [(key, code, kw["main"]) for key, code, kw in calls] == [
        ("early", "wjsy", True),
        ("early", "htsx", False),
        ("late", "wjsy", True),
        ("late", "htsx", False),
    ]
    assert all(kw["account"] == command.account for _k, _c, kw in calls)


# --- The demo --------------------------------------------------------------------------------


def test_the_demo_school_inspects_by_its_schedules(demo):
    schedules = {
        s.frequency: s
        for s in InspectionSchedule.objects.filter(school=demo).select_related("inspector")
    }
    assert set(schedules) == set(Frequency.values)
    assert schedules[Frequency.DAILY].inspector.username == "anquan"
    assert schedules[Frequency.WEEKLY].inspector.username == "anquan"
    assert schedules[Frequency.MONTHLY].inspector.username in ("zongwu", "xiaozhang")
    assert schedules[Frequency.TERM].inspector.username == "xiaozhang"
    assert ChecklistTemplate.objects.filter(school=demo).count() == 16  # the defaults

    inspections = Inspection.objects.filter(school=demo)
    assert set(inspections.values_list("kind", flat=True)) == set(InspectionKind.values)
    statuses = Counter(inspections.values_list("status", flat=True))
    assert set(statuses) == set(InspectionStatus.values)
    assert (
        statuses[InspectionStatus.SUBMITTED]
        > 0.6 * sum(statuses.values()) - statuses[InspectionStatus.CANCELLED]
    )
    now = timezone.now()
    # A few missed (never done, past due); the current periods' still to do or going on.
    missed = inspections.filter(status__in=["planned", "draft"], due_at__lt=now).count()
    assert 1 <= missed <= 6
    assert inspections.filter(status__in=["planned", "draft"], due_at__gte=now).exists()
    # Daily patrols of the last four weeks of term only, on school days (weekends cancelled).
    days = sorted(
        Inspection.objects.filter(school=demo, kind=InspectionKind.DAILY).values_list(
            "period_start", flat=True
        )
    )
    assert days and (days[-1] - days[0]).days <= 34
    daily = inspections.filter(kind=InspectionKind.DAILY)
    assert not daily.filter(status="submitted", period_start__week_day__in=[1, 7]).exists()
    # Submitted: every item answered; mostly OK, some hazards, some not applicable.
    results = InspectionResult.objects.filter(inspection__school=demo)
    assert not results.filter(inspection__status="submitted", outcome="").exists()
    outcomes = Counter(
        results.filter(inspection__status="submitted").values_list("outcome", flat=True)
    )
    assert outcomes[Outcome.OK] > 0.85 * sum(outcomes.values())
    assert outcomes[Outcome.HAZARD] >= 20 and outcomes[Outcome.NOT_APPLICABLE] >= 10
    assert results.filter(inspection__status="draft", outcome="").exists()
    assert not results.filter(inspection__status__in=["planned", "cancelled"]).exists()
    # A "hazard" answer made a hazard of the same inspection, item and level.
    found = results.filter(outcome=Outcome.HAZARD, inspection__status="submitted")
    assert not found.filter(hazard=None).exists()
    assert not found.exclude(hazard__inspection=F("inspection")).exists()
    assert not found.exclude(hazard__source_item=F("item")).exists()
    assert not found.exclude(hazard__level=F("hazard_level")).exists()
    assert not found.exclude(hazard__found_by=F("inspection__inspector")).exists()


def test_the_demo_hazards_are_in_every_state_with_their_rectification(demo):
    hazards = Hazard.objects.filter(school=demo)
    assert 100 <= hazards.count() <= 260
    statuses = Counter(hazards.values_list("status", flat=True))
    assert set(statuses) == set(HazardStatus.values)
    assert statuses[HazardStatus.CLOSED] > 0.75 * hazards.count()
    levels = Counter(hazards.values_list("level", flat=True))
    assert levels[HazardLevel.GENERAL] > 0.85 * hazards.count()
    assert 3 <= levels[HazardLevel.MAJOR] <= 20
    assert len(set(hazards.values_list("category", flat=True))) >= 10
    assert hazards.exclude(inspection=None).exists() and hazards.filter(inspection=None).exists()
    # Assigned ones have a department, a person and a deadline; majors started have a plan.
    started = hazards.exclude(status__in=["reported", "withdrawn"])
    assert not started.filter(Q(department=None) | Q(responsible_person=None) | Q(deadline=None))
    majors = started.filter(level=HazardLevel.MAJOR)
    assert majors.exists()
    assert not majors.filter(plan=None).exists()
    assert hazards.filter(status="reported", responsible_person=None).exists()  # just found
    # Deferred (整改安排) with their arrangements; a few overdue.
    deferred = hazards.filter(deferral_count__gt=0)
    assert deferred.exists()
    assert HazardDeferral.objects.filter(hazard__school=demo).count() == sum(
        deferred.values_list("deferral_count", flat=True)
    )
    today = timezone.localdate()
    overdue = hazards.filter(status__in=OPEN_HAZARD_STATUSES, deadline__lt=today).count()
    assert 1 <= overdue <= 10
    # Closed: checked by someone else than the rectifier and the responsible person, who
    # may check; some were sent back once first.
    closed = hazards.filter(status=HazardStatus.CLOSED)
    assert not closed.filter(Q(verified_by=None) | Q(closed_at=None) | Q(rectified_by=None))
    assert not closed.filter(verified_by=F("rectified_by")).exists()
    assert not closed.filter(verified_by=F("responsible_person")).exists()
    checkers = User.objects.filter(pk__in=closed.values("verified_by"))
    assert all(u.has_perm("safety.verify_hazard") for u in checkers)
    sent_back = StatusChange.objects.filter(
        school=demo,
        content_type__model="hazard",
        from_status="awaiting_check",
        to_status="rectifying",
    )
    assert sent_back.exists()
    assert closed.filter(pk__in=sent_back.values("object_id")).exists()
    # Around the 整改率 the documents report: 85–98% over the demo's span.
    rate = rectification_rate(demo, today - timedelta(days=120), today)["rate"]
    assert 85 <= rate <= 98, rate


def test_the_status_histories_tell_each_hazard_and_inspection(demo):
    now = timezone.now()
    hazards = Hazard.objects.annotate(last=last_status(Hazard))
    assert hazards.exists()
    assert not hazards.exclude(last=F("status")).exists()
    inspections = Inspection.objects.annotate(last=last_status(Inspection))
    # The tick records nothing when it makes an inspection: planned ones may have none.
    assert not inspections.exclude(last=None).exclude(last=F("status")).exists()
    assert not inspections.filter(last=None).exclude(status="planned").exists()
    changes = StatusChange.objects.filter(content_type__app_label="safety")
    assert not changes.filter(at__gt=now).exists()
    assert not changes.exclude(school__in=School.objects.filter(code__in=["wjsy", "htsx"]))
    # Every hazard's story starts with its report, when it was recorded.
    first = StatusChange.objects.filter(
        content_type__model="hazard", object_id=OuterRef("pk")
    ).order_by("at", "pk")
    hazards = Hazard.objects.annotate(
        first_to=Subquery(first.values("to_status")[:1]), first_at=Subquery(first.values("at")[:1])
    )
    assert not hazards.exclude(first_to=HazardStatus.REPORTED).exists()
    assert not hazards.exclude(first_at=F("created_at")).exists()
    assert not hazards.filter(found_at__gt=F("created_at")).exists()
    # Times in order: found, assigned, rectified, closed; none in the future.
    assert not Hazard.objects.filter(assigned_at__lt=F("found_at")).exists()
    assert not Hazard.objects.filter(rectified_at__lt=F("assigned_at")).exists()
    assert not Hazard.objects.filter(closed_at__lt=F("rectified_at")).exists()
    assert not Hazard.objects.filter(Q(found_at__gt=now) | Q(closed_at__gt=now)).exists()
    assert not Inspection.objects.filter(submitted_at__lt=F("started_at")).exists()


def test_drills_agreements_and_the_neighbour(demo):
    today = timezone.localdate()
    drills = Drill.objects.filter(school=demo)
    kinds = set(drills.values_list("kind", flat=True))
    assert {DrillKind.FIRE_EVACUATION, DrillKind.EARTHQUAKE, DrillKind.ANTI_TERROR} <= kinds
    assert not drills.filter(participants__lt=1).exists()
    fire = drills.filter(kind=DrillKind.FIRE_EVACUATION)
    assert not fire.filter(evacuation_seconds=None).exists()
    assert not drills.filter(held_on__gt=today).exists()
    first = drills.order_by("held_on").first().held_on.replace(day=1)
    months = drill_months(demo, first, today)
    # Most months of term had a drill; one did not (the requirement shows unmet).
    assert months["required"] >= 3
    assert months["met"] >= months["required"] - 2
    assert 1 <= len(months["missed"]) <= 2

    coverage = agreement_coverage(demo)
    assert 70 <= coverage["rate"] < 100
    withdrawn = SafetyAgreement.objects.filter(school=demo, is_active=False)
    assert withdrawn.count() == 1
    assert StatusChange.objects.filter(
        content_type__model="safetyagreement", object_id=withdrawn.get().pk, to_status="withdrawn"
    ).exists()
    assert SafetyAgreement.objects.filter(school=demo, year=coverage["year"] - 1).exists()

    neighbour = School.objects.get(code="htsx")
    hazards = Hazard.objects.filter(school=neighbour)
    assert 10 <= hazards.count() < Hazard.objects.filter(school=demo).count() / 3
    assert not hazards.exclude(found_by__school=neighbour).exists()
    assert not hazards.exclude(responsible_person=None).exclude(
        responsible_person__school=neighbour
    )
    assert not hazards.filter(category="dormitory").exists()  # a primary school
    assert Inspection.objects.filter(school=neighbour, status="submitted").exists()
    assert Drill.objects.filter(school=neighbour).exists()
    assert 50 <= agreement_coverage(neighbour)["rate"] < 100
    people = User.objects.filter(school=neighbour)
    assert people.filter(groups__name=Role.SAFETY_OFFICER).exists()
    assert people.filter(groups__name=Role.GENERAL_AFFAIRS).exists()


def test_a_second_seed_adds_no_safety_records(demo):
    models = [*SAFETY_MODELS, StatusChange, User]
    before = [m.objects.count() for m in models]
    call_command("seed_demo", stdout=StringIO())
    assert [m.objects.count() for m in models] == before
    # Seeding again by hand also leaves the schools alone.
    assert safety_demo.seed_safety(demo, main=True, account=SeedDemo().account) == {}


# --- The bench generator -----------------------------------------------------------------------


def test_register_adds_the_data_and_the_rate_page():
    own = Registry()
    own.register_module(safety_bench)
    data = own.bench_data["safety"]
    assert isinstance(data, BenchData) and data.order == 300
    assert data.generate is safety_bench.generate_safety
    page = own.bench_pages["safety_rate"]
    assert isinstance(page, BenchPage)
    assert (page.url, page.target) == ("/safety/rate/", 0.5)


@pytest.fixture
def bench(db):
    added = "safety" not in registry.bench_data
    if added:
        registry.register_bench_data(BenchData("safety", safety_bench.generate_safety, order=300))
    try:
        counts, _seconds = generate(schools=3, districts=2, scale=0.1, small=1, log=lambda _: None)
    finally:
        if added:
            del registry.bench_data["safety"]
    return counts


@pytest.mark.postgres
def test_bench_sizes_per_school(bench):
    schools = list(School.objects.order_by("code"))
    results = [round(safety_bench.RESULTS_PER_SCHOOL * f) for f in (0.1, 0.1, 0.01)]
    hazards = [round(safety_bench.HAZARDS_PER_SCHOOL * f) for f in (0.1, 0.1, 0.01)]
    assert [InspectionResult.objects.filter(inspection__school=s).count() for s in schools] == (
        results
    )
    assert [Hazard.objects.filter(school=s).count() for s in schools] == hazards
    assert bench["inspection results"] == sum(results)
    assert bench["hazards"] == sum(hazards)
    # Inspections of 7 to 97 items; the routine kinds hold most results.
    sizes = Inspection.objects.annotate(n=Count("results")).filter(n__gt=0)
    assert set(sizes.values_list("kind", flat=True)) == set(InspectionKind.values)
    per_kind = Counter()
    for kind, n in sizes.values_list("kind", "n"):
        per_kind[kind] += n
    assert per_kind[InspectionKind.DAILY] > 0.5 * sum(results)
    assert not sizes.filter(n__gt=97).exists()
    # Four years, up to now; the schedules' periods unique.
    now = timezone.now()
    assert Inspection.objects.filter(period_start__lt=now - timedelta(days=3 * 365)).exists()
    assert not Hazard.objects.filter(found_at__gt=now).exists()
    assert not InspectionResult.objects.filter(recorded_at__gt=now).exists()
    assert not (
        Inspection.objects.exclude(schedule=None)
        .values("schedule", "period_start")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .exists()
    )


@pytest.mark.postgres
def test_bench_hazards_are_realistic_and_consistent(bench):
    hazards = Hazard.objects.all()
    total = hazards.count()
    statuses = Counter(hazards.values_list("status", flat=True))
    assert set(statuses) == set(HazardStatus.values)
    assert statuses[HazardStatus.CLOSED] > 0.85 * total
    assert 0.02 * total <= hazards.filter(level=HazardLevel.MAJOR).count() <= 0.08 * total
    assert 0.8 * total <= hazards.exclude(inspection=None).count() <= 0.9 * total
    assert len(set(hazards.values_list("category", flat=True))) >= 10
    # Linked both ways: each hazard found in an inspection is the answer of one result.
    linked = InspectionResult.objects.exclude(hazard=None)
    assert linked.count() == hazards.exclude(inspection=None).count()
    assert not linked.exclude(hazard__inspection=F("inspection")).exists()
    assert not linked.exclude(outcome=Outcome.HAZARD).exists()
    assert not hazards.exclude(inspection=None).exclude(inspection__status="submitted").exists()
    # Checked by someone else; majors under way have their plan; deferrals recorded.
    assert not hazards.filter(verified_by=F("rectified_by")).exists()
    assert not hazards.filter(verified_by=F("responsible_person")).exists()
    assert not hazards.filter(level="major", status__in=["rectifying", "closed"], plan=None)
    assert HazardDeferral.objects.count() == sum(hazards.values_list("deferral_count", flat=True))
    # Histories of what is still open (closed ones have none), matching the status.
    open_ = hazards.exclude(status=HazardStatus.CLOSED).annotate(last=last_status(Hazard))
    assert not open_.exclude(last=F("status")).exists()
    # The rate over the last year, as the summaries report it.
    today = timezone.localdate()
    school = School.objects.order_by("code").first()
    rate = rectification_rate(school, today - timedelta(days=365), today)["rate"]
    assert 85 <= rate <= 99, rate
    # The id sequences were moved past the copied rows.
    person = User.objects.filter(school=school).first()
    made = Hazard.objects.create(
        school=school,
        category="fire",
        description="新隐患",
        location="东侧楼梯",
        found_by=person,
        found_at=timezone.now(),
    )
    assert made.pk > total
    assert (
        Inspection.objects.create(
            school=school,
            template=ChecklistTemplate.objects.filter(school=school).first(),
            kind=InspectionKind.SPECIAL,
            inspector=person,
            period_start=today,
            period_end=today,
            due_at=timezone.now(),
            created_at=timezone.now(),
        ).pk
        > bench["inspections"]
    )
