"""The people import written in bulk (``logistics.services.people.people_create`` and
``people_update``, called by ``logistics.services.imports.PeopleImporter``): every rule
of ``person_create`` and ``person_update``, in a number of statements that does not grow
with the file; every refused row named; nothing written when one row fails.

The pages and the job: tests/core/test_imports.py, tests/core/test_import_jobs.py."""

import pytest
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from logistics.choices import AccountEvent, Role, Trade, UserStatus
from logistics.models import ImportJob, School, StatusChange, TechnicianTrade, User
from logistics.services import imports
from logistics.services.people import (
    AccountsRefused,
    people_create,
    people_update,
    person_create,
)
from tests import factories
from tests.xlsx_files import xlsx

URL = "/setup/people/import/"
PASSWORD = "Qiuzhen-2026!"
HEADER = ["工号", "姓名", "部门", "角色", "工种"]


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    def send(client, rows):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(URL, {"file": xlsx([HEADER, *rows]), "password": PASSWORD})
        assert response.status_code == 302, response.context["form"].errors
        return ImportJob.objects.get(pk=response["Location"].rstrip("/").rsplit("/", 1)[1])

    return send


def _stamp(school):
    return School.objects.values_list("figures_version", flat=True).get(pk=school.pk)


def _errors(job):
    return [(e["row"], e["column"]) for e in job.row_errors]


def _record(user):
    """What an account holds after it was made: its fields, roles, trades, history."""
    return {
        "fields": User.objects.filter(pk=user.pk)
        .values("name", "phone", "email", "department__name", "must_change_password", "school")
        .get(),
        "roles": set(user.groups.values_list("name", flat=True)),
        "trades": set(TechnicianTrade.objects.filter(user=user).values_list("trade", flat=True)),
        "history": list(
            StatusChange.objects.filter(content_type__model="user", object_id=user.pk).values_list(
                "field", "from_status", "to_status", "actor", "school", "note"
            )
        ),
    }


@pytest.mark.django_db
class TestTheSameRulesAsOneByOne:
    def test_people_create_makes_what_person_create_makes(self, school, general_affairs):
        department = factories.DepartmentFactory(school=school, name="总务处")
        person = {
            "name": "李建国",
            "phone": "13800000002",
            "email": "li@example.cn",
            "department": department,
            "roles": [Role.TECHNICIAN, Role.STAFF],
            "trades": [Trade.PLUMBING, Trade.ELECTRICAL],
        }
        one, _password = person_create(
            school=school,
            username="one",
            actor=general_affairs,
            password_hash=make_password(PASSWORD),
            **person,
        )
        stamp = _stamp(school)
        [many, other] = people_create(
            school=school,
            people=[
                {"username": "many", **person},
                {"username": "other", "name": "王晓梅", "roles": [Role.STAFF]},
            ],
            actor=general_affairs,
            password_hash=make_password(PASSWORD),
        )
        assert _record(many) == _record(one)
        assert _record(many)["history"] == [
            ("status", "", UserStatus.ACTIVE, general_affairs.pk, school.pk, "")
        ]
        assert _record(other)["roles"] == {"staff"} and not _record(other)["trades"]
        assert many.check_password(PASSWORD) and other.check_password(PASSWORD)
        assert _stamp(school) == stamp + 1  # once for the whole list

    def test_without_a_password_each_gets_its_own(self, school):
        [a, b] = people_create(
            school=school,
            people=[
                {"username": "a", "name": "甲", "roles": [Role.STAFF]},
                {"username": "b", "name": "乙", "roles": [Role.STAFF]},
            ],
        )
        a.refresh_from_db()
        b.refresh_from_db()
        assert a.has_usable_password() and a.password != b.password
        assert a.must_change_password and b.must_change_password

    def test_people_update_changes_what_person_update_changes(self, school, general_affairs):
        fixer = factories.technician(school, Trade.PLUMBING, username="fixer", name="旧名")
        same = factories.user_with_role(Role.STAFF, school=school, username="same")
        stamp = _stamp(school)
        people_update(
            school=school,
            people=[
                {
                    "user": fixer,
                    "name": "新名",
                    "phone": "1",
                    "email": "",
                    "department": None,
                    "roles": [Role.TECHNICIAN, Role.STAFF],
                    "trades": [Trade.ELECTRICAL],
                },
                {"user": same, "name": "同", "roles": [Role.STAFF], "trades": []},
            ],
            actor=general_affairs,
        )
        fixer = User.objects.get(pk=fixer.pk)
        assert fixer.name == "新名" and fixer.phone == "1"
        assert fixer.role_names == {"technician", "staff"}
        assert set(fixer.trades.values_list("trade", flat=True)) == {"electrical"}
        [change] = StatusChange.objects.filter(object_id=fixer.pk, content_type__model="user")
        assert (change.field, change.to_status, change.actor) == (
            "roles",
            AccountEvent.ROLES_CHANGED,
            general_affairs,
        )
        assert change.note == "维修工 → 教职工、维修工"
        # Roles unchanged: nothing recorded.
        assert not StatusChange.objects.filter(object_id=same.pk, content_type__model="user")
        assert _stamp(school) == stamp + 1

    def test_refusals_are_named_by_position_and_nothing_is_written(
        self, school, other_school, general_affairs
    ):
        factories.UserFactory(username="Taken", school=other_school)
        foreign = factories.DepartmentFactory(school=other_school)
        stamp = _stamp(school)
        with pytest.raises(AccountsRefused) as refused:
            people_create(
                school=school,
                people=[
                    {"username": "ok", "name": "甲", "roles": [Role.STAFF]},
                    {"username": "taken", "name": "乙", "roles": [Role.STAFF]},
                    {"username": "boss", "name": "丙", "roles": [Role.PRINCIPAL]},
                    {"username": "dep", "name": "丁", "roles": [Role.STAFF], "department": foreign},
                    {"username": "OK", "name": "戊", "roles": [Role.STAFF]},
                    {
                        "username": "trade",
                        "name": "己",
                        "roles": [Role.STAFF],
                        "trades": ["network"],
                    },
                ],
                actor=general_affairs,
            )
        assert sorted(refused.value.errors) == [1, 2, 3, 4, 5]
        assert not User.objects.filter(username__in=["ok", "boss", "dep", "OK", "trade"]).exists()
        assert _stamp(school) == stamp


def _people_rows(count, start=0, roles="教职工"):
    return [[f"p{n:04d}", f"人员{n}", "", roles, ""] for n in range(start, start + count)]


@pytest.mark.django_db
class TestTheImport:
    def test_errors_name_their_rows_and_nothing_is_written(
        self, ga_client, school, other_school, general_affairs, send
    ):
        """A file of updates and new people with bad rows among them: every bad row is
        named, and nothing at all is written (no account, role, trade, status record,
        change of an existing account or of the school's stamp)."""
        factories.DepartmentFactory(school=school, name="总务处")
        known = factories.user_with_role(Role.STAFF, school=school, username="known", name="旧")
        principal = factories.user_with_role(Role.PRINCIPAL, school=school, username="boss")
        factories.UserFactory(username="elsewhere", school=other_school)
        stamp = _stamp(school)
        counts = (
            User.objects.count(),
            StatusChange.objects.count(),
            TechnicianTrade.objects.count(),
        )
        job = send(
            ga_client,
            [
                ["new1", "甲", "总务处", "维修工", "水工"],  # 2: fine
                ["KNOWN", "新名", "", "教职工", ""],  # 3: fine (an update)
                ["Elsewhere", "乙", "", "教职工", ""],  # 4: another school's user name
                ["new2", "丙", "", "教职工", "电工"],  # 5: trades for a non-technician
                ["new3", "丁", "", "校长", ""],  # 6: a role above general affairs
                ["boss", "校长", "", "教职工", ""],  # 7: an account above general affairs
                ["new4", "庚", "无此部门", "教职工", ""],  # 8: an unknown department
                ["NEW1", "戊", "", "教职工", ""],  # 9: the same user name as row 2
                [general_affairs.username, "我", "", "教职工", ""],  # 10: drops one's own role
            ],
        )
        assert job.status == "failed"
        assert _errors(job) == [
            (4, "用户名"),
            (5, "工种"),
            (6, "角色"),
            (7, ""),
            (8, "部门"),
            (9, "用户名"),
            (10, "角色"),
        ]
        assert "第 2 行" in job.row_errors[5]["message"]
        assert (
            User.objects.count(),
            StatusChange.objects.filter(content_type__model="user").count(),
            TechnicianTrade.objects.count(),
        ) == (counts[0], 0, counts[2])
        known.refresh_from_db()
        assert known.name == "旧" and principal.role_names == {"principal"}
        assert _stamp(school) == stamp

    def test_duplicates_against_the_database(self, ga_client, school, other_school, send):
        """A user name of the school (in any case) updates its account; one of another
        school is refused; one taken after the check is named too (see
        test_import_jobs)."""
        mine = factories.user_with_role(Role.STAFF, school=school, username="Li.Ming")
        factories.UserFactory(username="wang", school=other_school)
        job = send(ga_client, [["li.ming", "李明", "", "教职工", ""]])
        assert (job.status, job.created_count, job.updated_count) == ("done", 0, 1)
        mine.refresh_from_db()
        assert mine.username == "Li.Ming" and mine.name == "李明"
        job = send(ga_client, [["ok", "甲", "", "教职工", ""], ["WANG", "王", "", "教职工", ""]])
        assert _errors(job) == [(3, "用户名")]
        assert not User.objects.filter(username="ok").exists()

    def test_duplicates_within_the_file(self, ga_client, school, send):
        job = send(
            ga_client,
            [
                ["zhang", "张", "", "教职工", ""],
                ["li", "李", "", "教职工", ""],
                ["ZHANG", "张二", "", "教职工", ""],
                ["Zhang", "张三", "", "教职工", ""],
            ],
        )
        assert _errors(job) == [(4, "用户名"), (5, "用户名")]
        assert all("第 2 行" in e["message"] for e in job.row_errors)
        assert not User.objects.filter(username__iexact="zhang").exists()

    def test_a_database_refusal_names_its_row(self, ga_client, school, send, monkeypatch):
        """A row the table refuses when the rows are written (its constraints are
        checked there, not row by row before) is named, and nothing is written."""
        real = User.objects.bulk_create

        def refusing(users, **kwargs):
            users[1].district = school.district  # a school's person with a district
            return real(users, **kwargs)

        monkeypatch.setattr(User.objects, "bulk_create", refusing)
        job = send(ga_client, _people_rows(3))
        assert job.status == "failed"
        assert _errors(job) == [(3, "")]
        assert "不能同时属于" in job.row_errors[0]["message"]
        assert not User.objects.filter(username__startswith="p0").exists()
        assert not StatusChange.objects.filter(content_type__model="user").exists()

    def test_the_whole_file_costs_a_few_statements(self, school, general_affairs):
        """Checking and writing 300 people (created, then updated) costs the same
        statements as 3: no statement a row."""

        def run(count, start=0):
            upload = SimpleUploadedFile(
                "people.xlsx",
                xlsx([HEADER, *_people_rows(count, start, roles="维修工、教职工")]).read(),
            )
            rows = imports.read_rows(upload, imports.PEOPLE_COLUMNS)
            importer = imports.PeopleImporter(
                school, rows, actor=general_affairs, password_hash=make_password(PASSWORD)
            )
            with CaptureQueriesContext(connection) as queries:
                checked, errors = imports._check(importer, rows)
                assert not errors
                importer.write(checked)
            return len(queries.captured_queries)

        assert run(300, start=1000) <= run(3, start=0) + 8  # the batches of 500 or 1,000
        assert User.objects.filter(username__startswith="p").count() == 303
        assert run(300, start=1000) <= run(3, start=0) + 8  # now updates
