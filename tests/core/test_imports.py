"""The rooms and people imports as the general affairs office uses them: upload, then the
job's page with what was imported or every row's error (logistics/services/imports.py).
Hostile files and the job itself: tests/framework/test_spreadsheets.py,
tests/core/test_import_jobs.py."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from logistics.models import ImportJob, Room, User
from tests import factories
from tests.xlsx_files import XLSX, xlsx


@pytest.fixture
def building(school):
    return factories.BuildingFactory(school=school, name="求真楼", floors_above=5)


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Post an import form; the job queued on commit runs (Celery is eager in the tests)
    and the job's page is returned. A form refused in the request is returned as it is."""

    def send(client, url, data):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, data)
        if response.status_code != 302:
            return response
        return client.get(response["Location"])

    return send


def job_errors(response):
    return [error["row"] for error in response.context["job"].row_errors]


@pytest.mark.django_db
class TestRoomImport:
    url = "/setup/rooms/import/"

    def test_creates_and_updates(self, ga_client, building, send):
        factories.RoomFactory(building=building, number="101", floor=1, name="旧名")
        upload = xlsx(
            [
                ["楼宇", "楼层", "房间号", "名称", "类型", "容纳人数"],
                ["求真楼", 1, "101", "高一(1)班", "教室", 50],
                ["求真楼", 2, 201, "物理实验室", "lab", ""],
                [None, None, None, None, None, None],
                ["求真楼", "3", "301", "", "", None],
            ]
        )
        response = send(ga_client, self.url, {"file": upload})
        assert response.status_code == 200
        assert "新增 2" in response.content.decode()
        assert (response.context["job"].created_count, response.context["job"].updated_count) == (
            2,
            1,
        )
        rooms = {r.number: r for r in Room.objects.filter(building=building)}
        assert set(rooms) == {"101", "201", "301"}
        assert rooms["101"].name == "高一(1)班"
        assert rooms["201"].kind == "lab" and rooms["201"].floor == 2
        assert rooms["101"].capacity == 50

    def test_english_headers_work_too(
        self, ga_client, building, django_capture_on_commit_callbacks
    ):
        upload = xlsx([["Building", "Floor", "Room number"], ["求真楼", 1, "105"]])
        with django_capture_on_commit_callbacks(execute=True):
            response = ga_client.post(self.url, {"file": upload})
        assert response.status_code == 302
        assert response["Location"] == f"{self.url}{ImportJob.objects.get().pk}/"
        assert Room.objects.filter(number="105").exists()

    def test_any_bad_row_imports_nothing_and_names_the_rows(self, ga_client, building, send):
        upload = xlsx(
            [
                ["楼宇", "楼层", "房间号", "类型"],
                ["求真楼", 1, "101", "教室"],
                ["博学楼", 1, "102", "教室"],
                ["求真楼", "三", "103", "教室"],
                ["求真楼", 9, "104", "教室"],
                ["求真楼", 1, "105", "太空舱"],
            ]
        )
        response = send(ga_client, self.url, {"file": upload})
        assert response.status_code == 200
        assert job_errors(response) == [3, 4, 5, 6]
        text = response.content.decode()
        assert "博学楼" in text and "第 5 行" in text
        assert not Room.objects.exists()

    def test_the_database_s_constraints_name_their_rows(self, ga_client, building, send):
        """The constraints are checked by the database when the rows are written: a
        floor 0 is refused there, and the page still names the row and imports nothing."""
        upload = xlsx(
            [
                ["楼宇", "楼层", "房间号", "类型"],
                ["求真楼", 1, "101", "教室"],
                ["求真楼", 0, "102", "教室"],
                ["求真楼", 2, "201", "教室"],
            ]
        )
        response = send(ga_client, self.url, {"file": upload})
        assert response.status_code == 200
        assert job_errors(response) == [3]
        assert not Room.objects.exists()

    def test_checking_a_file_costs_no_query_a_row(
        self, school, building, django_assert_max_num_queries
    ):
        from logistics.services import imports

        rows = [["楼宇", "楼层", "房间号", "类型"]] + [
            ["求真楼", 1 + i % 5, f"{i:04d}", "教室"] for i in range(300)
        ]
        upload = SimpleUploadedFile("rooms.xlsx", xlsx(rows).read())
        with django_assert_max_num_queries(12):
            result = imports.rooms_import(school=school, upload=upload)
        assert result.created == 300

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (b"not a spreadsheet at all", "不是 Excel"),
            (b"PK\x03\x04garbage", "不是 Excel"),
        ],
    )
    def test_malformed_files(self, ga_client, building, content, message):
        upload = SimpleUploadedFile("rooms.xlsx", content, content_type=XLSX)
        response = ga_client.post(self.url, {"file": upload})
        assert response.status_code == 200
        assert message in str(response.context["form"].errors["file"])
        assert not Room.objects.exists()

    def test_zip_without_a_workbook(self, ga_client, building):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("hello.txt", "hi")
        upload = SimpleUploadedFile("rooms.xlsx", buffer.getvalue(), content_type=XLSX)
        response = ga_client.post(self.url, {"file": upload})
        assert "file" in response.context["form"].errors

    def test_too_large(self, ga_client, building, settings):
        settings.IMPORT_MAX_UPLOAD_BYTES = 1000
        upload = xlsx([["楼宇", "楼层", "房间号"], *[["求真楼", 1, str(n)] for n in range(500)]])
        response = ga_client.post(self.url, {"file": upload})
        assert "过大" in str(response.context["form"].errors["file"])
        assert not Room.objects.exists()

    def test_too_many_rows(self, ga_client, building, settings, send):
        settings.IMPORT_MAX_ROWS = 3
        upload = xlsx([["楼宇", "楼层", "房间号"], *[["求真楼", 1, str(n)] for n in range(4)]])
        response = send(ga_client, self.url, {"file": upload})  # counted by the job
        assert response.context["job"].status == "failed"
        assert "3" in response.context["job"].error and "过多" in response.content.decode()
        assert not Room.objects.exists()

    def test_missing_columns_and_empty_sheets(self, ga_client, building, send):
        response = ga_client.post(self.url, {"file": xlsx([["楼宇", "名称"], ["求真楼", "x"]])})
        errors = str(response.context["form"].errors["file"])
        assert "楼层" in errors and "房间号" in errors
        response = ga_client.post(self.url, {"file": xlsx([])})
        assert "file" in response.context["form"].errors
        # A header and no rows: found when the job reads the whole sheet.
        response = send(ga_client, self.url, {"file": xlsx([["楼宇", "楼层", "房间号"]])})
        assert response.context["job"].status == "failed"
        assert "没有数据行" in response.context["job"].error
        assert not ImportJob.objects.filter(status="done").exists()

    def test_buildings_of_another_school_are_unknown(self, ga_client, building, other_school, send):
        factories.BuildingFactory(school=other_school, name="别校楼")
        upload = xlsx([["楼宇", "楼层", "房间号"], ["别校楼", 1, "101"]])
        response = send(ga_client, self.url, {"file": upload})
        assert job_errors(response) == [2]
        assert not Room.objects.exists()

    def test_template_download(self, ga_client, building):
        response = ga_client.get(self.url + "?template=1")
        assert response["Content-Type"] == XLSX
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert [c.value for c in sheet[1]] == ["楼宇", "楼层", "房间号", "名称", "类型", "容纳人数"]


@pytest.mark.django_db
class TestPeopleImport:
    url = "/setup/people/import/"

    def test_creates_people_with_roles_in_either_language(
        self, ga_client, school, client, django_capture_on_commit_callbacks
    ):
        factories.DepartmentFactory(school=school, name="总务处")
        upload = xlsx(
            [
                ["工号", "姓名", "手机", "部门", "角色", "工种"],
                ["t001", "李建国", 13800000002, "总务处", "维修工", "水工、电工"],
                ["t002", "王晓梅", "", "", "staff, Technician", ""],
            ]
        )
        with django_capture_on_commit_callbacks(execute=True):
            response = ga_client.post(self.url, {"file": upload, "password": "Qiuzhen-2026!"})
        assert response.status_code == 302
        li = User.objects.get(username="t001")
        assert li.school == school and li.phone == "13800000002"
        assert li.department.name == "总务处"
        assert li.role_names == {"technician"}
        assert set(li.trades.values_list("trade", flat=True)) == {"plumbing", "electrical"}
        wang = User.objects.get(username="t002")
        assert wang.role_names == {"staff", "technician"}
        assert wang.must_change_password
        assert client.login(username="t002", password="Qiuzhen-2026!")

    def test_errors_import_nothing(self, ga_client, school, other_school, send):
        factories.UserFactory(username="taken", school=other_school)
        upload = xlsx(
            [
                ["用户名", "姓名", "角色", "部门", "邮箱"],
                ["ok1", "甲", "教职工", "", ""],
                ["taken", "乙", "教职工", "", ""],
                ["bad", "丙", "神仙", "", ""],
                ["bad2", "丁", "教职工", "不存在的部门", ""],
                ["bad3", "戊", "教职工", "", "not-an-email"],
                ["bad4", "己", "区教育局", "", ""],
            ]
        )
        response = send(ga_client, self.url, {"file": upload, "password": "Qiuzhen-2026!"})
        assert response.status_code == 200
        assert job_errors(response) == [3, 4, 5, 6, 7]
        assert not User.objects.filter(username__in=["ok1", "bad", "bad2", "bad3", "bad4"]).exists()

    def test_weak_initial_password_is_refused(self, ga_client):
        upload = xlsx([["用户名", "姓名", "角色"], ["p1", "甲", "教职工"]])
        response = ga_client.post(self.url, {"file": upload, "password": "123456"})
        assert "password" in response.context["form"].errors
        assert not User.objects.filter(username="p1").exists()

    def test_existing_people_of_the_school_are_updated(self, ga_client, school, send):
        person = factories.UserFactory(username="t9", school=school, name="旧名")
        upload = xlsx([["用户名", "姓名", "角色"], ["T9", "新名", "教职工"]])
        response = send(ga_client, self.url, {"file": upload, "password": "Qiuzhen-2026!"})
        assert response.context["job"].updated_count == 1
        person.refresh_from_db()
        assert person.name == "新名" and person.role_names == {"staff"}


@pytest.mark.django_db
def test_exports_escape_formulae(ga_client, school):
    building = factories.BuildingFactory(school=school, name='=HYPERLINK("http://x")')
    factories.RoomFactory(building=building, number="+1", name="@SUM(A1)")
    factories.RoomFactory(building=building, number="-2", name="正常")
    response = ga_client.get("/setup/rooms/export/")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [c.value for row in sheet.iter_rows(min_row=2) for c in row if c.value is not None]
    assert all(not str(v).startswith(("=", "+", "-", "@")) for v in values), values
    assert '\'=HYPERLINK("http://x")' in values


@pytest.mark.django_db
def test_export_follows_the_filters(ga_client, school):
    a = factories.BuildingFactory(school=school, name="甲楼")
    b = factories.BuildingFactory(school=school, name="乙楼")
    factories.RoomFactory(building=a, number="101")
    factories.RoomFactory(building=b, number="201")
    response = ga_client.get(f"/setup/rooms/export/?building={b.pk}")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[2]][:3] == ["乙楼", 1, "201"]
    assert sheet.max_row == 2
