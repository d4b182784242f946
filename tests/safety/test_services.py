"""Campus safety: the services' rules — checklists, schedules and the tick, inspecting,
the hazard workflow, drills and agreements — and two checkers at once on PostgreSQL."""

import datetime
import threading
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.utils import timezone

from logistics.choices import Role
from logistics.common.reminders import reminders_run
from logistics.models import Notification, Reminder, StatusChange
from logistics.selectors import status_history
from safety import services
from safety.choices import (
    AgreementKind,
    DrillKind,
    Frequency,
    HazardLevel,
    HazardPhotoKind,
    HazardStatus,
    InspectionKind,
    InspectionStatus,
    Outcome,
    SafetyArea,
)
from safety.models import (
    ChecklistItem,
    Hazard,
    HazardDeferral,
    Inspection,
    InspectionResult,
    SafetyAgreement,
)
from safety.reminders import HazardOverdueRule, InspectionAssignedRule, InspectionOverdueRule
from safety.services.checklists import period_of
from tests import factories
from tests.safety_factories import (
    ChecklistItemFactory,
    InspectionFactory,
    ScheduleFactory,
    clean_photo,
    template_with_items,
)

TZ = ZoneInfo("Asia/Shanghai")
D = datetime.date


def at(year, month, day, hour=9, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=TZ)


def transitions(obj):
    return [(c.from_status, c.to_status) for c in status_history(obj).filter(field="status")]


def reminded(user, rule):
    return Notification.objects.filter(recipient=user, key__startswith=f"reminder:{rule}:")


@pytest.fixture
def officer(make_user, school):
    return make_user(Role.SAFETY_OFFICER, school, name="安全员老张")


@pytest.fixture
def staff(make_user, school):
    return make_user(Role.STAFF, school, name="李老师")


@pytest.fixture
def checker(make_user, school):
    """A second member of general affairs (checks what the first rectified)."""
    return make_user(Role.GENERAL_AFFAIRS, school, name="王主任")


@pytest.fixture
def room(school):
    return factories.RoomFactory(building__school=school)


# --- Checklists and schedules -------------------------------------------------------------


@pytest.mark.django_db
class TestChecklists:
    def test_save_template_and_items(self, school):
        template = services.checklist_template_save(
            school=school, name="消防专项", kind=InspectionKind.SPECIAL, area=SafetyArea.FIRE
        )
        first = services.checklist_item_save(template=template, text="灭火器压力正常")
        second = services.checklist_item_save(
            template=template, text="消防通道畅通", guidance="逐层查看"
        )
        assert first.area == second.area == SafetyArea.FIRE  # from the template
        assert second.sort_order > first.sort_order
        with pytest.raises(ValidationError):  # the same text twice
            services.checklist_item_save(template=template, text="灭火器压力正常")
        with pytest.raises(ValidationError):  # the name is taken
            services.checklist_template_save(
                school=school, name="消防专项", kind=InspectionKind.SPECIAL
            )

    def test_retire_restore_and_reorder(self, school):
        template = template_with_items(school)
        a, b, c = template.items.order_by("sort_order")
        services.checklist_item_retire(b)
        assert list(template.items.filter(is_active=True)) == [a, c]
        assert ChecklistItem.objects.filter(pk=b.pk).exists()  # kept, not deleted
        # A retired item's text may be used again; restoring it then is refused.
        services.checklist_item_save(template=template, text=b.text, area=SafetyArea.GAS)
        with pytest.raises(ValidationError):
            services.checklist_item_restore(b)
        services.checklist_items_reorder(template, [c.pk, a.pk])
        assert list(
            template.items.filter(is_active=True)
            .order_by("sort_order")
            .values_list("pk", flat=True)
        )[:2] == [c.pk, a.pk]

    def test_item_of_another_template_is_refused(self, school):
        one, other = template_with_items(school), template_with_items(school)
        with pytest.raises(ValidationError):
            services.checklist_item_save(template=one, instance=other.items.first(), text="改一改")

    def test_schedule_rules(self, school, other_school, officer, make_user):
        template = template_with_items(school, SafetyArea.FIRE, SafetyArea.GATE)
        schedule = services.inspection_schedule_save(
            school=school,
            template=template,
            inspector=officer,
            frequency=Frequency.DAILY,
            area=SafetyArea.GATE,
            starts_on=D(2026, 9, 1),
            rooms=[factories.RoomFactory(building__school=school)],
        )
        assert schedule.rooms.count() == 1
        foreign = make_user(Role.SAFETY_OFFICER, other_school)
        cases = [
            {"inspector": foreign},
            {"template": template_with_items(other_school)},
            {"area": SafetyArea.GAS},  # no item of this area
            {"frequency": "hourly"},
            {"ends_on": D(2026, 8, 1)},
        ]
        for change in cases:
            fields = {
                "template": template,
                "inspector": officer,
                "frequency": Frequency.DAILY,
                "starts_on": D(2026, 9, 1),
                **change,
            }
            with pytest.raises(ValidationError):
                services.inspection_schedule_save(school=school, **fields)
        with pytest.raises(ValidationError):
            services.inspection_schedule_save(
                school=school,
                rooms=[factories.RoomFactory(building__school=other_school)],
                template=template,
                inspector=officer,
                frequency=Frequency.DAILY,
                starts_on=D(2026, 9, 1),
            )

    @pytest.mark.parametrize(
        "frequency,day,expected",
        [
            (Frequency.DAILY, D(2026, 9, 30), (D(2026, 9, 30), D(2026, 9, 30))),
            (Frequency.WEEKLY, D(2026, 10, 1), (D(2026, 9, 28), D(2026, 10, 4))),
            (Frequency.MONTHLY, D(2026, 2, 14), (D(2026, 2, 1), D(2026, 2, 28))),
            (Frequency.MONTHLY, D(2026, 12, 31), (D(2026, 12, 1), D(2026, 12, 31))),
        ],
    )
    def test_periods(self, frequency, day, expected):
        assert period_of(frequency, day) == expected

    def test_term_period_needs_a_semester(self):
        assert period_of(Frequency.TERM, D(2026, 10, 1)) is None
        term = (D(2026, 9, 1), D(2027, 1, 31))
        assert period_of(Frequency.TERM, D(2026, 10, 1), term) == term


@pytest.mark.django_db
class TestPlanningAndReminders:
    """The tick job creates each period's inspection once; the inspector is reminded once
    when it is due and once when it is overdue, however many times beat ticks."""

    def tick(self, now, times=2):
        created = 0
        for _ in range(times):
            created += services.inspections_plan(now)
            reminders_run(now)
        return created

    def test_daily_schedule_across_a_month_boundary(self, school, officer):
        schedule = ScheduleFactory(school=school, inspector=officer, frequency=Frequency.DAILY)
        assert self.tick(at(2026, 9, 30, 7)) == 1
        [september] = Inspection.objects.filter(schedule=schedule)
        assert (september.period_start, september.period_end) == (D(2026, 9, 30),) * 2
        assert september.due_at == at(2026, 10, 1, 0)
        assert september.status == InspectionStatus.PLANNED
        assert september.kind == schedule.template.kind
        assert reminded(officer, "safety_inspection_assigned").count() == 1
        assert not reminded(officer, "safety_inspection_overdue").exists()

        # Still the same day: nothing new.
        assert self.tick(at(2026, 9, 30, 23, 59)) == 0
        assert reminded(officer, "safety_inspection_assigned").count() == 1

        # Past midnight: October's first inspection, and September's last is overdue.
        assert self.tick(at(2026, 10, 1, 0, 30)) == 1
        october = Inspection.objects.get(schedule=schedule, period_start=D(2026, 10, 1))
        assert reminded(officer, "safety_inspection_assigned").count() == 2
        overdue = reminded(officer, "safety_inspection_overdue")
        assert overdue.count() == 1
        assert Reminder.objects.get(rule="safety_inspection_overdue").key == str(september.pk)
        assert self.tick(at(2026, 10, 1, 8)) == 0
        assert overdue.count() == 1
        # What was reminded is left out in SQL: the rules yield nothing more.
        for rule in (InspectionAssignedRule(), InspectionOverdueRule()):
            assert list(rule.due(at(2026, 10, 1, 8))) == []
        assert Inspection.objects.filter(schedule=schedule).count() == 2
        assert october.pk != september.pk

    def test_monthly_schedule_and_submitted_is_not_overdue(self, school, officer):
        schedule = ScheduleFactory(school=school, inspector=officer, frequency=Frequency.MONTHLY)
        assert self.tick(at(2027, 1, 31, 23)) == 1
        january = Inspection.objects.get(schedule=schedule)
        assert (january.period_start, january.period_end) == (D(2027, 1, 1), D(2027, 1, 31))
        services.inspection_start(january, actor=officer)
        for item in schedule.template.items.all():
            services.inspection_record_result(january, item, Outcome.OK, actor=officer)
        services.inspection_submit(january, actor=officer, now=at(2027, 1, 31, 23, 30))
        assert self.tick(at(2027, 2, 1, 0, 30)) == 1
        assert Inspection.objects.filter(schedule=schedule, period_start=D(2027, 2, 1)).exists()
        assert not reminded(officer, "safety_inspection_overdue").exists()
        assert reminded(officer, "safety_inspection_assigned").count() == 2

    def test_missed_month_is_reminded_once(self, school, officer):
        schedule = ScheduleFactory(school=school, inspector=officer, frequency=Frequency.MONTHLY)
        self.tick(at(2026, 11, 15))
        self.tick(at(2026, 12, 1, 1))
        self.tick(at(2026, 12, 2, 1))
        november = Inspection.objects.get(schedule=schedule, period_start=D(2026, 11, 1))
        [reminder] = Reminder.objects.filter(rule="safety_inspection_overdue")
        assert reminder.key == str(november.pk)
        assert reminded(officer, "safety_inspection_overdue").count() == 1

    def test_weekly_and_term_schedules(self, school, other_school, officer, make_user):
        factories.SemesterFactory(school=school, start_date=D(2026, 9, 1), end_date=D(2027, 1, 31))
        weekly = ScheduleFactory(school=school, inspector=officer, frequency=Frequency.WEEKLY)
        term = ScheduleFactory(school=school, inspector=officer, frequency=Frequency.TERM)
        no_semester = ScheduleFactory(
            school=other_school,
            inspector=make_user(Role.SAFETY_OFFICER, other_school),
            frequency=Frequency.TERM,
        )
        assert self.tick(at(2026, 10, 1)) == 2
        assert Inspection.objects.get(schedule=weekly).period_start == D(2026, 9, 28)
        t = Inspection.objects.get(schedule=term)
        assert (t.period_start, t.period_end) == (D(2026, 9, 1), D(2027, 1, 31))
        assert not Inspection.objects.filter(schedule=no_semester).exists()

    def test_schedules_not_in_force_create_nothing(self, school, officer):
        ScheduleFactory(school=school, inspector=officer, is_active=False)
        ScheduleFactory(school=school, inspector=officer, starts_on=D(2026, 12, 1))
        ScheduleFactory(
            school=school, inspector=officer, starts_on=D(2026, 1, 1), ends_on=D(2026, 6, 30)
        )
        retired = ScheduleFactory(school=school, inspector=officer)
        retired.template.is_active = False
        retired.template.save()
        assert self.tick(at(2026, 9, 30)) == 0
        assert not Inspection.objects.exists()

    def test_the_beat_tick_runs_the_planning_job(self, school, officer):
        from logistics import tasks
        from logistics.common.registry import registry

        assert registry.tick_jobs["safety_inspections_plan"] is services.inspections_plan
        schedule = ScheduleFactory(school=school, inspector=officer, starts_on=D(2020, 1, 1))
        tasks.tick()
        tasks.tick()
        inspection = Inspection.objects.get(schedule=schedule)
        assert inspection.period_start == timezone.localdate()
        assert reminded(officer, "safety_inspection_assigned").count() == 1

    def test_cancelled_inspection_is_not_reminded(self, school, officer, general_affairs):
        schedule = ScheduleFactory(school=school, inspector=officer)
        services.inspections_plan(at(2026, 9, 30))
        inspection = Inspection.objects.get(schedule=schedule)
        with pytest.raises(ValidationError):
            services.inspection_cancel(inspection, actor=officer, reason="放假")
        with pytest.raises(ValidationError):
            services.inspection_cancel(inspection, actor=general_affairs, reason=" ")
        services.inspection_cancel(inspection, actor=general_affairs, reason="国庆放假")
        reminders_run(at(2026, 10, 2))
        assert not reminded(officer, "safety_inspection_overdue").exists()
        assert transitions(inspection) == [("planned", "cancelled")]


# --- Inspecting ---------------------------------------------------------------------------


@pytest.fixture
def inspection(school, officer, room):
    template = template_with_items(
        school, SafetyArea.FIRE, SafetyArea.ELECTRICAL, SafetyArea.GATE, name="日巡视"
    )
    return InspectionFactory(school=school, template=template, inspector=officer, room=room)


def items_of(inspection):
    return list(inspection.template.items.order_by("sort_order"))


@pytest.mark.django_db
class TestInspecting:
    def test_start_copies_the_items_in_use(self, inspection, officer):
        fire, electrical, gate = items_of(inspection)
        services.checklist_item_retire(gate)
        services.inspection_start(inspection, actor=officer)
        results = list(inspection.results.order_by("sort_order"))
        assert [(r.item_id, r.text, r.area, r.outcome) for r in results] == [
            (fire.pk, fire.text, "fire", ""),
            (electrical.pk, electrical.text, "electrical", ""),
        ]
        inspection.refresh_from_db()
        assert inspection.status == InspectionStatus.DRAFT and inspection.started_at
        assert transitions(inspection) == [("planned", "draft")]
        with pytest.raises(ValidationError):  # started already
            services.inspection_start(inspection, actor=officer)

    def test_start_with_an_area_asks_only_its_items(self, school, officer):
        template = template_with_items(school, SafetyArea.FIRE, SafetyArea.GATE)
        inspection = InspectionFactory(
            school=school, template=template, inspector=officer, area=SafetyArea.GATE
        )
        services.inspection_start(inspection, actor=officer)
        assert list(inspection.results.values_list("area", flat=True)) == ["gate"]

    def test_only_the_inspector_or_a_colleague_who_may(self, inspection, staff, make_user, school):
        with pytest.raises(ValidationError) as exc:
            services.inspection_start(inspection, actor=staff)
        assert exc.value.code == "permission"
        colleague = make_user(Role.SAFETY_OFFICER, school)
        services.inspection_start(inspection, actor=colleague)

    def test_submit_refused_with_unanswered_items(self, inspection, officer):
        fire, electrical, gate = items_of(inspection)
        services.inspection_start(inspection, actor=officer)
        services.inspection_record_result(inspection, fire, Outcome.OK, actor=officer)
        with pytest.raises(ValidationError) as exc:
            services.inspection_submit(inspection, actor=officer)
        assert exc.value.code == "unanswered"
        message = exc.value.messages[0]
        assert "2" in message and electrical.text in message and gate.text in message
        assert fire.text not in message
        inspection.refresh_from_db()
        assert inspection.status == InspectionStatus.DRAFT
        assert not Hazard.objects.exists()

    def test_answers_are_checked(self, inspection, officer, other_school):
        fire, _electrical, _gate = items_of(inspection)
        with pytest.raises(ValidationError):  # not started
            services.inspection_record_result(inspection, fire, Outcome.OK, actor=officer)
        services.inspection_start(inspection, actor=officer)
        with pytest.raises(ValidationError) as exc:
            services.inspection_record_result(inspection, fire, "maybe", actor=officer)
        assert "outcome" in exc.value.error_dict
        with pytest.raises(ValidationError) as exc:
            services.inspection_record_result(inspection, fire, Outcome.HAZARD, actor=officer)
        assert "note" in exc.value.error_dict
        with pytest.raises(ValidationError):
            services.inspection_record_result(
                inspection, fire, Outcome.HAZARD, "坏了", actor=officer, hazard_level="huge"
            )
        stranger = ChecklistItemFactory()
        with pytest.raises(ValidationError) as exc:
            services.inspection_record_result(inspection, stranger, Outcome.OK, actor=officer)
        assert exc.value.code == "item"
        with pytest.raises(ValidationError):
            services.inspection_record_result(
                inspection,
                fire,
                Outcome.HAZARD,
                "坏了",
                actor=officer,
                room=factories.RoomFactory(building__school=other_school),
            )

    def test_a_hazard_answer_creates_a_prefilled_hazard(
        self, inspection, officer, room, general_affairs
    ):
        fire, electrical, gate = items_of(inspection)
        services.inspection_start(inspection, actor=officer)
        services.inspection_record_result(inspection, fire, Outcome.OK, actor=officer)
        result = services.inspection_record_result(
            inspection,
            electrical,
            Outcome.HAZARD,
            "配电箱门锁损坏",
            clean_photo(),
            actor=officer,
            hazard_level=HazardLevel.MAJOR,
            now=at(2026, 9, 1, 10),
        )
        assert result.photo.startswith("safety/inspections/")
        services.inspection_record_result(inspection, gate, Outcome.NOT_APPLICABLE, actor=officer)
        submitted, hazards = services.inspection_submit(
            inspection, actor=officer, summary="总体良好"
        )
        assert submitted.status == InspectionStatus.SUBMITTED and submitted.submitted_at
        assert submitted.summary == "总体良好"
        [hazard] = hazards
        assert hazard.status == HazardStatus.REPORTED
        assert hazard.category == SafetyArea.ELECTRICAL  # the item's area
        assert hazard.level == HazardLevel.MAJOR
        assert hazard.room == room
        assert electrical.text in hazard.description and "配电箱门锁损坏" in hazard.description
        assert hazard.found_by == officer and hazard.found_at == at(2026, 9, 1, 10)
        assert hazard.inspection == inspection and hazard.source_item == electrical
        [photo] = hazard.photos.all()
        assert (photo.kind, photo.image) == (HazardPhotoKind.FOUND, result.photo)
        assert InspectionResult.objects.get(pk=result.pk).hazard == hazard
        assert transitions(hazard) == [("", "reported")]
        assert transitions(inspection) == [("planned", "draft"), ("draft", "submitted")]
        assert Notification.objects.filter(
            recipient=general_affairs, key=f"safety:hazard:{hazard.pk}:reported"
        ).exists()
        with pytest.raises(ValidationError):  # submitted: no more answers
            services.inspection_record_result(inspection, fire, Outcome.OK, actor=officer)

    def test_the_same_hazard_found_again_is_linked(self, school, inspection, officer):
        fire, _electrical, _gate = items_of(inspection)

        def patrol(target, photo=None):
            services.inspection_start(target, actor=officer)
            for item in items_of(target):
                if item == fire:
                    services.inspection_record_result(
                        target, item, Outcome.HAZARD, "通道堆放纸箱", photo, actor=officer
                    )
                else:
                    services.inspection_record_result(target, item, Outcome.OK, actor=officer)
            return services.inspection_submit(target, actor=officer)[1]

        [first] = patrol(inspection)
        tomorrow = InspectionFactory(
            school=school,
            template=inspection.template,
            inspector=officer,
            room=inspection.room,
            period_start=D(2026, 9, 2),
        )
        [again] = patrol(tomorrow, clean_photo())
        assert again == first and Hazard.objects.count() == 1
        assert first.photos.count() == 1  # the second patrol's photo
        # Once it is closed, a new finding is a new hazard.
        Hazard.objects.filter(pk=first.pk).update(status=HazardStatus.WITHDRAWN)
        third = InspectionFactory(
            school=school,
            template=inspection.template,
            inspector=officer,
            room=inspection.room,
            period_start=D(2026, 9, 3),
        )
        [new] = patrol(third)
        assert new != first and Hazard.objects.count() == 2

    def test_a_hazard_needs_a_place(self, school, officer):
        inspection = InspectionFactory(school=school, inspector=officer)
        [item, *_rest] = items_of(inspection)
        services.inspection_start(inspection, actor=officer)
        with pytest.raises(ValidationError) as exc:
            services.inspection_record_result(
                inspection, item, Outcome.HAZARD, "坏了", actor=officer
            )
        assert "location" in exc.value.error_dict
        services.inspection_record_result(
            inspection, item, Outcome.HAZARD, "坏了", actor=officer, location="操场东侧围墙"
        )

    def test_a_new_photo_replaces_the_drafts(self, inspection, officer, settings):
        from pathlib import Path

        fire, _e, _g = items_of(inspection)
        services.inspection_start(inspection, actor=officer)
        first = services.inspection_record_result(
            inspection, fire, Outcome.OK, photo=clean_photo(), actor=officer
        ).photo
        second = services.inspection_record_result(
            inspection, fire, Outcome.OK, photo=clean_photo(), actor=officer
        ).photo
        assert first != second
        # The test's transaction never commits, so the replaced file is still there;
        # what matters is that the result names only the new one.
        assert InspectionResult.objects.get(inspection=inspection, item=fire).photo == second
        assert (Path(settings.MEDIA_ROOT) / second).is_file()

    def test_inspection_by_hand(self, school, general_affairs, officer, staff):
        template = template_with_items(school, kind=InspectionKind.SPECIAL)
        with pytest.raises(ValidationError):
            services.inspection_create(
                school=school, template=template, inspector=officer, actor=staff
            )
        inspection = services.inspection_create(
            school=school,
            template=template,
            inspector=officer,
            actor=general_affairs,
            location="校园周边200米",
            period_start=D(2026, 9, 1),
            period_end=D(2026, 9, 5),
        )
        assert inspection.kind == InspectionKind.SPECIAL
        assert inspection.due_at == at(2026, 9, 6, 0)
        assert transitions(inspection) == [("", "planned")]
        assert reminded(officer, "safety_inspection_assigned").count() == 1
        reminders_run(at(2026, 9, 2))  # the tick does not tell again
        assert reminded(officer, "safety_inspection_assigned").count() == 1
        assert Notification.objects.filter(recipient=officer).count() == 1


# --- Hazards ------------------------------------------------------------------------------


def report(actor, **kwargs):
    defaults = {
        "category": SafetyArea.FIRE,
        "description": "灭火器压力不足",
        "location": "实验楼二楼走廊",
        "photos": [clean_photo()],
    }
    hazard, _created = services.hazard_report(actor=actor, **{**defaults, **kwargs})
    return hazard


@pytest.fixture
def department(school):
    return factories.DepartmentFactory(school=school, name="总务处")


def assigned(hazard, ga, person, days=7, **kwargs):
    return services.hazard_assign(
        hazard,
        actor=ga,
        responsible_person=person,
        deadline=timezone.localdate() + datetime.timedelta(days=days),
        **kwargs,
    )


def plan(hazard, actor, person):
    return services.hazard_plan_save(
        hazard,
        actor=actor,
        measures="更换老化线路，增设漏电保护",
        funding="12800.50",
        responsible_person=person,
        deadline=timezone.localdate() + datetime.timedelta(days=30),
        interim_measures="停用该教室，设置警示围挡",
    )


@pytest.mark.django_db
class TestHazardWorkflow:
    def test_happy_path_with_history(
        self, school, staff, general_affairs, checker, department, make_user
    ):
        rectifier = make_user(Role.TECHNICIAN, school, name="电工小陈")
        hazard = report(staff)
        assert hazard.status == HazardStatus.REPORTED and hazard.found_by == staff
        assert hazard.photos.filter(kind="found").count() == 1
        assigned(hazard, general_affairs, rectifier, department=department, note="本周内完成")
        hazard.refresh_from_db()
        assert (hazard.responsible_person, hazard.department) == (rectifier, department)
        assert Notification.objects.filter(recipient=rectifier).count() == 1
        services.hazard_start_rectifying(hazard, actor=rectifier)
        services.hazard_submit_rectification(
            hazard, actor=rectifier, note="已更换灭火器", photo=clean_photo()
        )
        hazard.refresh_from_db()
        assert hazard.status == HazardStatus.AWAITING_CHECK
        assert (hazard.rectified_by, hazard.rectification_note) == (rectifier, "已更换灭火器")
        assert hazard.photos.filter(kind="rectified").count() == 1
        services.hazard_verify(hazard, actor=checker, approve=True, reason="复查合格")
        hazard.refresh_from_db()
        assert hazard.status == HazardStatus.CLOSED
        assert hazard.verified_by == checker and hazard.closed_at
        assert transitions(hazard) == [
            ("", "reported"),
            ("reported", "rectifying"),
            ("rectifying", "awaiting_check"),
            ("awaiting_check", "closed"),
        ]
        actors = [c.actor for c in status_history(hazard).filter(field="status")]
        assert actors == [staff, rectifier, rectifier, checker]
        assignment = status_history(hazard).get(field="responsible_person")
        assert assignment.actor == general_affairs and "本周内完成" in assignment.note

    @pytest.mark.parametrize(
        "note,photo,field",
        [("", "photo", "note"), ("已整改", None, "photo"), ("  ", None, "note")],
    )
    def test_submit_needs_a_note_and_a_photo(
        self, school, staff, general_affairs, note, photo, field
    ):
        hazard = report(staff)
        assigned(hazard, general_affairs, staff)
        services.hazard_start_rectifying(hazard, actor=staff)
        with pytest.raises(ValidationError) as exc:
            services.hazard_submit_rectification(
                hazard, actor=staff, note=note, photo=clean_photo() if photo else None
            )
        assert field in exc.value.error_dict
        assert exc.value.error_dict[field][0].messages[0]  # the reason is told
        hazard.refresh_from_db()
        assert hazard.status == HazardStatus.RECTIFYING
        assert not hazard.photos.filter(kind="rectified").exists()

    def test_the_rectifier_cannot_check_it(self, school, staff, general_affairs, checker):
        hazard = report(staff)
        assigned(hazard, general_affairs, staff)
        services.hazard_start_rectifying(hazard, actor=general_affairs)
        # General affairs rectifies on the person's behalf: then it cannot check it.
        services.hazard_submit_rectification(
            hazard, actor=general_affairs, note="已整改", photo=clean_photo()
        )
        with pytest.raises(ValidationError) as exc:
            services.hazard_verify(hazard, actor=general_affairs, approve=True)
        assert exc.value.code == "same_person"
        services.hazard_verify(hazard, actor=checker, approve=True)
        hazard.refresh_from_db()
        assert hazard.status == HazardStatus.CLOSED

    def test_the_responsible_person_cannot_check_it(self, school, general_affairs, checker):
        hazard = report(checker)
        assigned(hazard, general_affairs, checker)
        services.hazard_start_rectifying(hazard, actor=general_affairs)
        services.hazard_submit_rectification(
            hazard, actor=general_affairs, note="已整改", photo=clean_photo()
        )
        with pytest.raises(ValidationError) as exc:
            services.hazard_verify(hazard, actor=checker, approve=True)
        assert exc.value.code == "same_person"

    def test_rejected_check_goes_back_with_the_reason(self, school, staff, general_affairs):
        hazard = report(staff)
        assigned(hazard, general_affairs, staff)
        services.hazard_start_rectifying(hazard, actor=staff)
        services.hazard_submit_rectification(
            hazard, actor=staff, note="已整改", photo=clean_photo()
        )
        with pytest.raises(ValidationError) as exc:
            services.hazard_verify(hazard, actor=general_affairs, approve=False, reason="")
        assert "reason" in exc.value.error_dict
        services.hazard_verify(
            hazard, actor=general_affairs, approve=False, reason="灭火器仍未张贴检查卡"
        )
        hazard.refresh_from_db()
        assert hazard.status == HazardStatus.RECTIFYING
        assert hazard.check_note == "灭火器仍未张贴检查卡"
        last = status_history(hazard).filter(field="status").last()
        assert (last.from_status, last.to_status, last.note) == (
            "awaiting_check",
            "rectifying",
            "灭火器仍未张贴检查卡",
        )
        assert Notification.objects.filter(
            recipient=staff, key__startswith=f"safety:hazard:{hazard.pk}:rejected"
        ).exists()
        # Rectified again, checked by the same person as before: fine.
        services.hazard_submit_rectification(
            hazard, actor=staff, note="已补贴", photo=clean_photo()
        )
        services.hazard_verify(hazard, actor=general_affairs, approve=True)
        hazard.refresh_from_db()
        assert hazard.status == HazardStatus.CLOSED
        assert hazard.photos.filter(kind="rectified").count() == 2

    def test_a_major_hazard_needs_a_plan(self, school, staff, general_affairs, make_user):
        person = make_user(Role.GENERAL_AFFAIRS, school)
        hazard = report(staff, level=HazardLevel.MAJOR, category=SafetyArea.ELECTRICAL)
        assigned(hazard, general_affairs, person)
        with pytest.raises(ValidationError) as exc:
            services.hazard_start_rectifying(hazard, actor=person)
        assert exc.value.code == "plan"
        hazard.refresh_from_db()
        assert hazard.status == HazardStatus.REPORTED
        with pytest.raises(ValidationError):  # staff is not responsible
            plan(hazard, staff, person)
        with pytest.raises(ValidationError) as exc:
            services.hazard_plan_save(
                hazard,
                actor=person,
                measures="",
                funding="-1",
                responsible_person=person,
                deadline=timezone.localdate(),
                interim_measures="",
            )
        assert {"measures", "interim_measures"} <= set(exc.value.error_dict)
        saved = plan(hazard, person, person)
        assert saved.funding == Decimal("12800.50")
        services.hazard_start_rectifying(hazard, actor=person)
        hazard.refresh_from_db()
        assert hazard.status == HazardStatus.RECTIFYING
        assert status_history(hazard).filter(field="plan").count() == 1

    def test_a_hazard_made_major_needs_a_plan_before_the_check(
        self, school, staff, general_affairs
    ):
        hazard = report(staff)
        assigned(hazard, general_affairs, staff)
        services.hazard_start_rectifying(hazard, actor=staff)
        hazard.refresh_from_db()
        services.hazard_assign(
            hazard,
            actor=general_affairs,
            responsible_person=staff,
            deadline=hazard.deadline,
            level=HazardLevel.MAJOR,
        )
        with pytest.raises(ValidationError) as exc:
            services.hazard_submit_rectification(
                hazard, actor=staff, note="已整改", photo=clean_photo()
            )
        assert exc.value.code == "plan"
        assert status_history(hazard).filter(field="level").get().to_status == "major"

    def test_deferral(self, school, staff, general_affairs):
        hazard = report(staff, description="围墙开裂，需区里立项加固")
        assigned(hazard, general_affairs, staff, days=3)
        hazard.refresh_from_db()
        before = hazard.deadline
        later = before + datetime.timedelta(days=60)
        with pytest.raises(ValidationError):  # only general affairs
            services.hazard_defer(hazard, actor=staff, reason="等待资金", new_deadline=later)
        with pytest.raises(ValidationError) as exc:
            services.hazard_defer(hazard, actor=general_affairs, reason="", new_deadline=later)
        assert "reason" in exc.value.error_dict
        with pytest.raises(ValidationError) as exc:
            services.hazard_defer(
                hazard, actor=general_affairs, reason="等待资金", new_deadline=before
            )
        assert "new_deadline" in exc.value.error_dict
        deferral = services.hazard_defer(
            hazard,
            actor=general_affairs,
            reason="需区教育局立项，暑假施工",
            new_deadline=later,
            interim_measures="设置隔离带和警示牌",
        )
        hazard.refresh_from_db()
        assert hazard.deadline == later and hazard.deferral_count == 1
        assert (deferral.previous_deadline, deferral.new_deadline) == (before, later)
        assert HazardDeferral.objects.filter(hazard=hazard).count() == 1
        change = status_history(hazard).get(field="deadline")
        assert (change.from_status, change.to_status) == (before.isoformat(), later.isoformat())
        assert change.note == "需区教育局立项，暑假施工" and change.actor == general_affairs
        # Assigning cannot be used to push the deadline out.
        with pytest.raises(ValidationError):
            assigned(hazard, general_affairs, staff, days=90)

    def test_overdue_reminded_once_per_deadline(self, school, staff, general_affairs):
        hazard = report(staff)
        assigned(hazard, general_affairs, staff, days=1)
        hazard.refresh_from_db()
        after = datetime.datetime.combine(
            hazard.deadline + datetime.timedelta(days=1), datetime.time(9), tzinfo=TZ
        )
        for _ in range(2):
            reminders_run(after)
        assert reminded(staff, "safety_hazard_overdue").count() == 1
        assert list(HazardOverdueRule().due(after)) == []  # left out in SQL
        services.hazard_defer(
            hazard,
            actor=general_affairs,
            reason="等待配件",
            new_deadline=hazard.deadline + datetime.timedelta(days=10),
        )
        hazard.refresh_from_db()
        for _ in range(2):
            reminders_run(after)  # not overdue any more
        assert reminded(staff, "safety_hazard_overdue").count() == 1
        later = after + datetime.timedelta(days=11)
        for _ in range(2):
            reminders_run(later)
        assert reminded(staff, "safety_hazard_overdue").count() == 2

    def test_unassigned_overdue_goes_to_general_affairs(self, school, staff, general_affairs):
        hazard = report(staff)
        Hazard.objects.filter(pk=hazard.pk).update(deadline=D(2026, 9, 1))
        reminders_run(at(2026, 9, 3))
        reminders_run(at(2026, 9, 3))
        assert reminded(general_affairs, "safety_hazard_overdue").count() == 1

    def test_report_rules(self, school, staff, make_user, other_school):
        with pytest.raises(ValidationError) as exc:
            services.hazard_report(actor=staff, category="fire", description=" ", location="")
        assert {"description", "location"} <= set(exc.value.error_dict)
        with pytest.raises(ValidationError):
            report(staff, photos=[clean_photo()] * 4)
        with pytest.raises(ValidationError):
            report(staff, room=factories.RoomFactory(building__school=other_school))
        viewer = make_user(Role.DISTRICT_VIEWER, school)
        with pytest.raises(ValidationError):
            report(viewer)
        assert not Hazard.objects.exists()

    def test_who_may_do_what(self, school, staff, officer, general_affairs, other_school):
        foreign_ga = factories.user_with_role(Role.GENERAL_AFFAIRS, school=other_school)
        hazard = report(officer)
        for actor in (staff, officer, foreign_ga):
            with pytest.raises(ValidationError):
                assigned(hazard, actor, staff)
        assigned(hazard, general_affairs, staff)
        with pytest.raises(ValidationError):  # not responsible
            services.hazard_start_rectifying(hazard, actor=officer)
        services.hazard_start_rectifying(hazard, actor=staff)
        services.hazard_submit_rectification(
            hazard, actor=staff, note="已整改", photo=clean_photo()
        )
        for actor in (officer, foreign_ga):  # no verify_hazard here
            with pytest.raises(ValidationError):
                services.hazard_verify(hazard, actor=actor, approve=True)

    def test_steps_out_of_order(self, school, staff, general_affairs):
        hazard = report(staff)
        with pytest.raises(ValidationError):  # not assigned yet
            services.hazard_start_rectifying(hazard, actor=general_affairs)
        with pytest.raises(ValidationError):
            services.hazard_submit_rectification(
                hazard, actor=general_affairs, note="x", photo=clean_photo()
            )
        with pytest.raises(ValidationError) as exc:
            services.hazard_verify(hazard, actor=general_affairs, approve=True)
        assert exc.value.code == "decided"

    def test_withdraw(self, school, staff, general_affairs):
        hazard = report(staff)
        with pytest.raises(ValidationError):
            services.hazard_withdraw(hazard, actor=staff, reason="重复")
        services.hazard_withdraw(hazard, actor=general_affairs, reason="与#1重复")
        hazard.refresh_from_db()
        assert hazard.status == HazardStatus.WITHDRAWN
        with pytest.raises(ValidationError):
            assigned(hazard, general_affairs, staff)

    def test_more_photos(self, school, staff, officer, general_affairs):
        hazard = report(staff)
        services.hazard_photo_add(hazard, actor=staff, photos=[clean_photo()])
        with pytest.raises(ValidationError):  # not the finder
            services.hazard_photo_add(hazard, actor=officer, photos=[clean_photo()])
        with pytest.raises(ValidationError):  # not being rectified
            services.hazard_photo_add(
                hazard, actor=general_affairs, photos=[clean_photo()], kind="rectified"
            )
        assert hazard.photos.count() == 2


@pytest.mark.django_db
def test_a_failed_report_leaves_no_file(school, staff, monkeypatch, settings):
    from pathlib import Path

    from safety.services import hazards

    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(hazards, "status_record", broken)
    with pytest.raises(RuntimeError):
        report(staff, photos=[clean_photo(), clean_photo()])
    assert not Hazard.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not [p for p in media.rglob("*") if p.is_file()]


# --- Drills and agreements ----------------------------------------------------------------


@pytest.mark.django_db
class TestDrills:
    def test_record_and_correct(self, school, officer, staff):
        drill = services.drill_record(
            school=school,
            actor=officer,
            kind=DrillKind.FIRE_EVACUATION,
            held_on=D(2026, 11, 9),
            participants="1200",
            evacuation_seconds="185",
            title="“119”消防疏散演练",
            photos=[clean_photo(), clean_photo()],
        )
        assert (drill.participants, drill.evacuation_seconds) == (1200, 185)
        assert drill.photos.count() == 2
        assert drill.photos.first().image.startswith("safety/drills/")
        services.drill_update(
            drill,
            actor=officer,
            kind=DrillKind.FIRE_EVACUATION,
            held_on=D(2026, 11, 9),
            participants=1180,
            notes="三年级一班走错楼梯，已讲评",
        )
        drill.refresh_from_db()
        assert drill.participants == 1180 and drill.evacuation_seconds is None
        with pytest.raises(ValidationError):
            services.drill_record(
                school=school,
                actor=staff,
                kind="fire_evacuation",
                held_on=D(2026, 11, 9),
                participants=1,
            )

    @pytest.mark.parametrize(
        "field,value",
        [
            ("kind", "party"),
            ("participants", "0"),
            ("participants", ""),
            ("evacuation_seconds", "-5"),
            ("held_on", "yesterday"),
        ],
    )
    def test_bad_values(self, school, officer, field, value):
        fields = {
            "kind": DrillKind.EARTHQUAKE,
            "held_on": D(2026, 5, 12),
            "participants": 900,
            field: value,
        }
        with pytest.raises(ValidationError) as exc:
            services.drill_record(school=school, actor=officer, **fields)
        assert field in exc.value.error_dict


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.django_db
class TestAgreements:
    def record(self, school, actor, signer, **kwargs):
        fields = {
            "kind": AgreementKind.HEAD_TEACHER,
            "year": 2026,
            "signed_on": D(2026, 9, 1),
            **kwargs,
        }
        return services.agreement_record(school=school, actor=actor, signer=signer, **fields)

    def test_pdf_scan(self, school, general_affairs, staff):
        scan = SimpleUploadedFile("责任书.pdf", PDF, content_type="application/pdf")
        agreement = self.record(school, general_affairs, staff, scan=scan)
        assert agreement.title == str(AgreementKind.HEAD_TEACHER.label)
        assert agreement.file.startswith("safety/agreements/") and agreement.file.endswith(".pdf")
        assert (agreement.file_type, agreement.file_size) == ("application/pdf", len(PDF))
        assert agreement.is_pdf

    def test_picture_scan(self, school, general_affairs, staff):
        agreement = self.record(school, general_affairs, staff, scan=factories.photo_upload())
        assert agreement.file.endswith(".jpg") and agreement.file_type == "image/jpeg"

    @pytest.mark.parametrize(
        "content,code",
        [
            (b"%PDF-1.4\n truncated", "not_a_pdf"),
            (b"<html><script>alert(1)</script></html>", "not_a_scan"),
            (b"", "empty"),
        ],
    )
    def test_bad_scans(self, school, general_affairs, staff, content, code):
        scan = SimpleUploadedFile("scan.pdf", content, content_type="application/pdf")
        with pytest.raises(ValidationError) as exc:
            self.record(school, general_affairs, staff, scan=scan)
        assert exc.value.code == code
        assert not SafetyAgreement.objects.exists()

    def test_pdf_size_limit(self, school, general_affairs, staff, settings):
        settings.UPLOAD_PDF_MAX_BYTES = 20
        scan = SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")
        with pytest.raises(ValidationError) as exc:
            self.record(school, general_affairs, staff, scan=scan)
        assert exc.value.code == "too_large"

    def test_once_a_year_and_retire(self, school, general_affairs, staff, officer, other_school):
        first = self.record(school, general_affairs, staff)
        with pytest.raises(ValidationError):
            self.record(school, general_affairs, staff)
        self.record(school, general_affairs, staff, kind=AgreementKind.FIRE)
        self.record(school, general_affairs, staff, year=2027)
        with pytest.raises(ValidationError):  # only general affairs records them
            self.record(school, officer, staff, kind=AgreementKind.OTHER)
        with pytest.raises(ValidationError):  # a person of another school
            self.record(
                school,
                general_affairs,
                factories.user_with_role(Role.STAFF, school=other_school),
            )
        with pytest.raises(ValidationError):
            services.agreement_retire(first, actor=general_affairs, reason="")
        services.agreement_retire(first, actor=general_affairs, reason="签错了人")
        first.refresh_from_db()
        assert not first.is_active and first.retired_reason == "签错了人"
        self.record(school, general_affairs, staff)  # may be signed again


# --- Two checkers at once -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_checkers_at_once_one_decision(school, make_user):
    staff = make_user(Role.STAFF, school)
    first_ga = make_user(Role.GENERAL_AFFAIRS, school, name="甲")
    checkers = [make_user(Role.GENERAL_AFFAIRS, school, name=n) for n in ("乙", "丙")]
    hazard = report(staff)
    assigned(hazard, first_ga, staff)
    services.hazard_start_rectifying(hazard, actor=staff)
    services.hazard_submit_rectification(hazard, actor=staff, note="已整改", photo=clean_photo())
    barrier = threading.Barrier(2)
    outcome = {}

    def check(person, approve):
        try:
            barrier.wait()
            services.hazard_verify(
                Hazard.objects.get(pk=hazard.pk),
                actor=person,
                approve=approve,
                reason="" if approve else "还不行",
            )
            outcome[person.pk] = "decided"
        except ValidationError as exc:
            outcome[person.pk] = exc
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=check, args=(person, approve))
        for person, approve in zip(checkers, (True, False), strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    decided = [pk for pk, v in outcome.items() if v == "decided"]
    refused = [v for v in outcome.values() if v != "decided"]
    assert len(decided) == 1 and len(refused) == 1
    assert refused[0].code == "decided"
    winner = next(p for p in checkers if p.pk == decided[0])
    assert winner.name in refused[0].messages[0]
    hazard.refresh_from_db()
    assert hazard.status in (HazardStatus.CLOSED, HazardStatus.RECTIFYING)
    decisions = StatusChange.objects.filter(
        object_id=hazard.pk, field="status", from_status="awaiting_check"
    )
    assert decisions.count() == 1 and decisions.get().actor_id == winner.pk
