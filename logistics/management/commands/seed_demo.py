"""Build the demo district, its two schools and their accounts (idempotent: run it as often
as you like; ``--if-empty`` does nothing on a database that has a school).

武进实验中学 is the demo school; 湖塘实验小学, its smaller neighbour in the same district, has
its own semesters, people, repair tickets and safety records (the apps' demo seeders give
it a smaller set than the main school), so its accounts land on pages with content. Every
demo account is printed at the end, by school and role.
"""

from datetime import date

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from logistics.choices import Role, RoomKind, Term, Trade
from logistics.common.registry import registry
from logistics.demo import NEIGHBOUR_CODE
from logistics.models import (
    Building,
    Campus,
    Department,
    District,
    Room,
    School,
    Semester,
    TechnicianTrade,
    User,
)
from logistics.services.organisation import semester_make_current

DEMO_PASSWORD = "houqin-demo"  # noqa: S105 - documented demo accounts

DEPARTMENTS = [
    "校长室",
    "办公室",
    "总务处",
    "教务处",
    "学生处",
    "保卫科",
    "食堂",
    "宿管中心",
    "语文组",
    "数学组",
    "英语组",
    "物理组",
    "化学组",
    "体育组",
]

# (campus, name, code, floors above, floors below, room plan)
BUILDINGS = [
    ("本部", "求真楼", "QZ", 5, 0, "classrooms"),
    ("本部", "求实楼", "QS", 5, 0, "classrooms"),
    ("本部", "实验楼", "SY", 4, 0, "labs"),
    ("本部", "行政楼", "XZ", 4, 1, "offices"),
    ("本部", "学生宿舍5号楼", "SS5", 6, 0, "dorms"),
    ("本部", "学生宿舍6号楼", "SS6", 6, 0, "dorms"),
    ("本部", "食堂", "ST", 2, 0, "canteen"),
    ("本部", "体育馆", "TYG", 2, 0, "sports"),
    ("新校区", "明德楼", "MD", 4, 0, "classrooms"),
]

OFFICES = {
    -1: [("B01", "配电间", RoomKind.STORAGE), ("B02", "总务仓库", RoomKind.STORAGE)],
    1: [
        ("101", "门卫值班室", RoomKind.OFFICE),
        ("102", "监控室", RoomKind.OFFICE),
        ("103", "保卫科", RoomKind.OFFICE),
    ],
    2: [
        ("201", "总务处", RoomKind.OFFICE),
        ("202", "财务室", RoomKind.OFFICE),
        ("203", "会计室", RoomKind.OFFICE),
    ],
    3: [
        ("301", "校长室", RoomKind.OFFICE),
        ("302", "办公室", RoomKind.OFFICE),
        ("303", "第四会议室", RoomKind.OFFICE),
    ],
    4: [
        ("401", "档案室", RoomKind.STORAGE),
        ("402", "教务处", RoomKind.OFFICE),
        ("403", "学生处", RoomKind.OFFICE),
    ],
}
LABS = ["物理实验室", "化学实验室", "生物实验室", "计算机房", "通用技术室", "录播教室"]
CANTEEN = {
    1: [
        ("101", "学生餐厅", RoomKind.CANTEEN),
        ("102", "后厨", RoomKind.CANTEEN),
        ("103", "留样间", RoomKind.CANTEEN),
        ("104", "食品仓库", RoomKind.STORAGE),
    ],
    2: [("201", "教工餐厅", RoomKind.CANTEEN), ("202", "消毒间", RoomKind.CANTEEN)],
}
SPORTS = {
    1: [("101", "篮球馆", RoomKind.SPORTS), ("102", "器材室", RoomKind.STORAGE)],
    2: [("201", "乒乓室", RoomKind.SPORTS), ("202", "形体房", RoomKind.SPORTS)],
}

# (username, name, department, roles, trades, phone)
ACCOUNTS = [
    ("jiaoshi", "王晓梅", "语文组", [Role.STAFF], [], "13800000001"),
    (
        "weixiu",
        "李建国",
        "总务处",
        [Role.TECHNICIAN],
        [Trade.PLUMBING, Trade.ELECTRICAL],
        "13800000002",
    ),
    ("zongwu", "张卫东", "总务处", [Role.GENERAL_AFFAIRS, Role.STAFF], [], "13800000003"),
    ("anquan", "赵志强", "保卫科", [Role.SAFETY_OFFICER, Role.STAFF], [], "13800000004"),
    ("shitang", "陈丽华", "食堂", [Role.CANTEEN_MANAGER, Role.STAFF], [], "13800000005"),
    ("suguan", "刘桂芳", "宿管中心", [Role.DORM_MANAGER, Role.STAFF], [], "13800000006"),
    ("xiaozhang", "周明远", "校长室", [Role.PRINCIPAL, Role.STAFF], [], "13800000007"),
    # More people, so later lists and queues have someone in them.
    ("mugong", "孙木林", "总务处", [Role.TECHNICIAN], [Trade.CARPENTRY], "13800000011"),
    ("kongtiao", "吴海涛", "总务处", [Role.TECHNICIAN], [Trade.AIR_CONDITIONING], "13800000012"),
    ("wangluo", "郑宇", "办公室", [Role.TECHNICIAN], [Trade.NETWORK], "13800000013"),
    ("shuigong", "黄德福", "总务处", [Role.TECHNICIAN], [Trade.PLUMBING], "13800000014"),
    (
        "diangong",
        "蒋立平",
        "总务处",
        [Role.TECHNICIAN],
        [Trade.ELECTRICAL, Trade.AIR_CONDITIONING],
        "13800000015",
    ),
    (
        "zonghe",
        "沈国华",
        "总务处",
        [Role.TECHNICIAN],
        [Trade.GENERAL, Trade.CARPENTRY],
        "13800000016",
    ),
    ("shuxue", "钱文静", "数学组", [Role.STAFF], [], "13800000021"),
    ("yingyu", "冯蕾", "英语组", [Role.STAFF], [], "13800000022"),
    ("wuli", "何志刚", "物理组", [Role.STAFF], [], "13800000023"),
    ("tiyu", "马骏", "体育组", [Role.STAFF], [], "13800000024"),
]


def term_dates(today: date):
    """(academic year, term, start, end) of the term containing ``today`` and the one before."""
    if today.month >= 8 or today.month == 1:
        year = today.year if today.month >= 8 else today.year - 1
        current = (year, Term.FIRST, date(year, 9, 1), date(year + 1, 1, 31))
        previous = (year - 1, Term.SECOND, date(year, 2, 15), date(year, 7, 10))
    else:
        year = today.year - 1
        current = (year, Term.SECOND, date(today.year, 2, 15), date(today.year, 7, 10))
        previous = (year, Term.FIRST, date(year, 9, 1), date(today.year, 1, 31))
    return current, previous


class Command(BaseCommand):
    help = "Create the demo district, school, buildings, rooms, people and semesters."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if the database already has a school.",
        )

    def handle(self, *args, if_empty=False, **options):
        if if_empty and School.objects.exists():
            self.stdout.write("The database already has schools; demo not loaded.")
            return
        self.accounts = {}
        with transaction.atomic():
            school = self.build()
        self.stdout.write(self.style.SUCCESS(f"Demo school {school.name} and its neighbour ready."))
        self.stdout.write(self.accounts_text())

    def accounts_text(self):
        """Every demo account (made or found by ``account``): by school, district and
        role, a technician with their trades."""
        users = (
            User.objects.filter(username__in=self.accounts)
            .select_related("school", "district")
            .prefetch_related("groups", "trades")
        )
        users = sorted(
            users,
            key=lambda u: (u.school_id is None, u.school_id or 0, u.district_id is None, u.pk),
        )
        places = {}  # place -> role -> [names]
        for user in users:
            if user.school_id:
                place = user.school.name
            elif user.district_id:
                place = user.district.name
            else:
                place = _("Administration")
            roles = places.setdefault(place, {})
            if user.is_superuser:
                roles.setdefault(None, []).append(user.username)
                continue
            # Staff is every school person's base role: named only when it is the only one.
            own = [role for role in user.roles if role != Role.STAFF] or user.roles
            trades = sorted((t.trade for t in user.trades.all()), key=list(Trade.values).index)
            for role in own:
                name = user.username
                if role == Role.TECHNICIAN and trades:
                    name += f" ({', '.join(str(Trade(t).label) for t in trades)})"
                roles.setdefault(role, []).append(name)
        lines = [f"Demo accounts, all with the password {DEMO_PASSWORD}:"]
        for place, roles in places.items():
            lines.append(f"  {place}")
            order = list(Role)
            for role in sorted(roles, key=lambda r: order.index(r) if r else len(order)):
                label = role.label if role else _("superuser (the administration site /admin/)")
                lines.append(f"    {label}: {', '.join(roles[role])}")
        return "\n".join(lines)

    def build(self):
        district, _created = District.objects.get_or_create(
            code="wujin", defaults={"name": "武进区"}
        )
        school, _created = School.objects.get_or_create(
            code="wjsy",
            defaults={
                "name": "武进实验中学",
                "district": district,
                "address": "常州市武进区湖塘镇求真路1号",
                "phone": "0519-86000000",
            },
        )
        self.build_school(school)
        neighbour = self.build_neighbour(district)
        self.build_semesters(school)
        self.build_semesters(neighbour)
        self.build_people(school, district)
        self.seed_apps(school)
        return school

    def seed_apps(self, school):
        """The apps' demo records (``registry.demo_seeders``, declared in their
        ``demo.py``; the repairs' first): for the demo school, then for its smaller
        neighbour."""
        schools = [(school, True)]
        schools += [(s, False) for s in School.objects.filter(code=NEIGHBOUR_CODE)]
        for seeder in registry.demo_seeders_in_order():
            for target, main in schools:
                seeder.function(target, main=main, account=self.account)

    def build_school(self, school):
        campuses = {
            name: Campus.objects.get_or_create(school=school, name=name)[0]
            for name in ("本部", "新校区")
        }
        for name in DEPARTMENTS:
            Department.objects.get_or_create(school=school, name=name)
        for campus, name, code, above, below, plan in BUILDINGS:
            building, _created = Building.objects.get_or_create(
                school=school,
                name=name,
                defaults={
                    "campus": campuses[campus],
                    "code": code,
                    "floors_above": above,
                    "floors_below": below,
                },
            )
            for floor, number, room_name, kind, capacity in self.room_plan(plan, above):
                Room.objects.get_or_create(
                    building=building,
                    number=number,
                    defaults={
                        "floor": floor,
                        "name": room_name,
                        "kind": kind,
                        "capacity": capacity,
                    },
                )

    def room_plan(self, plan, floors):
        grades = ["高一", "高二", "高三"]
        if plan == "classrooms":
            for floor in range(1, floors + 1):
                for n in range(1, 7):
                    grade = grades[(floor - 1) % 3]
                    cls = (floor - 1) // 3 * 6 + n
                    yield floor, f"{floor}{n:02d}", f"{grade}({cls})班", RoomKind.CLASSROOM, 50
                yield floor, f"{floor}07", "教师办公室", RoomKind.OFFICE, None
        elif plan == "labs":
            for floor in range(1, floors + 1):
                for n, lab in enumerate(LABS[:4], start=1):
                    yield floor, f"{floor}{n:02d}", lab, RoomKind.LAB, 48
        elif plan == "dorms":
            for floor in range(1, floors + 1):
                for n in range(1, 13):
                    yield floor, f"{floor}{n:02d}", "", RoomKind.DORM, 8
        else:
            table = {"offices": OFFICES, "canteen": CANTEEN, "sports": SPORTS}[plan]
            for floor, rooms in table.items():
                for number, name, kind in rooms:
                    yield floor, number, name, kind, None

    def build_neighbour(self, district):
        """A second, smaller school of the district (the district viewer's roll-up): its
        buildings here, its semesters (``build_semesters``), people, tickets and safety
        records from the apps' demo seeders."""
        school, _created = School.objects.get_or_create(
            code=NEIGHBOUR_CODE,
            defaults={
                "name": "湖塘实验小学",
                "district": district,
                "address": "常州市武进区湖塘镇花园街8号",
                "phone": "0519-86100000",
            },
        )
        for name, floors in (("教学楼", 4), ("综合楼", 3)):
            building, _created = Building.objects.get_or_create(
                school=school, name=name, defaults={"floors_above": floors}
            )
            for floor in range(1, floors + 1):
                for n in range(1, 5):
                    Room.objects.get_or_create(
                        building=building, number=f"{floor}{n:02d}", defaults={"floor": floor}
                    )
        return school

    def build_semesters(self, school):
        current, previous = term_dates(timezone.localdate())
        semesters = []
        for year, term, start, end in (previous, current):
            semester, _created = Semester.objects.get_or_create(
                school=school,
                academic_year=year,
                term=term,
                defaults={"start_date": start, "end_date": end},
            )
            semesters.append(semester)
        if not Semester.objects.filter(school=school, is_current=True).exists():
            semester_make_current(semester=semesters[-1])

    def build_people(self, school, district):
        departments = {d.name: d for d in Department.objects.filter(school=school)}
        groups = {g.name: g for g in Group.objects.all()}
        for username, name, department, roles, trades, phone in ACCOUNTS:
            user = self.account(
                username,
                name=name,
                school=school,
                department=departments[department],
                phone=phone,
                email=f"{username}@wjsy.example.cn",
            )
            user.groups.add(*(groups[str(r)] for r in roles))
            for trade in trades:
                TechnicianTrade.objects.get_or_create(user=user, trade=trade)
        viewer = self.account("quju", name="武进区教育局", district=district)
        viewer.groups.add(groups[str(Role.DISTRICT_VIEWER)])
        self.account("admin", name="系统管理员", is_staff=True, is_superuser=True)

    def account(self, username, **fields):
        """Find or make a demo account (with the demo password); every one is listed
        at the end."""
        user = User.objects.filter(username=username).first()
        if user is None:
            if getattr(self, "_password", None) is None:
                self._password = make_password(DEMO_PASSWORD)  # hashed once: ~1 s each
            user = User(username=username, password=self._password, **fields)
            user.save()
        if not hasattr(self, "accounts"):
            self.accounts = {}
        self.accounts[username] = user
        return user
