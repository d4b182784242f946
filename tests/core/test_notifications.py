import datetime

import pytest
from django.core import mail
from django.utils import timezone

from logistics.choices import Role, Term
from logistics.common.reminders import reminders_run
from logistics.models import Notification, Reminder
from logistics.services.notifications import notify
from tests import factories

D = datetime.date


def at(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))


@pytest.mark.django_db
class TestNotificationCentre:
    def test_badge_list_open_and_read_all(self, client, school):
        user = factories.user_with_role(Role.STAFF, school=school)
        notify(recipients=[user], key="a", title="报修单已派工", url="/notifications/?x=1")
        notify(recipients=[user], key="b", title="隐患待复查")
        client.force_login(user)
        home = client.get("/").content.decode()
        assert 'data-testid="unread-count">2<' in home
        badge = client.get("/notifications/badge/").content.decode()
        assert ">2<" in badge and "hx-get" in badge
        listing = client.get("/notifications/?unread=1").content.decode()
        assert "报修单已派工" in listing and "隐患待复查" in listing
        first = Notification.objects.get(key="a")
        response = client.post(f"/notifications/{first.pk}/open/")
        assert response.status_code == 302 and response.url == "/notifications/?x=1"
        first.refresh_from_db()
        assert first.read_at is not None
        client.post("/notifications/read-all/")
        assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()
        assert "unread-count" not in client.get("/notifications/badge/").content.decode()

    def test_cannot_open_someone_elses_notification(self, client, school):
        me = factories.user_with_role(Role.STAFF, school=school)
        other = factories.user_with_role(Role.STAFF, school=school)
        (theirs,) = notify(recipients=[other], key="x", title="私人")
        client.force_login(me)
        assert client.post(f"/notifications/{theirs.pk}/open/").status_code == 404
        assert "私人" not in client.get("/notifications/").content.decode()

    def test_external_links_are_not_followed(self, client, school):
        user = factories.user_with_role(Role.STAFF, school=school)
        (n,) = notify(recipients=[user], key="x", title="t", url="https://evil.example/")
        client.force_login(user)
        response = client.post(f"/notifications/{n.pk}/open/")
        assert response.url == "/notifications/"

    def test_empty_state(self, client, school):
        client.force_login(factories.user_with_role(Role.STAFF, school=school))
        assert "暂无通知" in client.get("/notifications/").content.decode()

    def test_same_key_notifies_once_and_emails_once(
        self, school, django_capture_on_commit_callbacks
    ):
        user = factories.user_with_role(Role.STAFF, school=school)
        with django_capture_on_commit_callbacks(execute=True):
            assert len(notify(recipients=[user], key="k", title="t", school=school)) == 1
        with django_capture_on_commit_callbacks(execute=True):
            assert notify(recipients=[user], key="k", title="t", school=school) == []
        assert Notification.objects.count() == 1
        assert len(mail.outbox) == 1
        assert Notification.objects.get().email_status == "sent"

    def test_email_off_for_the_school(self, school):
        school.email_notifications = False
        school.save()
        user = factories.user_with_role(Role.STAFF, school=school)
        notify(recipients=[user], key="k", title="t", school=school)
        assert mail.outbox == []
        assert Notification.objects.get().email_status == "skipped"


@pytest.mark.django_db
class TestSemesterReminders:
    def test_semester_ending_reminds_general_affairs_once(self, school):
        ga = factories.user_with_role(Role.GENERAL_AFFAIRS, school=school)
        staff = factories.user_with_role(Role.STAFF, school=school)
        factories.SemesterFactory(school=school, is_current=True, end_date=D(2027, 1, 31))
        assert reminders_run(at(D(2027, 1, 1))) == 0  # 30 days left: not yet
        assert reminders_run(at(D(2027, 1, 20))) == 1
        assert reminders_run(at(D(2027, 1, 21))) == 0
        (n,) = Notification.objects.filter(key__startswith="reminder:semester_ending")
        assert n.recipient == ga
        assert "11 天" in n.title and "2026~2027学年第一学期" in n.title
        assert not Notification.objects.filter(recipient=staff).exists()

    def test_no_reminder_when_the_next_semester_exists(self, school):
        factories.user_with_role(Role.GENERAL_AFFAIRS, school=school)
        factories.SemesterFactory(school=school, is_current=True, end_date=D(2027, 1, 31))
        factories.SemesterFactory(
            school=school, term=Term.SECOND, start_date=D(2027, 2, 15), end_date=D(2027, 7, 10)
        )
        reminders_run(at(D(2027, 1, 20)))
        assert not Reminder.objects.filter(rule="semester_ending").exists()

    def test_reminder_days_is_a_school_setting(self, school):
        school.semester_reminder_days = 40
        school.save()
        factories.user_with_role(Role.GENERAL_AFFAIRS, school=school)
        factories.SemesterFactory(school=school, is_current=True, end_date=D(2027, 1, 31))
        assert reminders_run(at(D(2027, 1, 1))) == 1

    def test_no_current_semester_is_told_once_a_week(self, school, other_school):
        factories.user_with_role(Role.GENERAL_AFFAIRS, school=school)
        factories.SemesterFactory(school=other_school, is_current=True)
        monday = D(2026, 11, 16)
        assert reminders_run(at(monday)) == 1  # only the school without a semester
        assert reminders_run(at(monday + datetime.timedelta(days=3))) == 0
        assert reminders_run(at(monday + datetime.timedelta(days=7))) == 1
        assert Reminder.objects.filter(school=school).count() == 2
        assert not Reminder.objects.filter(school=other_school).exists()


@pytest.mark.django_db
class TestDemo:
    def test_seed_demo_is_idempotent_and_every_account_signs_in(self, client):
        from django.core.management import call_command

        from logistics.models import Room, School, Semester, User

        call_command("seed_demo")
        counts = (School.objects.count(), Room.objects.count(), User.objects.count())
        call_command("seed_demo")
        assert (School.objects.count(), Room.objects.count(), User.objects.count()) == counts
        school = School.objects.get(code="wjsy")
        assert school.buildings.filter(name__in=["求真楼", "学生宿舍5号楼"]).count() == 2
        assert Semester.objects.get(school=school, is_current=True).start_date <= (
            timezone.localdate()
        )
        expected = {
            "jiaoshi": "教职工",
            "weixiu": "维修工",
            "zongwu": "总务处",
            "anquan": "安全员",
            "shitang": "食堂管理员",
            "suguan": "宿管",
            "xiaozhang": "校长",
            "quju": "区教育局",
        }
        for username, label in expected.items():
            client.logout()
            assert client.login(username=username, password="houqin-demo"), username
            body = client.get("/").content.decode()
            assert label in body, username

    def test_if_empty_leaves_an_existing_database_alone(self, school):
        from django.core.management import call_command

        from logistics.models import School

        call_command("seed_demo", "--if-empty")
        assert list(School.objects.all()) == [school]
