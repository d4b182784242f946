"""The benchmark harness: data generator, bench-only pages, and the runner's verdicts.

None of these start gunicorn, wrk or a Celery worker: the runner's arithmetic is fed
made-up measurements.
"""

import importlib

import pytest
from django.core.checks import run_checks
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import clear_url_caches
from django.utils import timezone

from logistics.bench import BenchData, BenchPage, BenchSite, BenchTiming, runner, spread
from logistics.bench.core import (
    time_bare_import,
    time_bare_people_import,
    time_people_import,
    time_rooms_import,
)
from logistics.bench.generate import generate
from logistics.choices import Role
from logistics.common.registry import Registry, registry
from logistics.models import (
    Building,
    Campus,
    Department,
    Notification,
    Room,
    School,
    Semester,
    StatusChange,
    User,
)

# --- The generator --------------------------------------------------------------------

# --scale 0.1: a full school, and a small one at a tenth of that.
FULL = {
    "campuses": 1,
    "buildings": 2,
    "rooms": 60,
    "departments": 4,
    "people": 20,
    "semesters": 8,
    "notifications": 500,
}
SMALL = dict(FULL, buildings=1, rooms=6, people=10, notifications=50)


def per_school(school):
    return {
        "campuses": Campus.objects.filter(school=school).count(),
        "buildings": Building.objects.filter(school=school).count(),
        "rooms": Room.objects.filter(building__school=school).count(),
        "departments": Department.objects.filter(school=school).count(),
        "people": User.objects.filter(school=school).count(),
        "semesters": Semester.objects.filter(school=school).count(),
        "notifications": Notification.objects.filter(school=school).count(),
    }


@pytest.fixture
def generated(db):
    seen = {}

    def later_app(ctx):  # what a later app's generator gets to build on
        for s in ctx.schools:
            seen[s.school.code] = (
                len(ctx.get(s, "rooms")),
                len(ctx.people(s, Role.TECHNICIAN)),
                s.small,
            )
        return {"tickets": 0}

    registry.register_bench_data(BenchData("test_later_app", later_app, order=500))
    try:
        counts, _seconds = generate(schools=3, districts=2, scale=0.1, small=1, log=lambda _: None)
    finally:
        del registry.bench_data["test_later_app"]
    return counts, seen


@pytest.mark.postgres
def test_generator_makes_the_expected_rows_per_school(generated):
    counts, _seen = generated
    schools = list(School.objects.order_by("code"))
    assert [s.code for s in schools] == ["bench-01", "bench-02", "bench-03"]
    assert {s.district.code for s in schools} == {"bench-wj", "bench-xb"}
    assert [per_school(s) for s in schools] == [FULL, FULL, SMALL]
    assert counts["rooms"] == 2 * 60 + 6
    assert counts["tickets"] == 0


@pytest.mark.postgres
def test_generated_rows_stay_inside_their_school(generated):
    assert not Room.objects.exclude(building__school__code__startswith="bench-").exists()
    for school in School.objects.all():
        rooms = Room.objects.filter(building__school=school)
        assert not rooms.exclude(building__school=school).exists()
        assert not Building.objects.filter(school=school).exclude(campus__school=school).exists()
        people = User.objects.filter(school=school)
        assert not people.exclude(department__school=school).exclude(department=None).exists()
        assert not Notification.objects.filter(school=school).exclude(recipient__school=school)
        # Everyone has a role; each school has its general affairs office and principal.
        assert not people.filter(groups=None).exists()
        for role in (Role.GENERAL_AFFAIRS, Role.PRINCIPAL, Role.TECHNICIAN, Role.STAFF):
            assert people.filter(groups__name=role).exists(), role
        assert people.filter(username__endswith="-zongwu", groups__name="general_affairs")
        assert not people.filter(must_change_password=True).exists()
        # Each person's status was recorded when made (tickets have status logs of their own).
        person_changes = StatusChange.objects.filter(school=school, content_type__model="user")
        assert person_changes.count() == people.count()
        # One current semester, and it covers today.
        today = timezone.localdate()
        current = Semester.objects.get(school=school, is_current=True)
        assert current.start_date <= today <= current.end_date
    viewers = User.objects.filter(groups__name=Role.DISTRICT_VIEWER)
    assert viewers.count() == 2
    assert not viewers.filter(district=None).exists()


@pytest.mark.postgres
def test_later_generators_see_the_cores_ids(generated):
    _counts, seen = generated
    assert seen["bench-01"] == (60, 1, False)
    assert seen["bench-03"] == (6, 1, True)


@pytest.mark.postgres
def test_the_timed_imports_create_the_rooms_and_people_and_roll_back(generated):
    school = School.objects.get(code="bench-01")
    site = BenchSite(school, User.objects.get(username="b01-zongwu"))
    before = Room.objects.count()
    assert time_rooms_import(site, rows=20) > 0
    assert time_bare_import(site, rows=20) > 0
    assert Room.objects.count() == before
    people = User.objects.count()
    assert time_people_import(site, rows=20) > 0
    assert time_bare_people_import(site, rows=20) > 0
    assert User.objects.count() == people


# The daily pages, each as its role, in the full school and the small one.
DAILY_PAGES = {
    "home": Role.GENERAL_AFFAIRS,
    "home_staff": Role.STAFF,
    "home_technician": Role.TECHNICIAN,
    "home_safety_officer": Role.SAFETY_OFFICER,
    "home_principal": Role.PRINCIPAL,
    "home_district_viewer": Role.DISTRICT_VIEWER,
    "notifications": Role.GENERAL_AFFAIRS,
    "dashboard": Role.PRINCIPAL,
    "rooms": Role.GENERAL_AFFAIRS,
    "people": Role.GENERAL_AFFAIRS,
    "ticket_list": Role.GENERAL_AFFAIRS,
    "ticket_create": Role.STAFF,
    "ticket_mine": Role.STAFF,
    "ticket_queue": Role.TECHNICIAN,
    "ticket_detail": Role.TECHNICIAN,
    "summary": Role.GENERAL_AFFAIRS,
    "hazard_list": Role.SAFETY_OFFICER,
    "hazard_detail": Role.SAFETY_OFFICER,
    "inspection_list": Role.SAFETY_OFFICER,
    "inspection_detail": Role.SAFETY_OFFICER,
}


def test_every_daily_page_is_registered_with_its_role_and_target():
    pages = registry.bench_pages
    assert {key: pages[key].role for key in DAILY_PAGES} == DAILY_PAGES
    assert {pages[key].target for key in DAILY_PAGES} == {0.6}
    assert pages["safety_rate"].target == 0.5


@pytest.mark.postgres
def test_the_measured_accounts_have_their_volume(generated):
    from logistics.management.commands.bench import bench_user
    from logistics.repairs.choices import OPEN_TICKET_STATUSES, TicketStatus
    from logistics.repairs.models import Ticket
    from safety.models import Inspection

    school = School.objects.get(code="bench-01")  # a full school at --scale 0.1
    teacher = bench_user(school, Role.STAFF)
    assert list(teacher.groups.values_list("name", flat=True)) == [Role.STAFF]
    assert bench_user(school, Role.GENERAL_AFFAIRS).username == "b01-zongwu"
    assert Ticket.objects.filter(requester=teacher).count() == 10
    technician = bench_user(school, Role.TECHNICIAN)
    queue = Ticket.objects.filter(assignee=technician, status__in=OPEN_TICKET_STATUSES)
    assert queue.filter(status=TicketStatus.IN_PROGRESS).exists()
    officer = bench_user(school, Role.SAFETY_OFFICER)
    today = Inspection.objects.get(
        inspector=officer, status="draft", period_end=timezone.localdate()
    )
    assert today.results.count() == 31
    assert today.results.exclude(outcome="").count() == 15
    for role in (Role.STAFF, Role.TECHNICIAN, Role.SAFETY_OFFICER, Role.DISTRICT_VIEWER):
        assert Notification.objects.filter(recipient=bench_user(school, role)).count() >= 10


@pytest.mark.postgres
def test_every_page_answers_its_role_with_the_same_queries_in_a_small_school(generated):
    from logistics.management.commands.bench import bench_user

    full, small = School.objects.get(code="bench-01"), School.objects.get(code="bench-03")
    for page in registry.bench_pages.values():
        counts = []
        for school in (full, small):
            user = bench_user(school, page.role)
            counts.append(runner.count_queries(page.url_for(BenchSite(school, user)), user))
        assert counts[0] == counts[1], (page.key, counts)


def test_spread_splits_evenly():
    assert spread(10, 3) == [4, 3, 3]
    assert sum(spread(600, 15)) == 600


def test_the_commands_refuse_a_database_not_named_for_the_bench(monkeypatch):
    from logistics.bench import database

    for engine, name in (
        ("django.db.backends.postgresql", "houqin"),
        ("django.db.backends.sqlite3", "/tmp/houqin_bench.sqlite3"),
    ):
        monkeypatch.setattr(
            database, "settings_dict", lambda e=engine, n=name: {"ENGINE": e, "NAME": n}
        )
        with pytest.raises(CommandError, match="own PostgreSQL database"):
            database.check_bench_database()
        with pytest.raises(CommandError):
            database.ensure_database(reset=True)


# --- The bench-only pages -------------------------------------------------------------

BENCH_URLS = ["/__bench__/hello/", "/__bench__/table/", "/__bench__/layout/"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", BENCH_URLS)
def test_bench_pages_are_not_served_normally(client, url):
    assert client.get(url).status_code == 404


@pytest.fixture
def bench_urls(settings):
    import config.urls

    settings.HOUQIN_BENCH = True
    importlib.reload(config.urls)
    clear_url_caches()
    yield
    settings.HOUQIN_BENCH = False
    importlib.reload(config.urls)
    clear_url_caches()


@pytest.mark.django_db
def test_bench_pages_with_the_bench_setting(bench_urls, client, general_affairs):
    assert client.get("/__bench__/hello/").content == b"hello"
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/__bench__/table/")
    assert response.status_code == 200
    assert len(queries) == 1
    assert client.get("/__bench__/layout/").status_code == 302  # signed in only
    client.force_login(general_affairs)
    assert client.get("/__bench__/layout/").status_code == 200


@pytest.mark.django_db  # the model checks ask SQLite whether it has JSON
def test_check_deploy_warns_when_the_bench_pages_are_on(settings):
    settings.HOUQIN_BENCH = True
    assert "houqin.W001" in [m.id for m in run_checks(include_deployment_checks=True)]
    settings.HOUQIN_BENCH = False
    assert "houqin.W001" not in [m.id for m in run_checks(include_deployment_checks=True)]


# --- The runner's arithmetic and verdicts -----------------------------------------------

PAGES = [
    BenchPage("fast", "/fast/", target=0.5),
    BenchPage("slow", "/slow/", target=0.5),
    BenchPage("floor", "/floor/", target=0.6, against="layout"),
]


def test_median_and_per_round_ratios():
    assert runner.median([3.0, 1.0, 2.0]) == 2.0
    assert runner.median([4.0, 1.0, 2.0, 3.0]) == 2.5
    assert runner.median([]) is None
    assert runner.ratios([100, 50, 0], [200, 200, 100]) == [0.5, 0.25]


def test_rounds_are_interleaved_and_rotated():
    calls = []

    def measure(key):
        calls.append(key)
        return float(len(calls))

    rates = runner.interleaved_rounds(["hello", "bare", "page"], 3, measure)
    assert calls == ["hello", "bare", "page", "bare", "page", "hello", "page", "hello", "bare"]
    assert rates == {"hello": [1.0, 6.0, 8.0], "bare": [2.0, 4.0, 9.0], "page": [3.0, 5.0, 7.0]}


def rates_for(**pages):
    # A noisy machine: every rate of a round moves together, ratios do not.
    drift = [1.0, 0.7, 1.3]
    rates = {
        "hello": [2000 * d for d in drift],
        "bare": [400 * d for d in drift],
        "layout": [160 * d for d in drift],
    }
    rates.update({key: [rate * d for d in drift] for key, rate in pages.items()})
    return rates


def test_ratios_follow_the_ceiling_measured_in_the_same_round():
    results = runner.evaluate(
        PAGES, rates_for(fast=240, slow=120, floor=120), queries={"fast": (10, 10)}
    )
    fast, slow, floor = results
    assert fast.rate == 240
    assert fast.vs_bare == pytest.approx(0.6)
    assert fast.vs_hello == pytest.approx(0.12)
    assert floor.vs_layout == pytest.approx(0.75)
    assert (fast.ok, slow.ok, floor.ok) == (True, False, True)
    assert slow.vs_bare == pytest.approx(0.3)


def test_a_page_below_its_target_fails_the_run():
    good = runner.evaluate(PAGES, rates_for(fast=240, slow=240, floor=120))
    assert runner.exit_code(good) == 0
    bad = runner.evaluate(PAGES, rates_for(fast=240, slow=120, floor=120))
    assert runner.exit_code(bad) == 1
    report = runner.format_report(bad, rates_for(fast=240, slow=120, floor=120))
    line = next(row for row in report.splitlines() if row.startswith("slow"))
    assert "0.30" in line and line.rstrip().endswith("FAIL")
    assert "≥ 0.60 × layout" in report


def test_a_page_without_a_target_is_reported_and_fails_only_if_its_queries_grow():
    pages = [BenchPage("core", "/core/", target=None)]
    rates = rates_for(core=20)  # 0.05 x bare: slow, but nobody named a target
    (steady,) = runner.evaluate(pages, rates, queries={"core": (10, 10)})
    assert steady.ok and runner.exit_code([steady]) == 0
    line = next(r for r in runner.format_report([steady], rates).splitlines() if "core" in r)
    assert "(report only)" in line and "—" in line
    (grows,) = runner.evaluate(pages, rates, queries={"core": (11, 10)})
    assert runner.exit_code([grows]) == 1


def test_growing_queries_errors_and_failed_jobs_fail_the_run():
    rates = rates_for(fast=240, slow=240, floor=120)
    grows = runner.evaluate(PAGES, rates, queries={"fast": (12, 10)})
    assert runner.exit_code(grows) == 1
    assert "queries grow" in runner.format_report(grows, rates)
    broken = runner.evaluate(PAGES, rates, errors={"slow": "HTTP 302 /accounts/login/"})
    assert runner.exit_code(broken) == 1
    ok = runner.evaluate(PAGES, rates)
    slow_job = runner.TimingResult("import", "import", seconds=10.0, baseline=1.0, target=0.5)
    assert runner.exit_code(ok, [slow_job]) == 1
    info_job = runner.TimingResult("import", "import", seconds=10.0, baseline=1.0)
    assert info_job.ratio == pytest.approx(0.1)
    assert runner.exit_code(ok, [info_job]) == 0
    crashed = runner.TimingResult("import", "import", error="boom")
    assert runner.exit_code(ok, [crashed]) == 1


def test_the_report_prints_placeholders_and_the_celery_line():
    rates = rates_for(fast=240, slow=240, floor=120)
    pdf = runner.TimingResult("summary_pdf", "summary PDF", note="n/a (no PDF yet)")
    report = runner.format_report(
        runner.evaluate(PAGES, rates), rates, [pdf], celery="max RSS (VmHWM) 90 MB"
    )
    assert "n/a (no PDF yet)" in report
    assert "Celery worker, tick once: max RSS (VmHWM) 90 MB" in report
    assert "bare 50-row table 400" in report


def test_apps_plug_in_through_the_registry():
    own = Registry()
    own.register_bench_page(BenchPage("tickets", lambda site: f"/repairs/{site.school}/", 0.5))
    own.register_bench_timing(BenchTiming("summary_pdf", "PDF", note="n/a"))
    own.register_bench_timing(BenchTiming("summary_pdf", "PDF", run=lambda site: 1.0))
    assert own.bench_pages["tickets"].url_for(BenchSite("s1", None)) == "/repairs/s1/"
    assert own.bench_timings["summary_pdf"].run is not None
    # The core registers its four pages and the summary PDF's timing.
    assert {"home", "notifications", "rooms", "people"} <= set(registry.bench_pages)
    assert registry.bench_timings["summary_pdf"].run is not None
    assert registry.bench_timings["summary_pdf"].target == 0.5
