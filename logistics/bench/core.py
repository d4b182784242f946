"""The core's part of the benchmark: its data, its key pages and the rooms import.

Sizes are those of a full school at ``--scale 1`` (a small school has a tenth): 4
campuses, 15 buildings, 600 rooms, 14 departments, 200 people with roles, 8 semesters
(4 academic years, the current one included), 5,000 notifications (of which the
accounts the bench signs in as get their share: ``MEASURED_NOTIFICATIONS``; a district's
viewer gets 100 of their own).

The pages are the ones a person opens every day, each signed in as the role that opens
it (``bench_account``): everyone's home, the notifications, the dashboard (the current
semester's), the set-up lists of rooms and people.
"""

import io
import time
from bisect import bisect_right
from datetime import date, timedelta
from itertools import chain

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from logistics.bench import (
    BENCH_PASSWORD,
    SCHOOL_CODE_PREFIX,
    BenchData,
    BenchPage,
    BenchTiming,
    bench_account,
    per_floor,
    reversed_url,
    spread,
)
from logistics.choices import DeliveryStatus, Role, RoomKind, Term, Trade, UserStatus
from logistics.management.commands.seed_demo import DEPARTMENTS
from logistics.models import (
    Building,
    Campus,
    Department,
    Notification,
    Room,
    Semester,
    StatusChange,
    TechnicianTrade,
    User,
)

CAMPUSES = ["本部", "东校区", "西校区", "南校区", "北校区", "新校区"]
# One school's 15 buildings, in this order (a 16th starts the list again).
BUILDING_PLAN = [
    ("教学楼", "classrooms"),
    ("实验楼", "labs"),
    ("行政楼", "offices"),
    ("宿舍楼", "dorms"),
    ("教学楼", "classrooms"),
    ("食堂", "canteen"),
    ("宿舍楼", "dorms"),
    ("教学楼", "classrooms"),
    ("体育馆", "sports"),
    ("综合楼", "mixed"),
    ("宿舍楼", "dorms"),
    ("教学楼", "classrooms"),
    ("实验楼", "labs"),
    ("宿舍楼", "dorms"),
    ("教学楼", "classrooms"),
]
ROOM_NAMES = {
    "classrooms": (RoomKind.CLASSROOM, ["", "", "多媒体教室", "合班教室"]),
    "labs": (RoomKind.LAB, ["物理实验室", "化学实验室", "生物实验室", "计算机房", "通用技术室"]),
    "offices": (RoomKind.OFFICE, ["办公室", "会议室", "财务室", "档案室", "总务处"]),
    "dorms": (RoomKind.DORM, [""]),
    "canteen": (RoomKind.CANTEEN, ["学生餐厅", "后厨", "留样间", "消毒间", "食品仓库"]),
    "sports": (RoomKind.SPORTS, ["篮球馆", "乒乓室", "器材室", "形体房"]),
    "mixed": (RoomKind.OTHER, ["阅览室", "心理咨询室", "校史馆", "仓库", "广播室"]),
}
TEACHING = DEPARTMENTS[8:]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文晓梅海燕春雪"
# (username suffix, roles, department) of the first people of every school.
KEY_PEOPLE = [
    ("zongwu", [Role.GENERAL_AFFAIRS, Role.STAFF], "总务处"),
    ("xiaozhang", [Role.PRINCIPAL, Role.STAFF], "校长室"),
    ("anquan", [Role.SAFETY_OFFICER, Role.STAFF], "保卫科"),
    ("shitang", [Role.CANTEEN_MANAGER, Role.STAFF], "食堂"),
    ("suguan", [Role.DORM_MANAGER, Role.STAFF], "宿管中心"),
    ("zongwu2", [Role.GENERAL_AFFAIRS, Role.STAFF], "总务处"),
]
NOTIFICATION_TITLES = [
    "报修单 #{n} 已完成，请评价",
    "报修单 #{n} 已派给维修工",
    "第{w}周安全巡查提醒",
    "隐患 #{n} 整改期限将到",
    "食堂晨检记录待确认",
    "本月宿舍星级评定已发布",
    "资产盘点任务 #{n} 待完成",
    "学期工作总结请于本周提交",
]


# Of a full school's 5,000 notifications, general affairs gets a fifth and the other
# accounts the bench signs in as these many (the rest go to anyone): what each one's bell,
# home and list show. A district's viewer gets DISTRICT_NOTIFICATIONS of their own.
MEASURED_NOTIFICATIONS = {
    Role.STAFF: 150,
    Role.TECHNICIAN: 600,
    Role.SAFETY_OFFICER: 500,
    Role.PRINCIPAL: 200,
}
DISTRICT_NOTIFICATIONS = 100
DISTRICT_TITLES = ["学期工作总结请于本周提交", "隐患 #{n} 整改期限将到", "本月安全月报已汇总"]


def username_prefix(school):
    return f"b{school.index:02d}"


def _sample(rng, items):
    return items[rng.randrange(len(items))]


# --- Generators ---------------------------------------------------------------------


def generate_places(ctx):
    campuses, buildings, rooms, departments = [], [], [], []
    for s in ctx.schools:
        for i in range(min(ctx.size(s, 4), len(CAMPUSES))):
            campuses.append(Campus(school=s.school, name=CAMPUSES[i], address=f"{CAMPUSES[i]}路"))
        for i in range(ctx.size(s, 14, minimum=4)):
            name = DEPARTMENTS[i % len(DEPARTMENTS)]
            lap = i // len(DEPARTMENTS)
            departments.append(
                Department(school=s.school, name=f"{name}{lap + 1}" if lap else name)
            )
    ctx.bulk_create(Campus, campuses)
    ctx.bulk_create(Department, departments)
    by_school = {}
    for campus in campuses:
        by_school.setdefault(campus.school_id, []).append(campus)
    for s in ctx.schools:
        own = by_school[s.school.pk]
        ctx.put(s, "campuses", [c.pk for c in own])
        for i in range(ctx.size(s, 15)):
            label, _plan = BUILDING_PLAN[i % len(BUILDING_PLAN)]
            buildings.append(
                Building(
                    school=s.school,
                    campus=own[i % len(own)],
                    name=f"{i + 1}号{label}",
                    code=f"B{i + 1:02d}",
                    floors_above=4 + ctx.rng.randrange(3),
                    floors_below=1 if label == "行政楼" else 0,
                    is_active=ctx.rng.random() > 0.03,
                )
            )
    ctx.bulk_create(Building, buildings)
    by_school = {}
    for building in buildings:
        by_school.setdefault(building.school_id, []).append(building)
    for s in ctx.schools:
        own = by_school[s.school.pk]
        ctx.put(s, "buildings", [b.pk for b in own])
        for b, count in zip(own, spread(ctx.size(s, 600), len(own)), strict=True):
            _label, plan = BUILDING_PLAN[(int(b.code[1:]) - 1) % len(BUILDING_PLAN)]
            kind, names = ROOM_NAMES[plan]
            each = per_floor(count, b.floors_above)
            for k in range(count):
                floor, position = 1 + k // each, 1 + k % each
                rooms.append(
                    Room(
                        building=b,
                        floor=floor,
                        number=f"{floor}{position:02d}",
                        name=_sample(ctx.rng, names),
                        kind=kind,
                        capacity=48
                        if kind == RoomKind.CLASSROOM
                        else (6 if plan == "dorms" else None),
                        is_active=ctx.rng.random() > 0.02,
                    )
                )
    ctx.bulk_create(Room, rooms, batch_size=5000)
    by_school = {}
    school_of = {b.pk: b.school_id for b in buildings}
    for room in rooms:
        by_school.setdefault(school_of[room.building_id], []).append(room.pk)
    for s in ctx.schools:
        ctx.put(s, "rooms", by_school[s.school.pk])
    return {
        "campuses": len(campuses),
        "buildings": len(buildings),
        "rooms": len(rooms),
        "departments": len(departments),
    }


def generate_people(ctx):
    password = make_password(BENCH_PASSWORD)  # hashed once for every account
    groups = {g.name: g.pk for g in Group.objects.filter(name__in=Role.values)}
    departments = {}
    for d in Department.objects.filter(school__code__startswith=SCHOOL_CODE_PREFIX):
        departments[(d.school_id, d.name)] = d.pk
    users, plan = [], []  # plan: (school, roles, trades) per user, in order
    rng = ctx.rng
    for s in ctx.schools:
        prefix = username_prefix(s)
        total = ctx.size(s, 200, minimum=len(KEY_PEOPLE) + 4)
        technicians = max(1, total // 12)
        teaching = [departments.get((s.school.pk, n)) for n in TEACHING]
        teaching = [pk for pk in teaching if pk] or [None]
        for k in range(total):
            trades = []
            if k < len(KEY_PEOPLE):
                suffix, roles, department = KEY_PEOPLE[k]
                department_id = departments.get((s.school.pk, department))
            elif k < len(KEY_PEOPLE) + technicians:
                suffix, roles = f"weixiu{k - len(KEY_PEOPLE) + 1}", [Role.TECHNICIAN]
                department_id = departments.get((s.school.pk, "总务处"))
                trades = rng.sample(Trade.values, 1 + (k % 2))
            else:
                suffix, roles, department_id = f"{k:04d}", [Role.STAFF], _sample(rng, teaching)
            username = f"{prefix}-{suffix}"
            users.append(
                User(
                    username=username,
                    name=_sample(rng, SURNAMES) + _sample(rng, GIVEN) + _sample(rng, GIVEN),
                    school=s.school,
                    department_id=department_id,
                    phone=f"13{rng.randrange(10**9):09d}",
                    email=f"{username}@bench.example.cn" if rng.random() < 0.6 else "",
                    password=password,
                    is_active=k < len(KEY_PEOPLE) or rng.random() > 0.03,
                )
            )
            plan.append((s, roles, trades))
    for district in ctx.districts:
        users.append(
            User(
                username=f"{district.code}-quju",
                name="区教育局",
                district=district,
                password=password,
            )
        )
        plan.append((None, [Role.DISTRICT_VIEWER], []))
    ctx.bulk_create(User, users, batch_size=5000)

    memberships, trade_rows, history = [], [], []
    ids = {}
    user_type = ContentType.objects.get_for_model(User)
    for user, (s, roles, trades) in zip(users, plan, strict=True):
        for role in roles:
            memberships.append(User.groups.through(user_id=user.pk, group_id=groups[str(role)]))
            if s is not None:
                ids.setdefault((s.school.pk, f"people:{role}"), []).append(user.pk)
        trade_rows += [TechnicianTrade(user_id=user.pk, trade=t) for t in trades]
        if s is not None:
            ids.setdefault((s.school.pk, "people"), []).append(user.pk)
            history.append(
                StatusChange(
                    school=s.school,
                    content_type=user_type,
                    object_id=user.pk,
                    from_status="",
                    to_status=UserStatus.ACTIVE,
                )
            )
    ctx.bulk_create(User.groups.through, memberships, batch_size=5000)
    ctx.bulk_create(TechnicianTrade, trade_rows)
    ctx.bulk_create(StatusChange, history, batch_size=5000)
    for s in ctx.schools:
        ctx.put(s, "people", ids.get((s.school.pk, "people"), []))
        for role in Role.values:
            ctx.put(s, f"people:{role}", ids.get((s.school.pk, f"people:{role}"), []))
    return {
        "people": len(users),
        "role memberships": len(memberships),
        "trades": len(trade_rows),
        "status changes": len(history),
    }


def term_bounds(academic_year, term):
    """Contiguous terms: the first from 20 August, the second from 11 February."""
    if term == Term.FIRST:
        return date(academic_year, 8, 20), date(academic_year + 1, 2, 10)
    return date(academic_year + 1, 2, 11), date(academic_year + 1, 8, 19)


def current_academic_year(today):
    return today.year if today >= date(today.year, 8, 20) else today.year - 1


def generate_semesters(ctx):
    today = ctx.today
    last = current_academic_year(today)
    semesters = []
    for s in ctx.schools:
        for year in range(last - 3, last + 1):
            for term in Term:
                start, end = term_bounds(year, term)
                semesters.append(
                    Semester(
                        school=s.school,
                        academic_year=year,
                        term=term,
                        start_date=start,
                        end_date=end,
                        is_current=start <= today <= end,
                    )
                )
    ctx.bulk_create(Semester, semesters)
    return {"semesters": len(semesters)}


def generate_notifications(ctx):
    rng = ctx.rng
    now = ctx.now
    span = 4 * 365 * 24 * 3600  # spread over four years, newest last

    # The accounts the bench signs in as, read before the COPY starts (no query may run
    # on the connection while it is open).
    accounts = {
        (s.school.pk, role): bench_account(s.school, role)
        for s in ctx.schools
        for role in (*MEASURED_NOTIFICATIONS, Role.DISTRICT_VIEWER)
    }

    def rows():
        for s in ctx.schools:
            people = ctx.people(s)
            affairs = ctx.people(s, Role.GENERAL_AFFAIRS) or people
            total = ctx.size(s, 5000)
            # General affairs gets a fifth, the measured accounts their shares, then anyone.
            measured, upto, limit = [], [], 0.2
            for role, count in MEASURED_NOTIFICATIONS.items():
                user = accounts[(s.school.pk, role)]
                if user is not None:
                    limit += count / 5000
                    measured.append(user.pk)
                    upto.append(limit)
            for i in range(total):
                roll = rng.random()
                if roll < 0.2:
                    recipient = _sample(rng, affairs)
                elif roll < limit:
                    recipient = measured[bisect_right(upto, roll)]
                else:
                    recipient = _sample(rng, people)
                created = now - timedelta(seconds=span * (total - i) / total + rng.random() * 60)
                read = i < total * 0.9 or rng.random() < 0.3
                emailed = rng.random() < 0.3
                n = rng.randrange(1, 5000)
                yield (
                    s.school.pk,
                    recipient,
                    f"bench:{i}",
                    _sample(rng, NOTIFICATION_TITLES).format(n=n, w=1 + n % 20),
                    "请及时处理。" if rng.random() < 0.5 else "",
                    "/notifications/",
                    created,
                    created + timedelta(hours=2) if read else None,
                    DeliveryStatus.SENT if emailed else DeliveryStatus.SKIPPED,
                    1 if emailed else 0,
                    created + timedelta(minutes=1) if emailed else None,
                )

    def district():
        """The districts' viewers' (no school), keys ``bench:district:n``."""
        done = set()
        total = max(1, round(DISTRICT_NOTIFICATIONS * ctx.scale))
        for s in ctx.schools:
            user = accounts[(s.school.pk, Role.DISTRICT_VIEWER)]
            if user is None or user.pk in done:
                continue
            done.add(user.pk)
            for i in range(total):
                created = now - timedelta(seconds=span * (total - i) / total + rng.random() * 60)
                read = i < total * 0.9 or rng.random() < 0.3
                n = rng.randrange(1, 5000)
                yield (
                    None,
                    user.pk,
                    f"bench:district:{i}",
                    _sample(rng, DISTRICT_TITLES).format(n=n),
                    "",
                    "/notifications/",
                    created,
                    created + timedelta(hours=2) if read else None,
                    DeliveryStatus.SKIPPED,
                    0,
                    None,
                )

    count = ctx.copy(
        Notification,
        [
            "school",
            "recipient",
            "key",
            "title",
            "body",
            "url",
            "created_at",
            "read_at",
            "email_status",
            "email_attempts",
            "email_sent_at",
        ],
        chain(rows(), district()),
    )
    return {"notifications": count}


# --- The rooms import: the real service against bare openpyxl + bulk_create -----------

IMPORT_ROWS = 2000


def rooms_xlsx(school, rows=IMPORT_ROWS):
    """An xlsx of ``rows`` new rooms in ``school``'s buildings (numbers T0000…)."""
    from openpyxl import Workbook

    from logistics.services.imports import ROOM_COLUMNS

    buildings = list(Building.objects.filter(school=school).order_by("pk"))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append([str(c.label) for c in ROOM_COLUMNS])
    for i in range(rows):
        b = buildings[i % len(buildings)]
        sheet.append([b.name, 1 + i % b.floors_above, f"T{i:04d}", f"导入{i}", "office", 30])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def time_rooms_import(site, rows=IMPORT_ROWS):
    """Seconds the real import takes for ``rows`` new rooms (rolled back after)."""
    from logistics.services.imports import rooms_import

    data = rooms_xlsx(site.school, rows)
    upload = SimpleUploadedFile("rooms.xlsx", data)
    with transaction.atomic():
        started = time.perf_counter()
        result = rooms_import(school=site.school, upload=upload)
        elapsed = time.perf_counter() - started
        if result.created != rows:
            raise RuntimeError(f"rooms import: {result.created} created, {result.errors[:3]}")
        transaction.set_rollback(True)
    return elapsed


def time_bare_import(site, rows=IMPORT_ROWS):
    """Seconds openpyxl + one bulk_create take for the same rows (rolled back after)."""
    from openpyxl import load_workbook

    data = rooms_xlsx(site.school, rows)
    with transaction.atomic():
        started = time.perf_counter()
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0].iter_rows(values_only=True)
        next(sheet)
        buildings = dict(Building.objects.filter(school=site.school).values_list("name", "pk"))
        made = Room.objects.bulk_create(
            [
                Room(
                    building_id=buildings[name],
                    floor=int(floor),
                    number=str(number),
                    name=title or "",
                    kind=kind,
                    capacity=int(capacity),
                )
                for name, floor, number, title, kind, capacity in sheet
            ],
            batch_size=1000,
        )
        workbook.close()
        elapsed = time.perf_counter() - started
        if len(made) != rows:
            raise RuntimeError(f"bare import made {len(made)} rooms")
        transaction.set_rollback(True)
    return elapsed


# --- The people import: the real service (one hash for the file, made in the request)
# against bare openpyxl + bulk_create of the accounts and their roles ---------------------


def people_xlsx(school, rows=IMPORT_ROWS):
    """An xlsx of ``rows`` new people of ``school`` (user names imp00000…), staff in its
    departments, every tenth a technician with a trade too."""
    from openpyxl import Workbook

    from logistics.services.imports import PEOPLE_COLUMNS

    departments = list(
        Department.objects.filter(school=school).order_by("pk").values_list("name", flat=True)
    )
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append([str(c.label) for c in PEOPLE_COLUMNS])
    for i in range(rows):
        technician = i % 10 == 0
        sheet.append(
            [
                f"imp{i:05d}",
                f"导入{i}",
                f"139{i:08d}",
                "",
                departments[i % len(departments)],
                "technician" if technician else "staff",
                "plumbing" if technician else "",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def time_people_import(site, rows=IMPORT_ROWS):
    """Seconds the real import takes for ``rows`` new people (rolled back after); the
    initial password is hashed once beforehand, as the request does."""
    from logistics.services.imports import ImportKind, import_at_once

    upload = SimpleUploadedFile("people.xlsx", people_xlsx(site.school, rows))
    password_hash = make_password("houqin-import-password")
    actor = bench_account(site.school, Role.GENERAL_AFFAIRS)
    with transaction.atomic():
        started = time.perf_counter()
        result = import_at_once(
            ImportKind.PEOPLE,
            school=site.school,
            upload=upload,
            actor=actor,
            password_hash=password_hash,
        )
        elapsed = time.perf_counter() - started
        if result.created != rows:
            raise RuntimeError(f"people import: {result.created} created, {result.errors[:3]}")
        transaction.set_rollback(True)
    return elapsed


def time_bare_people_import(site, rows=IMPORT_ROWS):
    """Seconds openpyxl + bulk_create of the same accounts and their roles take."""
    from openpyxl import load_workbook

    data = people_xlsx(site.school, rows)
    password_hash = make_password("houqin-import-password")
    with transaction.atomic():
        started = time.perf_counter()
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0].iter_rows(values_only=True)
        next(sheet)
        departments = dict(Department.objects.filter(school=site.school).values_list("name", "pk"))
        groups = dict(Group.objects.values_list("name", "pk"))
        people, roles = [], []
        for username, name, phone, _email, department, role, _trades in sheet:
            people.append(
                User(
                    username=username,
                    name=name,
                    phone=phone,
                    school=site.school,
                    department_id=departments[department],
                    password=password_hash,
                    must_change_password=True,
                )
            )
            roles.append(groups[role])
        made = User.objects.bulk_create(people, batch_size=1000)
        User.groups.through.objects.bulk_create(
            [
                User.groups.through(user_id=user.pk, group_id=group)
                for user, group in zip(made, roles, strict=True)
            ],
            batch_size=1000,
        )
        workbook.close()
        elapsed = time.perf_counter() - started
        if len(made) != rows:
            raise RuntimeError(f"bare import made {len(made)} people")
        transaction.set_rollback(True)
    return elapsed


bench_data = [
    BenchData("places", generate_places, order=10),
    BenchData("people", generate_people, order=20),
    BenchData("semesters", generate_semesters, order=30),
    BenchData("notifications", generate_notifications, order=40),
]
# Every page a person opens in daily work: >= 0.6 x the bare 50-row page.
DAILY = 0.6
bench_pages = [
    BenchPage("home", reversed_url("home"), target=DAILY, order=10),
    BenchPage("home_staff", reversed_url("home"), target=DAILY, role=Role.STAFF, order=11),
    BenchPage(
        "home_technician", reversed_url("home"), target=DAILY, role=Role.TECHNICIAN, order=12
    ),
    BenchPage(
        "home_safety_officer",
        reversed_url("home"),
        target=DAILY,
        role=Role.SAFETY_OFFICER,
        order=13,
    ),
    BenchPage("home_principal", reversed_url("home"), target=DAILY, role=Role.PRINCIPAL, order=14),
    BenchPage(
        "home_district_viewer",
        reversed_url("home"),
        target=DAILY,
        role=Role.DISTRICT_VIEWER,
        order=15,
    ),
    BenchPage("notifications", reversed_url("notification_list"), target=DAILY, order=20),
    BenchPage("dashboard", reversed_url("dashboard"), target=DAILY, role=Role.PRINCIPAL, order=25),
    BenchPage("rooms", reversed_url("room_list"), target=DAILY, order=30),
    BenchPage("people", reversed_url("person_list"), target=DAILY, order=40),
]
bench_timings = [
    BenchTiming(
        "rooms_import",
        f"rooms import, {IMPORT_ROWS} rows (vs openpyxl + bulk_create)",
        run=time_rooms_import,
        baseline=time_bare_import,
        target=0.1,
        order=10,
    ),
    BenchTiming(
        "people_import",
        f"people import, {IMPORT_ROWS} rows (vs openpyxl + bulk_create; one hash)",
        run=time_people_import,
        baseline=time_bare_people_import,
        target=0.1,
        order=11,
    ),
]
