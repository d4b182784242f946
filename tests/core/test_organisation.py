import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, close_old_connections, connection, transaction

from logistics.choices import Term
from logistics.models import Semester, StatusChange
from logistics.services.organisation import room_save, semester_make_current, semester_save
from tests import factories

D = datetime.date


@pytest.mark.django_db
class TestSemesters:
    def test_overlap_within_a_school_is_refused(self, school):
        semester_save(
            school=school,
            academic_year=2026,
            term=Term.FIRST,
            start_date=D(2026, 9, 1),
            end_date=D(2027, 1, 31),
        )
        with pytest.raises(ValidationError, match="重叠"):
            semester_save(
                school=school,
                academic_year=2026,
                term=Term.SECOND,
                start_date=D(2027, 1, 20),
                end_date=D(2027, 7, 10),
            )
        assert Semester.objects.filter(school=school).count() == 1

    def test_other_schools_do_not_overlap(self, school, other_school):
        for s in (school, other_school):
            semester_save(
                school=s,
                academic_year=2026,
                term=Term.FIRST,
                start_date=D(2026, 9, 1),
                end_date=D(2027, 1, 31),
            )
        assert Semester.objects.count() == 2

    def test_end_before_start_is_refused(self, school):
        with pytest.raises(ValidationError):
            semester_save(
                school=school,
                academic_year=2026,
                term=Term.FIRST,
                start_date=D(2026, 9, 1),
                end_date=D(2026, 8, 1),
            )

    def test_one_current_and_the_change_is_recorded(self, school, general_affairs):
        first = factories.SemesterFactory(school=school)
        second = factories.SemesterFactory(
            school=school,
            term=Term.SECOND,
            start_date=D(2027, 2, 15),
            end_date=D(2027, 7, 10),
        )
        semester_make_current(semester=first, actor=general_affairs)
        semester_make_current(semester=second, actor=general_affairs)
        first.refresh_from_db()
        second.refresh_from_db()
        assert (first.is_current, second.is_current) == (False, True)
        changes = StatusChange.objects.order_by("pk")
        assert [(c.object_id, c.from_status, c.to_status) for c in changes] == [
            (first.pk, "not_current", "current"),
            (first.pk, "current", "not_current"),
            (second.pk, "not_current", "current"),
        ]
        assert all(c.actor == general_affairs for c in changes)
        assert str(changes[2]) == "非当前学期 → 当前学期"

    def test_database_refuses_two_current(self, school):
        factories.SemesterFactory(school=school, is_current=True)
        with pytest.raises(IntegrityError), transaction.atomic():
            factories.SemesterFactory(
                school=school,
                term=Term.SECOND,
                start_date=D(2027, 2, 15),
                end_date=D(2027, 7, 10),
                is_current=True,
            )

    def test_form_shows_overlap_error(self, ga_client, school):
        factories.SemesterFactory(school=school)
        response = ga_client.post(
            "/setup/semesters/new/",
            {
                "academic_year": 2026,
                "term": 2,
                "start_date": "2026-12-01",
                "end_date": "2027-06-30",
            },
        )
        assert response.status_code == 200
        assert "重叠" in response.content.decode()
        assert Semester.objects.count() == 1

    def test_edit_form_shows_iso_dates_and_saves_unchanged(self, ga_client, school):
        semester = factories.SemesterFactory(school=school)
        url = f"/setup/semesters/{semester.pk}/edit/"
        body = ga_client.get(url).content.decode()
        assert 'value="2026-09-01"' in body and 'value="2027-01-31"' in body
        response = ga_client.post(
            url,
            {
                "academic_year": 2026,
                "term": 1,
                "start_date": "2026-09-01",
                "end_date": "2027-01-20",
            },
        )
        assert response.status_code == 302
        semester.refresh_from_db()
        assert semester.end_date == D(2027, 1, 20)

    def test_create_as_current_from_the_page(self, ga_client, school):
        response = ga_client.post(
            "/setup/semesters/new/",
            {
                "academic_year": 2026,
                "term": 1,
                "start_date": "2026-09-01",
                "end_date": "2027-01-31",
                "is_current": "on",
            },
        )
        assert response.status_code == 302
        assert Semester.objects.get(school=school).is_current


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_people_saving_overlapping_semesters_at_once_create_one(school):
    """The school row lock makes the overlap check and the insert one step."""
    barrier = threading.Barrier(2)
    outcomes = []

    def save(term, start, end):
        try:
            barrier.wait()
            semester_save(
                school=school, academic_year=2026, term=term, start_date=start, end_date=end
            )
            outcomes.append("saved")
        except ValidationError:
            outcomes.append("refused")
        finally:
            close_old_connections()
            connection.close()

    threads = [
        threading.Thread(target=save, args=(Term.FIRST, D(2026, 9, 1), D(2027, 1, 31))),
        threading.Thread(target=save, args=(Term.SECOND, D(2026, 12, 1), D(2027, 6, 30))),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["refused", "saved"]
    assert Semester.objects.filter(school=school).count() == 1


@pytest.mark.django_db
class TestRoomsAndBuildings:
    def test_room_floor_must_exist_in_the_building(self, school):
        building = factories.BuildingFactory(school=school, floors_above=4, floors_below=1)
        with pytest.raises(ValidationError) as error:
            room_save(school=school, building=building, floor=5, number="501", kind="classroom")
        assert "floor" in error.value.message_dict
        room = room_save(school=school, building=building, floor=-1, number="B01", kind="storage")
        assert room.pk

    def test_room_of_another_schools_building_is_refused(self, school, other_school):
        building = factories.BuildingFactory(school=other_school)
        with pytest.raises(ValidationError):
            room_save(school=school, building=building, floor=1, number="101", kind="office")

    def test_duplicate_building_name_is_a_form_error(self, ga_client, school):
        factories.BuildingFactory(school=school, name="求真楼")
        response = ga_client.post(
            "/setup/buildings/new/",
            {"name": "求真楼", "floors_above": 5, "floors_below": 0, "is_active": "on"},
        )
        assert response.status_code == 200
        assert school.buildings.count() == 1
        assert "已有同名楼宇" in response.content.decode()

    def test_same_building_name_in_another_school_is_fine(self, ga_client, school, other_school):
        factories.BuildingFactory(school=other_school, name="求真楼")
        response = ga_client.post(
            "/setup/buildings/new/",
            {"name": "求真楼", "floors_above": 5, "floors_below": 0, "is_active": "on"},
        )
        assert response.status_code == 302
        assert school.buildings.get().name == "求真楼"

    def test_edit_room_from_the_page(self, ga_client, school):
        room = factories.RoomFactory(building__school=school, number="101")
        response = ga_client.post(
            f"/setup/rooms/{room.pk}/edit/",
            {
                "building": room.building_id,
                "floor": 2,
                "number": "201",
                "name": "总务处",
                "kind": "office",
                "is_active": "on",
            },
        )
        assert response.status_code == 302
        room.refresh_from_db()
        assert (room.floor, room.number, room.name, room.kind) == (2, "201", "总务处", "office")

    def test_bad_input_is_a_form_error(self, ga_client, school):
        building = factories.BuildingFactory(school=school)
        response = ga_client.post(
            "/setup/rooms/new/",
            {"building": building.pk, "floor": "三楼", "number": "", "kind": "nonsense"},
        )
        assert response.status_code == 200
        assert response.context["form"].errors.keys() >= {"floor", "number", "kind"}
        assert not building.rooms.exists()


@pytest.mark.django_db
class TestSchoolSettings:
    def test_webhook_host_must_be_a_robot(self, ga_client, school):
        data = {
            "name": school.name,
            "email_notifications": "on",
            "semester_reminder_days": 14,
            "webhook_kind": "wecom",
            "webhook_url": "http://169.254.169.254/latest/meta-data",
        }
        response = ga_client.post("/setup/school/", data)
        assert response.status_code == 200
        assert "webhook_url" in response.context["form"].errors
        school.refresh_from_db()
        assert school.webhook_url == ""
        data["webhook_url"] = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"
        assert ga_client.post("/setup/school/", data).status_code == 302
        school.refresh_from_db()
        assert school.webhook_kind == "wecom"

    def test_kind_without_url_is_refused(self, ga_client, school):
        response = ga_client.post(
            "/setup/school/",
            {"name": school.name, "semester_reminder_days": 14, "webhook_kind": "dingtalk"},
        )
        assert response.status_code == 200
        assert "请填写机器人的 Webhook 地址" in response.content.decode()
        school.refresh_from_db()
        assert school.webhook_kind == ""
