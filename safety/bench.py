"""Campus safety for the benchmark: a district's million inspection results and hundred
thousand hazards at ``--scale 1``.

A full school gets ``RESULTS_PER_SCHOOL`` inspection results and ``HAZARDS_PER_SCHOOL``
hazards (a small one a tenth), so the default 20 schools in two districts — each district
nine full schools and one small one — hold 1,000,000 results and 100,000 hazards per
district (2,000,000 and 200,000 in all), over the last four years.

Each school gets the default checklists and the schedules its volume needs: as many
daily patrol routes (31 items each) as fill 62% of its results, weekly checks (53 items)
18%, the leadership group's monthly checks (97 items) 5%, the start-of-term inspection
(97 items) once per term; special inspections (7–10 items) fill the rest exactly.
Inspections fall on school days (weekdays outside the holidays and vacations); those of
past periods are almost all submitted (a few missed, cancelled or left in progress), the
current periods' are to do, in progress or already submitted.

85% of the hazards are found in submitted inspections (a "hazard" answer on an item that
has findings, linked both ways), the rest reported outside them. Their status follows
their age: the last days' are in every state, older ones closed (a few withdrawn, a few
still open and overdue); 4% are major, with a rectification plan; some were deferred
(整改安排) with their arrangements; closed ones are checked by general affairs, never by
their rectifier. The texts are the demo's findings (``safety.demo.FINDINGS``).

Everything big goes in by COPY: inspections and hazards with explicit ids in time order
(across schools), then the results naming them; the id sequences are moved past them.

Status history: every inspection or hazard still open, withdrawn or cancelled gets its
history (what the pages of open work read); submitted inspections and closed hazards get
none — two million history rows would only slow the generation down, and no measured
page lists them. Drills (about one a month) and this and the past three years'
responsibility agreements (most people, not all) complete the set.
"""

import math
from bisect import bisect_left
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import accumulate

from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from logistics.bench import BenchData, BenchPage, bench_account, reversed_url
from logistics.choices import Role
from logistics.demo import HOLIDAYS
from logistics.models import Department, Room, School, Semester, StatusChange, User
from logistics.services.organisation import figures_changed
from safety.choices import (
    AgreementKind,
    DrillKind,
    Frequency,
    HazardLevel,
    HazardStatus,
    InspectionStatus,
    Outcome,
    SafetyArea,
)
from safety.defaults import default_templates
from safety.demo import (
    AREA_OWNERS,
    CHECK_NOTES,
    DEFAULT_PLAN,
    DEFERRAL_REASONS,
    DRILLS,
    FINDINGS,
    HEAD_TEACHER,
    PLANS,
    REJECT_REASONS,
    REPORT_WEIGHTS,
    STAFF_AGREEMENT,
    TECHNICIAN_AGREEMENT,
    WITHDRAW_REASONS,
    Places,
    not_applicable_note,
)
from safety.models import (
    ChecklistItem,
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

# 18 full schools and 2 small ones (a tenth each) make 2,000,000 results and 200,000
# hazards at --scale 1: per district (9 full + 1 small) 1,000,000 and 100,000.
RESULTS_PER_SCHOOL = 109_890
HAZARDS_PER_SCHOOL = 10_989
YEARS = 4
# The share of a school's results per routine kind; special inspections fill the rest.
SHARES = {"daily": 0.62, "weekly": 0.18, "monthly": 0.05, "term": 0.01}
FROM_INSPECTIONS = 0.85  # of the hazards
MAJOR = 0.04
DEFERRED = 0.03  # of the assigned general hazards (majors: 30%)
# Vacations (month, day) ranges in which there is no school: summer and winter.
VACATIONS = (((7, 12), (8, 31)), ((1, 24), (2, 14)))

S = HazardStatus
IS = InspectionStatus
# The hazard status mix by age (days since it was recorded): the last day, week, month,
# and older.
STATUS_MIX = [
    (1, {S.REPORTED: 50, S.RECTIFYING: 30, S.AWAITING_CHECK: 10, S.CLOSED: 8, S.WITHDRAWN: 2}),
    (7, {S.REPORTED: 8, S.RECTIFYING: 30, S.AWAITING_CHECK: 18, S.CLOSED: 42, S.WITHDRAWN: 2}),
    (30, {S.REPORTED: 2, S.RECTIFYING: 8, S.AWAITING_CHECK: 4, S.CLOSED: 83.5,
          S.WITHDRAWN: 2.5}),
    (None, {S.CLOSED: 93.2, S.WITHDRAWN: 3, S.RECTIFYING: 2.3, S.REPORTED: 1.0,
            S.AWAITING_CHECK: 0.5}),
]  # fmt: skip
_MIX = [(limit, list(mix), list(accumulate(mix.values()))) for limit, mix in STATUS_MIX]
# Who rectifies a category's hazards (roles in order of preference, "staff": any teacher).
RECTIFIERS = {
    SafetyArea.FIRE: (Role.SAFETY_OFFICER, Role.TECHNICIAN),
    SafetyArea.ELECTRICAL: (Role.TECHNICIAN,),
    SafetyArea.GAS: (Role.CANTEEN_MANAGER, Role.TECHNICIAN),
    SafetyArea.BUILDINGS: (Role.TECHNICIAN,),
    SafetyArea.CANTEEN: (Role.CANTEEN_MANAGER,),
    SafetyArea.SECURITY_SYSTEMS: (Role.TECHNICIAN, Role.SAFETY_OFFICER),
    SafetyArea.GATE: (Role.SAFETY_OFFICER,),
    SafetyArea.TRAFFIC: (Role.SAFETY_OFFICER,),
    SafetyArea.SURROUNDINGS: (Role.SAFETY_OFFICER,),
    SafetyArea.LABS: ("staff",),
    SafetyArea.SPORTS: ("staff", Role.TECHNICIAN),
    SafetyArea.DORMITORY: (Role.DORM_MANAGER,),
    SafetyArea.OTHER: (Role.TECHNICIAN,),
}
ROUTES = ["教学区", "生活区（宿舍、食堂）", "校门及周界", "实验楼和体育场馆", "行政楼及其他"]
SPECIAL_LOCATIONS = ["全校", "教学区", "生活区", "食堂", "实验楼", "校园周边"]
CANCEL_REASONS = ["学校统一安排其他工作，本次不检查", "检查人员外出培训", "停课，本次取消"]

INSPECTION_FIELDS = [
    "id",
    "school",
    "schedule",
    "template",
    "kind",
    "inspector",
    "area",
    "location",
    "period_start",
    "period_end",
    "due_at",
    "status",
    "summary",
    "created_at",
    "started_at",
    "submitted_at",
]
HAZARD_FIELDS = [
    "id",
    "school",
    "level",
    "status",
    "category",
    "description",
    "room",
    "location",
    "found_by",
    "found_at",
    "inspection",
    "source_item",
    "department",
    "responsible_person",
    "deadline",
    "assigned_at",
    "deferral_count",
    "rectification_note",
    "rectified_by",
    "rectified_at",
    "verified_by",
    "verified_at",
    "check_note",
    "closed_at",
    "created_at",
]
RESULT_FIELDS = [
    "inspection",
    "item",
    "area",
    "text",
    "sort_order",
    "outcome",
    "note",
    "room",
    "location",
    "hazard_level",
    "hazard",
    "recorded_by",
    "recorded_at",
]
CHANGE_FIELDS = [
    "school",
    "content_type",
    "object_id",
    "field",
    "from_status",
    "to_status",
    "actor",
    "at",
    "note",
]


def _pick(rng, items):
    return items[int(rng.random() * len(items))]


class _Calendar:
    """The school days of the last four years, with each day's local midnight."""

    def __init__(self, ctx):
        tz = timezone.get_default_timezone()
        self.tz = tz
        self.today = ctx.today
        first = self.today - timedelta(days=YEARS * 365)
        self.days = []
        day = first
        while day <= self.today:
            if self.is_school_day(day):
                self.days.append(day)
            day += timedelta(days=1)
        self.midnight = {d: datetime.combine(d, time(0), tzinfo=tz) for d in self.days}
        # Weeks (Mondays) and months (first days) with school days, each with its days.
        self.weeks, self.months = {}, {}
        for d in self.days:
            self.weeks.setdefault(d - timedelta(days=d.weekday()), []).append(d)
            self.months.setdefault(d.replace(day=1), []).append(d)

    @staticmethod
    def is_school_day(day):
        if day.weekday() >= 5 or (day.month, day.day) in HOLIDAYS:
            return False
        key = (day.month, day.day)
        return not any(start <= key <= end for start, end in VACATIONS)

    def between(self, first, last):
        """The school days from ``first`` to ``last``."""
        return self.days[
            bisect_left(self.days, first) : bisect_left(self.days, last + timedelta(1))
        ]

    def at(self, day, hours):
        midnight = self.midnight.get(day) or datetime.combine(day, time(0), tzinfo=self.tz)
        return midnight + timedelta(seconds=int(hours * 3600))

    def local_date(self, moment):
        return timezone.localtime(moment, self.tz).date()


def _checklists(ctx):
    """The default checklists of every school; returns {school pk: {key: template}} where
    a template is ``(pk, kind, area, items)`` and items ``(pk, area, text, order, n/a
    note, findings)``."""
    defaults = list(default_templates())
    templates, items = [], []
    for s in ctx.schools:
        for key, name, kind, area, description, _rows in defaults:
            templates.append(
                ChecklistTemplate(
                    school=s.school,
                    name=name,
                    kind=kind,
                    area=area,
                    description=description,
                    default_key=key,
                )
            )
    ctx.bulk_create(ChecklistTemplate, templates)
    by_key = {}
    per_template = len(defaults)
    for n, template in enumerate(templates):
        rows = defaults[n % per_template][5]
        for order, (area, text, guidance) in enumerate(rows):
            items.append(
                ChecklistItem(
                    template=template,
                    area=area,
                    text=text,
                    guidance=guidance,
                    sort_order=(order + 1) * 10,
                )
            )
    ctx.bulk_create(ChecklistItem, items, batch_size=5000)
    item_rows = {}
    for item in items:
        findings = tuple(f for f in FINDINGS.get(item.area, ()) if f.item in item.text)
        item_rows.setdefault(item.template_id, []).append(
            (
                item.pk,
                item.area,
                item.text,
                item.sort_order,
                not_applicable_note(item.text),
                findings,
            )
        )
    for template in templates:
        by_key.setdefault(template.school_id, {})[template.default_key] = (
            template.pk,
            template.kind,
            template.area,
            item_rows[template.pk],
        )
    return by_key, len(templates), len(items)


def _places(ctx):
    """``Places`` of every school (one query)."""
    rooms, buildings = {}, {}
    for pk, kind, name, building, school_id in (
        Room.objects.filter(building__school__in=[s.school for s in ctx.schools], is_active=True)
        .order_by("pk")
        .values_list("pk", "kind", "name", "building__name", "building__school_id")
    ):
        rooms.setdefault(school_id, []).append((pk, kind, name, building))
        names = buildings.setdefault(school_id, [])
        if building not in names:
            names.append(building)
    return {
        s.school.pk: Places(rooms.get(s.school.pk, []), buildings.get(s.school.pk, []))
        for s in ctx.schools
    }


class _School:
    """One school's plan: its people, schedules, inspections and hazards."""

    def __init__(self, ctx, s, templates, places, departments):
        self.s = s
        self.pk = s.school.pk
        self.templates = templates
        self.places = places
        rng = ctx.rng
        people = ctx.people(s)
        self.office = ctx.people(s, Role.GENERAL_AFFAIRS) or people[:1]
        office = set(self.office)
        self.officer = (ctx.people(s, Role.SAFETY_OFFICER) or self.office)[0]
        self.principal = (ctx.people(s, Role.PRINCIPAL) or self.office)[0]
        self.staff = [pk for pk in ctx.people(s, Role.STAFF) if pk not in office] or people
        self.people = people
        self.rectifiers = {}
        for area, roles in RECTIFIERS.items():
            chosen = []
            for role in roles:
                pool = self.staff if role == "staff" else ctx.people(s, role)
                chosen = [pk for pk in pool if pk not in office]
                if chosen:
                    break
            self.rectifiers[area] = chosen or [self.officer]
        self.departments = {}
        for area, (name, _who) in AREA_OWNERS.items():
            self.departments[area] = (
                departments.get((self.pk, name))
                or departments.get((self.pk, "总务处"))
                or next((pk for (school, _n), pk in departments.items() if school == self.pk), None)
            )
        # Inspectors of the extra routes: teachers on duty (值周行政).
        self.on_duty = rng.sample(self.staff, min(6, len(self.staff)))
        self.inspections = []  # dicts, see _inspection()
        self.hazards = []  # dicts, see _hazard()


# --- Planning the inspections -------------------------------------------------------------


def _plan_schedules(ctx, cal, school, semesters):
    """The school's schedules and the periods each is inspected in (before their rows)."""
    rng = ctx.rng
    target = ctx.size(school.s, RESULTS_PER_SCHOOL)
    t = school.templates
    plan = []  # (key, template key, inspector, frequency, scope, periods)

    def slots(periods, template_key, share, cap=None):
        size = len(t[template_key][3])
        wanted = round(share * target / size)
        if cap is not None:
            wanted = min(wanted, cap)
        if not periods or wanted <= 0:
            return 0, []
        routes = math.ceil(wanted / len(periods))
        picked = sorted(rng.sample(range(len(periods) * routes), wanted))
        per_route = [[] for _r in range(routes)]
        for n in picked:
            per_route[n % routes].append(periods[n // routes])
        return routes, per_route

    days = [(d, d) for d in cal.days]
    routes, per_route = slots(days, "daily-patrol", SHARES["daily"])
    for r in range(routes):
        inspector = school.officer if r == 0 else school.on_duty[(r - 1) % len(school.on_duty)]
        plan.append(
            ("daily", "daily-patrol", inspector, Frequency.DAILY, ROUTES[r % 5], per_route[r])
        )
    weeks = [(monday, monday + timedelta(days=6)) for monday in cal.weeks]
    routes, per_route = slots(weeks, "weekly-check", SHARES["weekly"])
    for r in range(routes):
        inspector = school.officer if r == 0 else school.office[r % len(school.office)]
        plan.append(
            ("weekly", "weekly-check", inspector, Frequency.WEEKLY, ROUTES[r % 5], per_route[r])
        )
    months = [(m, (m + timedelta(days=32)).replace(day=1) - timedelta(days=1)) for m in cal.months]
    routes, per_route = slots(months, "monthly-check", SHARES["monthly"])
    for r in range(routes):
        inspector = school.office[0] if r == 0 else school.principal
        plan.append(
            (
                "monthly",
                "monthly-check",
                inspector,
                Frequency.MONTHLY,
                "安全检查领导小组",
                per_route[r],
            )
        )
    terms = [(a, b) for a, b in semesters if a <= cal.today]
    routes, per_route = slots(terms, "term-start", SHARES["term"], cap=len(terms))
    for r in range(routes):
        plan.append(("term", "term-start", school.principal, Frequency.TERM, "全校", per_route[r]))
    return plan


def _plan_inspections(ctx, cal, school, schedules):
    """The school's inspections: ``schedules`` is ``[(schedule pk, plan row)]``."""
    rng = ctx.rng
    today = cal.today
    target = ctx.size(school.s, RESULTS_PER_SCHOOL)
    rows = []
    for schedule_pk, (key, template_key, inspector, _f, scope, periods) in schedules:
        template = school.templates[template_key]
        for first, last in periods:
            rows.append(
                _inspection(
                    ctx, cal, school, template, first, last, inspector, scope, schedule_pk, key
                )
            )
    _in_progress(ctx, cal, school, template=school.templates["daily-patrol"], rows=rows)
    made = sum(r["rows"] for r in rows)
    while made > target:  # rounding overshot: drop daily patrols, newest last
        for i in range(len(rows) - 1, -1, -1):
            if rows[i]["key"] == "daily" and rows[i]["rows"] and not rows[i].get("keep"):
                made -= rows.pop(i)["rows"]
                break
        else:
            break
    specials = [k for k in school.templates if k.startswith("special-")]
    while made < target:
        key = _pick(rng, specials)
        template = school.templates[key]
        day = _pick(rng, cal.days)
        last = min(day + timedelta(days=rng.randrange(7)), today)
        inspector = _pick(rng, [school.officer, *school.office, *school.on_duty[:2]])
        row = _inspection(
            ctx,
            cal,
            school,
            template,
            day,
            last,
            inspector,
            _pick(rng, SPECIAL_LOCATIONS),
            None,
            "special",
        )
        if row["rows"] > target - made:  # the last one: only its first items
            row["rows"] = target - made
            row["answered"] = min(row["answered"], row["rows"])
        made += row["rows"]
        rows.append(row)
    return rows


def _in_progress(ctx, cal, school, template, rows):
    """The measured inspector's patrol of today, begun 40 minutes ago and half answered
    (what the inspection's phone page shows): their route's, or one planned by hand when
    the schedule has none today (a weekend, a holiday)."""
    officer = bench_account(school.s.school, Role.SAFETY_OFFICER)
    if officer is None:
        return
    today = cal.today
    row = next(
        (
            r
            for r in rows
            if r["key"] == "daily" and r["inspector"] == officer.pk and r["first"] == today
        ),
        None,
    )
    if row is None:
        row = _inspection(ctx, cal, school, template, today, today, officer.pk, ROUTES[0], None, "")
        rows.append(row)
    size = len(row["items"])
    row.update(
        status=IS.DRAFT,
        started=ctx.now - timedelta(minutes=40),
        submitted=None,
        rows=size,
        answered=size // 2,
        step=min(row["step"], timedelta(minutes=2)),
        keep=True,  # not dropped when the results are trimmed to the school's number
    )


def _inspection(ctx, cal, school, template, first, last, inspector, scope, schedule, key):
    rng = ctx.rng
    now = ctx.now
    template_pk, kind, area, items = template
    size = len(items)
    due = cal.at(last + timedelta(days=1), 0)
    day = first
    if key == "daily":
        started = cal.at(first, 7.3 + rng.random() * 1.2)
        minutes = rng.uniform(35, 80)
    else:
        if key == "term":
            options = cal.between(first, first + timedelta(days=30))[:2]
        else:
            options = cal.between(first, last)
            if key in ("weekly", "monthly"):
                options = options[-3:]  # at the end of the week or month
        day = _pick(rng, options or [first])
        started = cal.at(day, 8.5 + rng.random() * 6)
        minutes = {"weekly": 100, "monthly": 200, "term": 420}.get(key, 60) * rng.uniform(0.7, 1.3)
    submitted = started + timedelta(minutes=minutes)
    if schedule is None:
        created = cal.at(first - timedelta(days=rng.randint(2, 6)), 9 + rng.random() * 6)
        created = min(created, now - timedelta(minutes=5))
    else:
        created = cal.at(first, 0.1 + rng.random() * 0.4)
    # Result rows: every item once started (answered ones first), none before.
    status, answered, rows = IS.SUBMITTED, size, size
    if due > now:  # the current period
        if submitted <= now and rng.random() < 0.6:
            pass
        elif started <= now:
            status, answered = IS.DRAFT, size // 2
        else:
            status, answered, rows = IS.PLANNED, 0, 0
    else:
        roll = rng.random()
        if roll < 0.012:
            status, answered, rows = IS.PLANNED, 0, 0  # missed
        elif roll < 0.02:
            status, answered, rows = IS.CANCELLED, 0, 0
        elif roll < 0.025:
            status, answered = IS.DRAFT, size // 3  # started, never submitted
        elif roll < 0.055:  # submitted late
            submitted = min(due + timedelta(hours=rng.uniform(1, 20)), now - timedelta(minutes=1))
    return {
        "key": key,
        "created": created,
        "school": school.pk,
        "schedule": schedule,
        "template": template_pk,
        "kind": kind,
        "inspector": inspector,
        "area": area,
        "location": scope,
        "first": first,
        "last": last,
        "due": due,
        "status": status,
        "started": started if status in (IS.DRAFT, IS.SUBMITTED) else None,
        "submitted": submitted if status == IS.SUBMITTED else None,
        "items": items,
        "rows": rows,
        "answered": answered,
        "step": timedelta(minutes=minutes / max(1, size)),
        "hazards": None,  # {position: hazard index} once hazards are planned
    }


# --- Planning the hazards ------------------------------------------------------------------


def _plan_hazards(ctx, cal, school):
    rng = ctx.rng
    now = ctx.now
    total = ctx.size(school.s, HAZARDS_PER_SCHOOL)
    # The answered items with findings of the submitted inspections: where hazards can be.
    slots = []
    for n, row in enumerate(school.inspections):
        if row["status"] != IS.SUBMITTED:
            continue
        for position in range(row["answered"]):
            item = row["items"][position]
            if item[5] and not item[4]:
                slots.append((n, position))
    found = rng.sample(slots, min(len(slots), round(total * FROM_INSPECTIONS)))
    del slots
    places = school.places
    for n, position in found:
        row = school.inspections[n]
        item_pk, area, text, _order, _na, findings = row["items"][position]
        finding = _pick(rng, findings)
        room, location = places.pick(rng, finding.where)
        if row["hazards"] is None:
            row["hazards"] = {}
        row["hazards"][position] = len(school.hazards)
        school.hazards.append(
            {
                "found_at": row["started"] + row["step"] * (position + 1),
                "t0": row["submitted"],
                "category": area,
                "finding": finding,
                "description": f"{text}：{finding.note}",
                "room": room,
                "location": location,
                "found_by": row["inspector"],
                "inspection": n,
                "source_item": item_pk,
            }
        )
    areas = list(REPORT_WEIGHTS)
    weights = list(accumulate(REPORT_WEIGHTS.values()))
    span = len(cal.days)
    for _i in range(total - len(found)):
        day = cal.days[min(span - 1, int(span * rng.random() ** 0.9))]
        t0 = cal.at(day, 7.5 + rng.random() * 10)
        if t0 > now:
            t0 = now - timedelta(seconds=rng.randrange(60, 6 * 3600))
        area = rng.choices(areas, cum_weights=weights)[0]
        finding = _pick(rng, FINDINGS[area])
        room, location = places.pick(rng, finding.where)
        school.hazards.append(
            {
                "found_at": t0,
                "t0": t0,
                "category": area,
                "finding": finding,
                "description": finding.note,
                "room": room,
                "location": location,
                "found_by": _pick(rng, school.people),
                "inspection": None,
                "source_item": None,
            }
        )


def _status(rng, age_days):
    for limit, statuses, cumulative in _MIX:
        if limit is None or age_days < limit:
            return rng.choices(statuses, cum_weights=cumulative)[0]
    raise AssertionError


class _Writer:
    """Turns planned hazards into rows (and their history, plans and deferrals)."""

    def __init__(self, ctx, cal, names):
        self.ctx = ctx
        self.cal = cal
        self.names = names
        self.hazard_type = ContentType.objects.get_for_model(Hazard).pk
        self.history, self.plans, self.deferrals = [], [], []

    def hazard(self, school, pk, h, inspection_pk):
        rng = self.ctx.rng
        now = self.ctx.now
        cal = self.cal
        t0 = h["t0"]
        age = (now - t0).total_seconds() / 86400
        status = _status(rng, age)
        finding = h["finding"]
        area = h["category"]
        major = rng.random() < (MAJOR * 3 if finding.major else MAJOR * 0.8)
        office = _pick(rng, school.office)  # checks and assigns; never the rectifier
        history = self.history
        school_pk = school.pk

        def change(at, field, from_, to, actor, note=""):
            history.append((school_pk, self.hazard_type, pk, field, from_, to, actor, at, note))

        keep = status != S.CLOSED  # closed hazards get no history (see the module doc)
        if keep:
            change(t0, "status", "", S.REPORTED, h["found_by"])
        person = department = deadline = assigned = None
        deferrals = 0
        rectified_by = rectified_at = verified_by = verified_at = closed_at = None
        note = check_note = ""
        withdrawn = status == S.WITHDRAWN
        assigned_now = not withdrawn and (status != S.REPORTED or rng.random() < 0.6)
        if withdrawn:
            at = min(t0 + timedelta(hours=rng.uniform(1, 30)), now - timedelta(minutes=1))
            change(at, "status", S.REPORTED, S.WITHDRAWN, office, _pick(rng, WITHDRAW_REASONS))
        if assigned_now:
            person = _pick(rng, school.rectifiers[area])
            department = school.departments[area]
            assigned = t0 + timedelta(hours=rng.uniform(0.3, 20))
            days = rng.randint(15, 45) if major else rng.choice((3, 5, 5, 7, 7, 10))
            deadline = cal.local_date(assigned) + timedelta(days=days)
            started = assigned + timedelta(hours=rng.uniform(0.5, 30))
            if status == S.CLOSED or status == S.AWAITING_CHECK:
                span = days * 24
                work = (
                    rng.uniform(2, span * 0.6)
                    if rng.random() < 0.88
                    else rng.uniform(span, span * (2 if major else 6))
                )
                rectified_at = started + timedelta(hours=work)
                closed_at = rectified_at + timedelta(hours=rng.uniform(1, 48))
                last = closed_at if status == S.CLOSED else rectified_at
                if last > now:  # squeeze the steps before now
                    f = (now - t0) * 0.95 / (last - t0)
                    assigned, started, rectified_at, closed_at = (
                        t0 + (t - t0) * f for t in (assigned, started, rectified_at, closed_at)
                    )
                    deadline = max(deadline, cal.local_date(assigned))
                rectified_by = person
                note = finding.fix
                if status == S.CLOSED:
                    verified_by, verified_at = office, closed_at
                    check_note = _pick(rng, CHECK_NOTES)
                else:
                    closed_at = None
            elif started > now:
                started = now - timedelta(minutes=1)
                assigned = min(assigned, started)
            if keep:
                change(assigned, "responsible_person", "", self.names.get(person, ""), office)
            if major and (status != S.REPORTED or rng.random() < 0.5):
                measures, funding, interim = PLANS.get(finding.note, DEFAULT_PLAN)
                planned = assigned + (started - assigned) * 0.5
                self.plans.append(
                    (
                        pk,
                        measures,
                        Decimal(funding),
                        person,
                        deadline,
                        interim,
                        office,
                        planned,
                        planned,
                    )  # fmt: skip
                )
                if keep:
                    note_plan = f"{_('Rectification plan written')}: {measures[:200]}"
                    change(planned, "plan", "", "plan", office, note_plan)
            if status != S.REPORTED:
                if keep:
                    change(started, "status", S.REPORTED, S.RECTIFYING, person)
                if rng.random() < (0.3 if major else DEFERRED) and deadline < cal.today:
                    deferrals = 1
                    at = started + (min(now, rectified_at or now) - started) * 0.4
                    new = max(deadline, cal.local_date(at)) + timedelta(days=rng.randint(14, 60))
                    reason, interim = DEFERRAL_REASONS[0 if major else rng.randrange(1, 4)]
                    self.deferrals.append((pk, reason, deadline, new, interim, office, at))
                    if keep:
                        change(
                            at, "deadline", deadline.isoformat(), new.isoformat(), office, reason
                        )
                    deadline = new
            if status == S.AWAITING_CHECK and keep:
                change(rectified_at, "status", S.RECTIFYING, S.AWAITING_CHECK, person, note)
            if status == S.RECTIFYING and rng.random() < 0.25:  # sent back by the check
                rectified_by, note = person, finding.fix
                rectified_at = started + (now - started) * 0.5
                verified_by = office
                verified_at = rectified_at + (now - rectified_at) * 0.5
                check_note = _pick(rng, REJECT_REASONS)
                change(rectified_at, "status", S.RECTIFYING, S.AWAITING_CHECK, person, note)
                change(verified_at, "status", S.AWAITING_CHECK, S.RECTIFYING, office, check_note)
        return (
            pk,
            school_pk,
            HazardLevel.MAJOR if major else HazardLevel.GENERAL,
            status,
            area,
            h["description"],
            h["room"],
            h["location"],
            h["found_by"],
            h["found_at"],
            inspection_pk,
            h["source_item"],
            department,
            person,
            deadline,
            assigned,
            deferrals,
            note,
            rectified_by,
            rectified_at,
            verified_by,
            verified_at,
            check_note,
            closed_at if status == S.CLOSED else None,
            t0,
        )


# --- The generator -----------------------------------------------------------------------------


def generate_safety(ctx):
    rng = ctx.rng
    cal = _Calendar(ctx)
    templates, n_templates, n_items = _checklists(ctx)
    places = _places(ctx)
    departments = {
        (school_id, name): pk
        for pk, school_id, name in Department.objects.filter(
            school__in=[s.school for s in ctx.schools]
        ).values_list("pk", "school_id", "name")
    }
    semesters = {}
    for school_id, start, end in Semester.objects.filter(
        school__in=[s.school for s in ctx.schools]
    ).values_list("school_id", "start_date", "end_date"):
        semesters.setdefault(school_id, []).append((start, end))
    schools = [
        _School(ctx, s, templates[s.school.pk], places[s.school.pk], departments)
        for s in ctx.schools
    ]

    # Schedules, then the inspections of their periods and the special ones.
    plans = [
        (school, _plan_schedules(ctx, cal, school, sorted(semesters.get(school.pk, []))))
        for school in schools
    ]
    rows = []
    for school, plan in plans:
        for _key, template_key, inspector, frequency, scope, periods in plan:
            rows.append(
                InspectionSchedule(
                    school=school.s.school,
                    template_id=school.templates[template_key][0],
                    inspector_id=inspector,
                    frequency=frequency,
                    scope_note=scope,
                    starts_on=min((p[0] for p in periods), default=cal.today),
                )
            )
    ctx.bulk_create(InspectionSchedule, rows)
    made = iter(rows)
    for school, plan in plans:
        pairs = [(next(made).pk, row) for row in plan]
        school.inspections = _plan_inspections(ctx, cal, school, pairs)
        _plan_hazards(ctx, cal, school)

    # Ids in time order across the schools, as a real database would have them.
    first = (Inspection.objects.aggregate(last=Max("id"))["last"] or 0) + 1
    order = sorted(
        (row["created"], i, n)
        for i, school in enumerate(schools)
        for n, row in enumerate(school.inspections)
    )
    for rank, (_at, i, n) in enumerate(order):
        schools[i].inspections[n]["id"] = first + rank
    del order
    first = (Hazard.objects.aggregate(last=Max("id"))["last"] or 0) + 1
    order = sorted(
        (h["t0"], i, n) for i, school in enumerate(schools) for n, h in enumerate(school.hazards)
    )
    for rank, (_at, i, n) in enumerate(order):
        schools[i].hazards[n]["id"] = first + rank
    del order

    inspection_type = ContentType.objects.get_for_model(Inspection).pk
    inspection_history = []

    def inspection_rows():
        for school in schools:
            for row in school.inspections:
                status = row["status"]
                yield (
                    row["id"],
                    school.pk,
                    row["schedule"],
                    row["template"],
                    row["kind"],
                    row["inspector"],
                    row["area"],
                    row["location"],
                    row["first"],
                    row["last"],
                    row["due"],
                    status,
                    "",
                    row["created"],
                    row["started"],
                    row["submitted"],
                )
                if status == IS.SUBMITTED:
                    continue
                office = school.office[0]

                def change(at, from_, to, actor, note="", row=row, school=school):
                    inspection_history.append(
                        (
                            school.pk,
                            inspection_type,
                            row["id"],
                            "status",
                            from_,
                            to,
                            actor,
                            at,
                            note,
                        )
                    )

                if row["schedule"] is None:  # planned by hand (the tick records nothing)
                    change(row["created"], "", IS.PLANNED, office)
                if status == IS.DRAFT:
                    change(row["started"], IS.PLANNED, IS.DRAFT, row["inspector"])
                elif status == IS.CANCELLED:
                    at = max(row["created"], row["due"] - timedelta(days=1))
                    change(at, IS.PLANNED, IS.CANCELLED, office, _pick(rng, CANCEL_REASONS))

    inspections = ctx.copy(Inspection, INSPECTION_FIELDS, inspection_rows())

    names = dict(
        User.objects.filter(school__in=[s.school for s in ctx.schools]).values_list("pk", "name")
    )
    writer = _Writer(ctx, cal, names)

    def hazard_rows():
        for school in schools:
            for h in school.hazards:
                n = h["inspection"]
                inspection_pk = school.inspections[n]["id"] if n is not None else None
                row = writer.hazard(school, h["id"], h, inspection_pk)
                h["level"] = row[2]
                yield row

    hazards = ctx.copy(Hazard, HAZARD_FIELDS, hazard_rows())

    def result_rows():
        ok = ("", "", "", "", "", "", "", "", "", "正常")
        blank = ("", "", None, "", "", None, None, None)
        for school in schools:
            hazards_of = school.hazards
            for row in sorted(school.inspections, key=lambda r: r["id"]):
                if not row["rows"]:
                    continue
                answered = row["answered"]
                inspection = row["id"]
                inspector = row["inspector"]
                at = row["started"]
                step = row["step"]
                found = row["hazards"] or {}
                for position, (item, area, text, order, na, _f) in enumerate(
                    row["items"][: row["rows"]]
                ):
                    head = (inspection, item, area, text, order)
                    if position >= answered:
                        yield head + blank
                        continue
                    at = at + step
                    if position in found:
                        h = hazards_of[found[position]]
                        note, room, place = h["finding"].note, h["room"], h["location"]
                        yield head + (Outcome.HAZARD, note, room, place, h["level"], h["id"],
                                      inspector, at)  # fmt: skip
                    elif na:
                        yield head + (Outcome.NOT_APPLICABLE, na, None, "", "", None, inspector, at)
                    else:
                        note = ok[(inspection + position) % 10]
                        yield head + (Outcome.OK, note, None, "", "", None, inspector, at)

    results = ctx.copy(InspectionResult, RESULT_FIELDS, result_rows())
    plans_made = ctx.copy(
        RectificationPlan,
        [
            "hazard",
            "measures",
            "funding",
            "responsible_person",
            "deadline",
            "interim_measures",
            "created_by",
            "created_at",
            "updated_at",
        ],
        writer.plans,
    )
    deferrals = ctx.copy(
        HazardDeferral,
        [
            "hazard",
            "reason",
            "previous_deadline",
            "new_deadline",
            "interim_measures",
            "created_by",
            "created_at",
        ],
        writer.deferrals,
    )
    changes = ctx.copy(StatusChange, CHANGE_FIELDS, inspection_history + writer.history)
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Inspection, Hazard]):
            cursor.execute(sql)
    drills = ctx.copy(
        Drill,
        [
            "school",
            "kind",
            "title",
            "held_on",
            "location",
            "participants",
            "evacuation_seconds",
            "notes",
            "recorded_by",
            "recorded_at",
        ],
        _drills(ctx, cal, schools),
    )
    agreements = ctx.copy(
        SafetyAgreement,
        ["school", "signer", "kind", "title", "year", "signed_on", "recorded_by", "created_at"],
        _agreements(ctx, cal, schools),
    )
    figures_changed(School.objects.filter(pk__in=[school.pk for school in schools]))
    for school in schools:
        ctx.put(school.s, "safety:inspections", [r["id"] for r in school.inspections])
        ctx.put(school.s, "safety:hazards", [h["id"] for h in school.hazards])
    return {
        "checklists": n_templates,
        "checklist items": n_items,
        "inspection schedules": len(rows),
        "inspections": inspections,
        "inspection results": results,
        "hazards": hazards,
        "rectification plans": plans_made,
        "hazard deferrals": deferrals,
        "safety status changes": changes,
        "drills": drills,
        "safety agreements": agreements,
    }


def _drills(ctx, cal, schools):
    """About one drill a month of term per school, by the demo's month plan."""
    rng = ctx.rng
    for school in schools:
        for month, days in cal.months.items():
            if rng.random() < 0.1:
                continue  # a month without a drill
            for kind, title, where, people, seconds, notes in DRILLS.get(month.month, []):
                held = _pick(rng, days)
                count = max(1, round(people * min(1.0, school.s.factor) * rng.uniform(0.9, 1.1)))
                yield (
                    school.pk,
                    kind,
                    f"{held.year}年{title}" if "开学" in title else title,
                    held,
                    where,
                    count,
                    seconds + rng.randint(-30, 30) if seconds else None,
                    notes,
                    school.officer,
                    cal.at(held, 16.5),
                )
            if rng.random() < 0.15:  # an extra fire drill in the dormitories
                held = _pick(rng, days)
                yield (
                    school.pk,
                    DrillKind.FIRE_EVACUATION,
                    "宿舍楼夜间疏散演练",
                    held,
                    "宿舍楼",
                    max(1, round(600 * min(1.0, school.s.factor))),
                    180 + rng.randint(0, 60),
                    "",
                    school.officer,
                    cal.at(held, 21),
                )


def _agreements(ctx, cal, schools):
    """This and the last three academic years' agreements: most people, not all."""
    rng = ctx.rng
    today = cal.today
    current = today.year if today.month >= 8 else today.year - 1
    for school in schools:
        heads = {
            school.office[0]: (AgreementKind.DEPARTMENT, "总务处安全工作责任书"),
            school.principal: (AgreementKind.OTHER, "学校安全工作目标责任书（与区教育局签订）"),
            school.officer: (AgreementKind.FIRE, "消防安全工作责任状"),
        }
        technicians = set(ctx.people(school.s, Role.TECHNICIAN))
        canteen = set(ctx.people(school.s, Role.CANTEEN_MANAGER))
        for year in range(current - YEARS + 1, current + 1):
            signed = min(date(year, 9, 1) + timedelta(days=rng.randrange(10)), today)
            coverage = 0.88 if year == current else 0.95
            for person in school.people:
                if rng.random() > coverage:
                    continue
                if person in heads:
                    kind, title = heads[person]
                elif person in canteen:
                    kind, title = AgreementKind.CANTEEN, "食堂食品安全责任书"
                elif person in technicians:
                    kind, title = TECHNICIAN_AGREEMENT
                elif rng.random() < 0.4:
                    kind, title = HEAD_TEACHER
                else:
                    kind, title = STAFF_AGREEMENT
                yield (
                    school.pk,
                    person,
                    kind,
                    title,
                    year,
                    signed,
                    school.office[0],
                    min(cal.at(signed, 15), ctx.now),
                )


def hazard_page(site):
    """A general hazard of the school under rectification, found in an inspection, with
    a deferral if one has it (its history, arrangements and the inspection's link)."""
    hazards = Hazard.objects.filter(
        school=site.school,
        status=S.RECTIFYING,
        level=HazardLevel.GENERAL,
        inspection__isnull=False,
    ).order_by("-pk")
    hazard = (
        hazards.filter(deferral_count__gt=0).first()
        or hazards.first()
        or Hazard.objects.filter(school=site.school).order_by("-pk").first()
    )
    return reverse("safety_hazard_detail", args=[hazard.pk])


def inspection_page(site):
    """The inspector's patrol in progress (today's, half answered: ``_in_progress``)."""
    inspection = (
        Inspection.objects.filter(school=site.school, inspector=site.user, status=IS.DRAFT)
        .order_by("-period_end", "-pk")
        .first()
    )
    return reverse("safety_inspection_detail", args=[inspection.pk])


bench_data = [BenchData("safety", generate_safety, order=300)]
# Issue target: the rectification rate page >= 0.5 x the bare 50-row page, over a district
# with 1M inspection items and 100k hazards. The safety officer's daily pages (the ledger,
# a hazard, their inspections to do, a patrol on the phone): 0.6.
bench_pages = [
    BenchPage("safety_rate", "/safety/rate/", target=0.5),
    BenchPage(
        "hazard_list",
        reversed_url("safety_hazard_list"),
        target=0.6,
        role=Role.SAFETY_OFFICER,
        order=110,
    ),
    BenchPage("hazard_detail", hazard_page, target=0.6, role=Role.SAFETY_OFFICER, order=111),
    BenchPage(
        "inspection_list",
        reversed_url("safety_inspection_list"),
        target=0.6,
        role=Role.SAFETY_OFFICER,
        order=112,
    ),
    BenchPage(
        "inspection_detail", inspection_page, target=0.6, role=Role.SAFETY_OFFICER, order=113
    ),
]
