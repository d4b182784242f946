"""Imports as background jobs (logistics/services/imports.py) and hostile uploads through
the import pages.

- A hostile or damaged file gets a clear message (in the form, or on the job's page)
  and never a 500; bombs are refused from the zip's directory, in the request.
- The request only checks the file's shape and queues a job; the rows are checked and
  written by the job, all or nothing, with its progress committed as it checks.
- The people import's initial password is hashed once, in the request, and stored and
  sent nowhere as typed.
- A job is seen only by those of its school who may run that import; its page costs a
  constant number of queries; a double submit makes one job; the tick resumes a job left
  queued and fails one whose worker died.
"""

import datetime
import io
import re
import time
import uuid
from pathlib import Path

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings as django_settings
from django.contrib.auth.hashers import MD5PasswordHasher, check_password
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from logistics import tasks
from logistics.choices import Role
from logistics.models import ImportJob, Room, StatusChange, User
from logistics.selectors import status_history
from logistics.services import imports
from tests import factories
from tests.xlsx_files import NS, ROOM_HEADER, package, row, sheet, upload, xlsx

ROOMS = "/setup/rooms/import/"
PEOPLE = "/setup/people/import/"
PASSWORD = "Qiuzhen-2026!"


@pytest.fixture
def building(school):
    return factories.BuildingFactory(school=school, name="求真楼", floors_above=5)


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    def send(client, url, data):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, data)
        if response.status_code != 302:
            return response
        return client.get(response["Location"])

    return send


def rooms_file(count, start=0):
    return xlsx(
        [["楼宇", "楼层", "房间号"], *[["求真楼", 1, f"R{n:04d}"] for n in range(start, count)]]
    )


def people_file(count):
    return xlsx(
        [["工号", "姓名", "角色"], *[[f"p{n:03d}", f"人员{n}", "教职工"] for n in range(count)]]
    )


def stored_files():
    root = Path(django_settings.MEDIA_ROOT) / "imports"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# --- Hostile files through the pages ---------------------------------------------------------


def blank_rows_bomb():
    """30 MB of blank rows in about 30 KB."""
    return package(sheet(ROOM_HEADER, "<row/>" * (30 * 1024 * 1024 // 6)))


def shared_strings_bomb():
    strings = f"<sst {NS}>" + "<si><t>a</t></si>" * (2 * 1024 * 1024) + "</sst>"
    return package(sheet(ROOM_HEADER), strings=strings)


class TestHostileUploads:
    @pytest.mark.parametrize("make", [blank_rows_bomb, shared_strings_bomb])
    def test_bombs_are_refused_in_the_form_unread(self, ga_client, building, make):
        data = make()
        ga_client.get(ROOMS)  # the first request of the process loads what every page needs
        started = time.perf_counter()
        response = ga_client.post(ROOMS, {"file": upload(data)})
        assert time.perf_counter() - started < 1
        assert response.status_code == 200
        assert "解压" in str(response.context["form"].errors["file"])
        assert not ImportJob.objects.exists() and not stored_files()

    @pytest.mark.parametrize(
        ("cells", "column", "words"),
        [
            ('<c r="B2" t="d"><v>三月一日</v></c>', "楼层", ["B2", "日期", "三月一日"]),
            ('<c r="B2" t="n"><v>二楼</v></c>', "楼层", ["B2", "数字", "二楼"]),
            ('<c r="B2"><f>"2"&amp;"F"</f><v>2F</v></c>', "楼层", ["B2", "数字", "2F"]),
            ('<c r="B2" t="e"><v>#REF!</v></c>', "楼层", ["B2", "#REF!"]),
            ('<c r="B2"><f>1+1</f></c>', "楼层", ["B2", "公式"]),
        ],
    )
    def test_an_unreadable_cell_is_an_error_on_its_row(
        self, ga_client, building, send, cells, column, words
    ):
        data = package(
            sheet(
                ROOM_HEADER,
                f'<row r="2"><c r="A2" t="inlineStr"><is><t>求真楼</t></is></c>{cells}'
                '<c r="C2"><v>101</v></c></row>',
                row(3, "求真楼", 1, "102"),
            )
        )
        response = send(ga_client, ROOMS, {"file": upload(data)})
        assert response.status_code == 200
        job = response.context["job"]
        assert job.status == "failed"
        [error] = job.row_errors
        assert error["row"] == 2 and error["column"] == column
        assert all(word in error["message"] for word in words), error
        assert "第 2 行" in response.content.decode()
        assert not Room.objects.exists()

    def test_a_sheet_truncated_after_its_header_fails_the_job_with_a_message(
        self, ga_client, building, send
    ):
        body = sheet(ROOM_HEADER, row(2, "求真楼", 1, "101"), before='<dimension ref="A1:C500"/>')
        data = package(body[: body.index('<c r="B2"') + 15])
        response = send(ga_client, ROOMS, {"file": upload(data)})
        assert response.status_code == 200
        job = response.context["job"]
        assert job.status == "failed" and "损坏" in job.error and "第 2 行" in job.error
        assert job.error in response.content.decode()
        assert not Room.objects.exists()

    def test_a_person_row_with_a_bad_cell_is_reported_with_the_others(
        self, ga_client, school, send
    ):
        data = package(
            sheet(
                row(1, "用户名", "姓名", "角色"),
                row(2, "p1", "甲", "教职工"),
                '<row r="3"><c r="A3" t="s"><v>7</v></c><c r="B3" t="inlineStr"><is><t>乙</t>'
                '</is></c><c r="C3" t="inlineStr"><is><t>教职工</t></is></c></row>',
                row(4, "p3", "丙", "神仙"),
            )
        )
        response = send(ga_client, PEOPLE, {"file": upload(data), "password": PASSWORD})
        job = response.context["job"]
        assert [(e["row"], e["column"]) for e in job.row_errors] == [(3, "用户名"), (4, "角色")]
        assert not User.objects.filter(username="p1").exists()


# --- The request queues; the job checks, then writes all or nothing -----------------------------


class TestJob:
    def test_the_request_only_queues_the_job(
        self, ga_client, general_affairs, building, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=False) as queued:
            response = ga_client.post(ROOMS, {"file": rooms_file(3)})
        job = ImportJob.objects.get()
        assert response.status_code == 302 and response["Location"] == f"{ROOMS}{job.pk}/"
        assert (job.status, job.kind, job.school, job.created_by) == (
            "queued",
            "rooms",
            general_affairs.school,
            general_affairs,
        )
        assert not Room.objects.exists()
        assert len(queued) == 1 and len(stored_files()) == 1
        page = ga_client.get(response["Location"]).content.decode()
        assert f'hx-get="{ROOMS}{job.pk}/status/"' in page and "等待" in page

        queued[0]()  # the task, as the broker would deliver it
        job.refresh_from_db()
        assert (job.status, job.created_count, job.rows_total, job.rows_checked) == (
            "done",
            3,
            3,
            3,
        )
        assert Room.objects.count() == 3
        changes = [(c.from_status, c.to_status, c.actor) for c in status_history(job)]
        assert changes == [
            ("", "queued", general_affairs),
            ("queued", "running", None),
            ("running", "done", None),
        ]
        status = ga_client.get(f"{ROOMS}{job.pk}/status/").content.decode()
        assert "hx-get" not in status and "新增 3" in status

    def test_a_task_delivered_twice_runs_once(self, ga_client, building, send):
        job = send(ga_client, ROOMS, {"file": rooms_file(2)}).context["job"]
        assert imports.import_run(job.pk) is None
        job.refresh_from_db()
        assert (job.status, job.attempts, job.created_count) == ("done", 1, 2)
        assert Room.objects.count() == 2

    def test_progress_is_committed_while_the_rows_are_checked(
        self, ga_client, building, send, monkeypatch
    ):
        monkeypatch.setattr(imports, "PROGRESS_EVERY_ROWS", 5)
        seen = []
        check = imports.RoomImporter.check

        def spy(importer, row):
            job = ImportJob.objects.get()
            seen.append((job.status, job.rows_checked, job.rows_total))
            return check(importer, row)

        monkeypatch.setattr(imports.RoomImporter, "check", spy)
        send(ga_client, ROOMS, {"file": rooms_file(23)})
        assert {status for status, _c, _t in seen} == {"running"}
        assert {total for _s, _c, total in seen} == {23}
        assert [checked for _s, checked, _t in seen][::5] == [0, 5, 10, 15, 20]

    def test_a_failure_while_writing_leaves_nothing(self, ga_client, building, send, monkeypatch):
        factories.RoomFactory(building=building, number="R0000", name="旧名")

        def broken(school):
            raise RuntimeError("disk full")

        monkeypatch.setattr(imports, "figures_changed", broken)
        response = send(ga_client, ROOMS, {"file": rooms_file(4)})
        job = response.context["job"]
        assert job.status == "failed" and "意外" in job.error and not job.row_errors
        assert list(Room.objects.values_list("number", "name")) == [("R0000", "旧名")]
        assert [c.to_status for c in status_history(job)] == ["queued", "running", "failed"]
        assert "RuntimeError: disk full" in status_history(job).last().note

    def test_a_person_taken_meanwhile_rolls_back_the_whole_import(
        self, ga_client, school, other_school, send, monkeypatch
    ):
        real = imports.PeopleImporter.write

        def racing(importer, checked):
            # Someone else takes a user name (in another case) after the rows were checked.
            factories.UserFactory(username="P002", school=other_school)
            return real(importer, checked)

        monkeypatch.setattr(imports.PeopleImporter, "write", racing)
        response = send(ga_client, PEOPLE, {"file": people_file(4), "password": PASSWORD})
        job = response.context["job"]
        assert job.status == "failed"
        assert [(e["row"], e["column"]) for e in job.row_errors] == [(4, "用户名")]
        assert not User.objects.filter(username__startswith="p0").exists()

    def test_a_room_made_meanwhile_fails_the_job_cleanly(
        self, ga_client, building, send, monkeypatch
    ):
        real = imports.RoomImporter.write

        def racing(importer, checked):
            Room.objects.create(building=building, floor=1, number="R0001")
            return real(importer, checked)

        monkeypatch.setattr(imports.RoomImporter, "write", racing)
        job = send(ga_client, ROOMS, {"file": rooms_file(3)}).context["job"]
        assert job.status == "failed" and "重新上传" in job.error
        assert not Room.objects.exists()

    def test_the_soft_time_limit_fails_the_job(self, ga_client, building, send, monkeypatch):
        def slow(importer, row):
            raise SoftTimeLimitExceeded()

        monkeypatch.setattr(imports.RoomImporter, "check", slow)
        job = send(ga_client, ROOMS, {"file": rooms_file(3)}).context["job"]
        assert job.status == "failed" and "拆分" in job.error
        assert not Room.objects.exists()

    def test_errors_are_written_in_the_uploaders_language(self, ga_client, building, send):
        ga_client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
        upload_ = xlsx([["Building", "Floor", "Room number"], ["Nowhere", 1, "1"]])
        job = send(ga_client, ROOMS, {"file": upload_}).context["job"]
        assert job.language == "en"
        assert job.row_errors == [
            {
                "row": 2,
                "column": "Building",
                "message": "Unknown building “Nowhere”. Add it under Buildings first.",
            }
        ]

    def test_row_errors_download(self, ga_client, building, send):
        upload_ = xlsx([["楼宇", "楼层", "房间号"], ["无此楼", 1, "1"], ["求真楼", "x", "2"]])
        job = send(ga_client, ROOMS, {"file": upload_}).context["job"]
        response = ga_client.get(f"{ROOMS}{job.pk}/?errors=xlsx")
        rows = list(load_workbook(io.BytesIO(response.content)).active.values)
        assert rows[0] == ("行号", "列", "错误")
        assert [r[:2] for r in rows[1:]] == [(2, "楼宇"), (3, "楼层")]

    def test_duplicate_rows_in_the_file(self, ga_client, building, school, send):
        upload_ = xlsx([["楼宇", "楼层", "房间号"], ["求真楼", 1, "1"], ["求真楼", 2, "1"]])
        job = send(ga_client, ROOMS, {"file": upload_}).context["job"]
        assert [(e["row"], e["column"]) for e in job.row_errors] == [(3, "房间号")]
        assert "第 2 行" in job.row_errors[0]["message"]
        people = xlsx([["用户名", "姓名", "角色"], ["a1", "甲", "教职工"], ["A1", "乙", "教职工"]])
        job = send(ga_client, PEOPLE, {"file": people, "password": PASSWORD}).context["job"]
        assert [(e["row"], e["column"]) for e in job.row_errors] == [(3, "用户名")]


class TestPassword:
    def test_hashed_once_for_the_whole_import(self, ga_client, school, send, monkeypatch, client):
        calls = []
        encode = MD5PasswordHasher.encode

        def counting(self, password, salt):
            calls.append(password)
            return encode(self, password, salt)

        monkeypatch.setattr(MD5PasswordHasher, "encode", counting)
        job = send(ga_client, PEOPLE, {"file": people_file(30), "password": PASSWORD})
        job = job.context["job"]
        assert (job.status, job.created_count) == ("done", 30)
        assert calls == [PASSWORD]  # one hash, in the request
        people = User.objects.filter(username__startswith="p0")
        assert people.count() == 30
        assert all(p.must_change_password and p.check_password(PASSWORD) for p in people)
        assert client.login(username="p029", password=PASSWORD)

    def test_never_stored_or_sent_as_typed(
        self, ga_client, school, monkeypatch, django_capture_on_commit_callbacks
    ):
        published = []
        monkeypatch.setattr(
            tasks.import_run, "apply_async", lambda *a, **kw: published.append((a, kw))
        )
        with django_capture_on_commit_callbacks(execute=True):
            ga_client.post(PEOPLE, {"file": people_file(2), "password": PASSWORD})
        job = ImportJob.objects.get()
        assert published == [((), {"args": (job.pk,), "retry": False, "timeout": 2.0})]
        stored = [str(v) for v in ImportJob.objects.values().get().values()]
        assert not any(PASSWORD in value for value in stored)
        assert check_password(PASSWORD, job.password_hash)
        assert not any(PASSWORD in c.note for c in StatusChange.objects.all())

        imports.import_run(job.pk)
        job.refresh_from_db()
        assert job.status == "done" and job.password_hash == ""

    def test_a_weak_password_queues_nothing(self, ga_client):
        response = ga_client.post(PEOPLE, {"file": people_file(1), "password": "123456"})
        assert "password" in response.context["form"].errors
        assert not ImportJob.objects.exists() and not stored_files()


# --- One job per form; who sees which job -------------------------------------------------------


def test_a_double_submit_makes_one_job(ga_client, building, django_capture_on_commit_callbacks):
    key = str(uuid.uuid4())
    with django_capture_on_commit_callbacks(execute=True):
        first = ga_client.post(ROOMS, {"file": rooms_file(2), "submission_key": key})
        second = ga_client.post(ROOMS, {"file": rooms_file(2), "submission_key": key})
    assert first["Location"] == second["Location"]
    assert ImportJob.objects.count() == 1 and len(stored_files()) == 1
    assert Room.objects.count() == 2
    assert "已提交过" in ga_client.get(second["Location"]).content.decode()


def test_the_form_carries_a_fresh_key_and_is_not_cached(ga_client):
    keys = set()
    for _ in range(2):
        response = ga_client.get(ROOMS)
        keys |= set(re.findall(r'name="submission_key" value="([0-9a-f-]{36})"', response.text))
        assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    assert len(keys) == 2


@pytest.fixture
def room_job(ga_client, building, send):
    return send(ga_client, ROOMS, {"file": rooms_file(2)}).context["job"]


def test_another_schools_job_is_not_found(client, make_user, other_school, room_job):
    client.force_login(make_user(Role.GENERAL_AFFAIRS, other_school))
    for url in (f"{ROOMS}{room_job.pk}/", f"{ROOMS}{room_job.pk}/status/"):
        assert client.get(url).status_code == 404
    assert "R0000" not in client.get(ROOMS).content.decode()


@pytest.mark.parametrize("role", [Role.STAFF, Role.PRINCIPAL, Role.TECHNICIAN])
def test_only_those_who_may_import_see_a_job(client, make_user, school, room_job, role):
    client.force_login(make_user(role, school))
    for url in (ROOMS, f"{ROOMS}{room_job.pk}/", f"{ROOMS}{room_job.pk}/status/"):
        assert client.get(url).status_code == 403


def test_a_job_is_seen_under_its_own_kind_only(ga_client, room_job):
    assert ga_client.get(f"{PEOPLE}{room_job.pk}/").status_code == 404


def test_signed_out_goes_to_sign_in(client, room_job):
    client.logout()  # the same client the job was uploaded with
    response = client.get(f"{ROOMS}{room_job.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_stored_upload_is_served_to_nobody(ga_client, room_job):
    assert room_job.file.startswith("imports/")
    assert (Path(django_settings.MEDIA_ROOT) / room_job.file).is_file()
    assert ga_client.get(f"/media/{room_job.file}").status_code == 404


def test_the_import_page_lists_the_schools_recent_imports_of_its_kind(
    ga_client, school, other_school, building, send
):
    mine = send(ga_client, ROOMS, {"file": rooms_file(1)}).context["job"]
    other = factories.user_with_role(Role.GENERAL_AFFAIRS, school=other_school)
    ImportJob.objects.create(
        school=other_school,
        kind="rooms",
        file="imports/x.xlsx",
        file_name="别校.xlsx",
        submission_key=uuid.uuid4(),
        created_by=other,
    )
    ImportJob.objects.create(
        school=school,
        kind="people",
        file="imports/y.xlsx",
        file_name="人员.xlsx",
        submission_key=uuid.uuid4(),
        created_by=mine.created_by,
    )
    page = ga_client.get(ROOMS).content.decode()
    assert f'href="{ROOMS}{mine.pk}/"' in page and "新增 1 条" in page
    assert "别校.xlsx" not in page and "人员.xlsx" not in page


def test_a_job_page_costs_the_same_queries_however_many_errors(ga_client, building, send):
    def queries(count):
        upload_ = xlsx([["楼宇", "楼层", "房间号"], *[["无此楼", 1, str(n)] for n in range(count)]])
        job = send(ga_client, ROOMS, {"file": upload_}).context["job"]
        assert len(job.row_errors) == count
        with CaptureQueriesContext(connection) as captured:
            assert ga_client.get(f"{ROOMS}{job.pk}/").status_code == 200
        with CaptureQueriesContext(connection) as polled:
            assert ga_client.get(f"{ROOMS}{job.pk}/status/").status_code == 200
        return len(captured), len(polled)

    assert queries(1) == queries(300)


def test_the_import_page_costs_the_same_queries_however_many_imports(ga_client, building, send):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert ga_client.get(ROOMS).status_code == 200
        return len(captured)

    send(ga_client, ROOMS, {"file": rooms_file(1)})
    one = queries()
    for n in range(4):
        send(ga_client, ROOMS, {"file": rooms_file(2 + n, start=1 + n)})
    assert queries() == one


# --- The tick ------------------------------------------------------------------------------------


def test_the_tick_resumes_a_queued_job_and_fails_a_dead_one(
    ga_client, building, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        ga_client.post(ROOMS, {"file": rooms_file(2)})
        ga_client.post(ROOMS, {"file": rooms_file(4, start=2)})
    waiting, dead = ImportJob.objects.order_by("pk")
    now = timezone.now()
    ImportJob.objects.filter(pk=waiting.pk).update(created_at=now - datetime.timedelta(minutes=5))
    ImportJob.objects.filter(pk=dead.pk).update(
        status="running", started_at=now - datetime.timedelta(minutes=30)
    )
    with django_capture_on_commit_callbacks(execute=True):
        imports.imports_resume(now)
    waiting.refresh_from_db()
    dead.refresh_from_db()
    assert (waiting.status, waiting.created_count) == ("done", 2)
    assert dead.status == "failed" and "中止" in dead.error and dead.finished_at
    assert Room.objects.count() == 2

    # A job running within its time limit is left alone.
    ImportJob.objects.filter(pk=dead.pk).update(
        status="running", started_at=now - datetime.timedelta(minutes=5), finished_at=None
    )
    imports.imports_resume(now)
    assert ImportJob.objects.get(pk=dead.pk).status == "running"


def test_the_tick_runs_the_resume_job(ga_client, building, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        ga_client.post(ROOMS, {"file": rooms_file(1)})
    ImportJob.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.tick()
    assert ImportJob.objects.get().status == "done"


def test_the_admin_shows_jobs_read_only(client, make_user, room_job):
    admin = make_user(None, None, is_staff=True, is_superuser=True)
    client.force_login(admin)
    base = "/admin/logistics/importjob/"
    assert client.get(base).status_code == 200
    page = client.get(f"{base}{room_job.pk}/change/")
    assert page.status_code == 200 and "password_hash" not in page.content.decode()
    assert client.get(f"{base}add/").status_code == 403
    assert client.post(f"{base}{room_job.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ImportJob.objects.filter(pk=room_job.pk).exists()
