"""Repair tickets: the workflow services, their rules, reminders and the tick."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connections
from django.utils import timezone

from logistics.choices import Role, Trade
from logistics.common.reminders import reminders_run
from logistics.common.uploads import image_clean
from logistics.models import Notification, School, StatusChange
from logistics.repairs.choices import DamageCause, TicketStatus, Urgency
from logistics.repairs.models import DispatchRule, RepairCategory, Ticket, TicketPhoto
from logistics.repairs.services import tickets as services
from logistics.selectors import status_history as status_history_of
from tests import factories


def clean_photo(**kwargs):
    return image_clean(factories.photo_upload(**kwargs))


@pytest.fixture
def staff(make_user, school):
    return make_user(Role.STAFF, school, phone="13800000000")


@pytest.fixture
def room(school):
    return factories.RoomFactory(building__school=school)


@pytest.fixture
def plumber(school):
    return factories.technician(school, Trade.PLUMBING, name="王师傅")


def file(staff, room, **kwargs):
    defaults = {
        "requester": staff,
        "room": room,
        "trade": Trade.PLUMBING,
        "description": "水龙头漏水",
        "photos": [clean_photo()],
    }
    ticket, created = services.ticket_file(**{**defaults, **kwargs})
    assert created
    return ticket


def transitions(ticket):
    return [(c.from_status, c.to_status) for c in status_history_of(ticket)]


@pytest.mark.django_db
class TestFiling:
    def test_files_with_photos_and_targets(self, staff, room, school, general_affairs):
        now = timezone.now()
        ticket = file(staff, room, urgency=Urgency.URGENT, photos=[clean_photo()] * 2, now=now)
        assert ticket.status == TicketStatus.SUBMITTED
        assert ticket.respond_by == now + timedelta(hours=school.repair_response_hours_urgent)
        assert ticket.complete_by == now + timedelta(hours=school.repair_complete_hours_urgent)
        photos = list(ticket.photos.all())
        assert len(photos) == 2
        assert all(p.image.startswith("repairs/") and p.image.endswith(".jpg") for p in photos)
        assert transitions(ticket) == [("", "submitted")]
        # Nobody by rule: general affairs is asked to dispatch it.
        assert Notification.objects.filter(
            recipient=general_affairs, key=f"ticket:{ticket.pk}:dispatch"
        ).exists()

    def test_rule_assigns_by_building_before_school_wide(self, staff, room, school, plumber):
        other = factories.technician(school, Trade.PLUMBING)
        DispatchRule.objects.create(school=school, trade=Trade.PLUMBING, technician=other)
        DispatchRule.objects.create(
            school=school, trade=Trade.PLUMBING, building=room.building, technician=plumber
        )
        ticket = file(staff, room)
        assert ticket.status == TicketStatus.ASSIGNED and ticket.assignee == plumber
        assert transitions(ticket) == [("", "submitted"), ("submitted", "assigned")]
        assert Notification.objects.filter(recipient=plumber).count() == 1
        elsewhere = factories.RoomFactory(building__school=school)
        assert file(staff, elsewhere).assignee == other

    def test_rule_of_an_inactive_technician_is_skipped(self, staff, room, school, plumber):
        DispatchRule.objects.create(school=school, trade=Trade.PLUMBING, technician=plumber)
        plumber.is_active = False
        plumber.save()
        assert file(staff, room).status == TicketStatus.SUBMITTED

    def test_same_submission_key_files_once(self, staff, room):
        import uuid

        key = uuid.uuid4()
        first = file(staff, room, submission_key=key)
        again, created = services.ticket_file(
            requester=staff,
            room=room,
            trade=Trade.PLUMBING,
            description="again",
            photos=[clean_photo()],
            submission_key=key,
        )
        assert not created and again == first
        assert Ticket.objects.count() == 1 and TicketPhoto.objects.count() == 1
        staff.school.refresh_from_db()
        assert staff.school.ticket_count == 1

    def test_school_counts_its_tickets(self, staff, room, school, other_school, make_user):
        for _ in range(3):
            file(staff, room)
        with pytest.raises(ValidationError):
            file(staff, room, photos=[])
        neighbour = make_user(Role.STAFF, other_school)
        file(neighbour, factories.RoomFactory(building__school=other_school))
        school.refresh_from_db()
        other_school.refresh_from_db()
        assert (school.ticket_count, other_school.ticket_count) == (3, 1)
        School.objects.update(ticket_count=0)
        services.ticket_counts_refresh()
        assert list(School.objects.order_by("pk").values_list("ticket_count", flat=True)) == [
            Ticket.objects.filter(school=s).count() for s in School.objects.order_by("pk")
        ]

    @pytest.mark.parametrize("count", [0, 4])
    def test_one_to_three_photos(self, staff, room, count):
        with pytest.raises(ValidationError) as exc:
            file(staff, room, photos=[clean_photo()] * count)
        assert "photos" in exc.value.error_dict
        assert not Ticket.objects.exists()

    def test_room_of_another_school_is_refused(self, staff, other_school):
        foreign = factories.RoomFactory(building__school=other_school)
        with pytest.raises(ValidationError) as exc:
            file(staff, foreign)
        assert "room" in exc.value.error_dict

    def test_category_must_match_trade_and_school(self, staff, room, school, other_school):
        wiring = RepairCategory.objects.create(school=school, trade=Trade.ELECTRICAL, name="线路")
        foreign = RepairCategory.objects.create(
            school=other_school, trade=Trade.PLUMBING, name="漏水"
        )
        for category in (wiring, foreign):
            with pytest.raises(ValidationError):
                file(staff, room, category=category)

    def test_a_failed_filing_leaves_no_file(self, staff, room, monkeypatch, settings):
        from pathlib import Path

        def broken(*args, **kwargs):
            raise RuntimeError("database gone")

        monkeypatch.setattr(services, "status_record", broken)
        with pytest.raises(RuntimeError):
            file(staff, room, photos=[clean_photo(), clean_photo()])
        assert not Ticket.objects.exists()
        media = Path(settings.MEDIA_ROOT)
        assert not media.exists() or not [p for p in media.rglob("*") if p.is_file()]


@pytest.mark.django_db
class TestWorkflow:
    def test_full_life_of_a_ticket(self, staff, room, school, plumber):
        pipe = factories.MaterialFactory(school=school, unit_cost=Decimal("12.50"))
        ticket = file(staff, room)
        services.ticket_take(ticket, actor=plumber)
        services.ticket_start(ticket, actor=plumber)
        services.ticket_hold(ticket, actor=plumber, reason="等待配件")
        ticket.refresh_from_db()
        assert ticket.hold_reason == "等待配件"
        services.ticket_resume(ticket, actor=plumber)
        used = services.ticket_material_add(ticket, actor=plumber, material=pipe, quantity="2")
        free = services.ticket_material_add(
            ticket, actor=plumber, name="生料带", unit="卷", unit_cost="1.5", quantity=3
        )
        assert used.total == Decimal("25.00") and free.total == Decimal("4.50")
        services.ticket_complete(
            ticket, actor=plumber, cause=DamageCause.WEAR, work_notes="换水管", photo=clean_photo()
        )
        ticket.refresh_from_db()
        assert ticket.status == TicketStatus.DONE and ticket.done_at and ticket.started_at
        assert ticket.photos.filter(kind="completion").count() == 1
        assert Notification.objects.filter(recipient=staff).count() == 1
        services.ticket_confirm(ticket, actor=staff, rating=5, comment="很快")
        ticket.refresh_from_db()
        assert (ticket.status, ticket.rating, ticket.rating_comment) == ("closed", 5, "很快")
        assert transitions(ticket) == [
            ("", "submitted"),
            ("submitted", "assigned"),
            ("assigned", "in_progress"),
            ("in_progress", "on_hold"),
            ("on_hold", "in_progress"),
            ("in_progress", "done"),
            ("done", "closed"),
        ]
        actors = [c.actor for c in status_history_of(ticket)]
        assert actors == [staff, plumber, plumber, plumber, plumber, plumber, staff]

    def test_only_the_assignee_works_it(self, staff, room, school, plumber):
        ticket = file(staff, room)
        services.ticket_take(ticket, actor=plumber)
        other = factories.technician(school)
        for step in (services.ticket_start,):
            with pytest.raises(ValidationError):
                step(ticket, actor=other)
        with pytest.raises(ValidationError):
            services.ticket_start(ticket, actor=staff)

    def test_second_technician_is_told_who_took_it(self, staff, room, school, plumber):
        ticket = file(staff, room)
        services.ticket_take(ticket, actor=plumber)
        other = factories.technician(school)
        with pytest.raises(ValidationError) as exc:
            services.ticket_take(ticket, actor=other)
        assert "王师傅" in exc.value.messages[0]
        ticket.refresh_from_db()
        assert ticket.assignee == plumber

    def test_steps_out_of_order_are_refused(self, staff, room, plumber):
        ticket = file(staff, room)
        with pytest.raises(ValidationError):
            services.ticket_confirm(ticket, actor=staff, rating=5)
        services.ticket_take(ticket, actor=plumber)
        with pytest.raises(ValidationError):
            services.ticket_complete(
                ticket, actor=plumber, cause=DamageCause.WEAR, photo=clean_photo()
            )

    def test_complete_needs_cause_and_photo(self, staff, room, plumber):
        ticket = file(staff, room)
        services.ticket_take(ticket, actor=plumber)
        services.ticket_start(ticket, actor=plumber)
        with pytest.raises(ValidationError) as exc:
            services.ticket_complete(ticket, actor=plumber, cause=DamageCause.WEAR, photo=None)
        assert "photo" in exc.value.error_dict
        with pytest.raises(ValidationError) as exc:
            services.ticket_complete(ticket, actor=plumber, cause="bogus", photo=clean_photo())
        assert "cause" in exc.value.error_dict
        ticket.refresh_from_db()
        assert ticket.status == TicketStatus.IN_PROGRESS

    @pytest.mark.parametrize(
        "kwargs,field",
        [
            ({"name": "管", "unit": "根", "unit_cost": "1", "quantity": "0"}, "quantity"),
            ({"name": "管", "unit": "根", "unit_cost": "-1", "quantity": "1"}, "unit_cost"),
            ({"name": "", "unit": "根", "unit_cost": "1", "quantity": "1"}, "name"),
            ({"name": "管", "unit": "", "unit_cost": "1", "quantity": "1"}, "unit"),
            ({"name": "管", "unit": "根", "unit_cost": "abc", "quantity": "1"}, "unit_cost"),
            ({"name": "管", "unit": "根", "unit_cost": "1", "quantity": "NaN"}, "quantity"),
        ],
    )
    def test_bad_materials_are_refused(self, staff, room, plumber, kwargs, field):
        ticket = file(staff, room)
        services.ticket_take(ticket, actor=plumber)
        services.ticket_start(ticket, actor=plumber)
        with pytest.raises(ValidationError) as exc:
            services.ticket_material_add(ticket, actor=plumber, **kwargs)
        assert field in exc.value.error_dict
        assert not ticket.materials.exists()

    def test_foreign_catalogue_item_is_refused(self, staff, room, plumber, other_school):
        ticket = file(staff, room)
        services.ticket_take(ticket, actor=plumber)
        services.ticket_start(ticket, actor=plumber)
        foreign = factories.MaterialFactory(school=other_school)
        with pytest.raises(ValidationError):
            services.ticket_material_add(ticket, actor=plumber, material=foreign, quantity=1)

    def done_ticket(self, staff, room, plumber):
        ticket = file(staff, room)
        services.ticket_take(ticket, actor=plumber)
        services.ticket_start(ticket, actor=plumber)
        services.ticket_complete(ticket, actor=plumber, cause=DamageCause.WEAR, photo=clean_photo())
        ticket.refresh_from_db()
        return ticket

    def test_reopen_goes_back_to_the_technician(self, staff, room, plumber):
        ticket = self.done_ticket(staff, room, plumber)
        with pytest.raises(ValidationError):
            services.ticket_reopen(ticket, actor=staff, reason="  ")
        with pytest.raises(ValidationError):
            services.ticket_reopen(ticket, actor=plumber, reason="还漏")
        before = ticket.complete_by
        services.ticket_reopen(ticket, actor=staff, reason="还在漏水")
        ticket.refresh_from_db()
        assert ticket.status == TicketStatus.ASSIGNED and ticket.assignee == plumber
        assert ticket.reopen_count == 1 and ticket.done_at is None
        assert ticket.complete_by > before
        assert status_history_of(ticket).last().note == "还在漏水"

    @pytest.mark.parametrize("rating", [0, 6, "x", None])
    def test_rating_is_one_to_five(self, staff, room, plumber, rating):
        ticket = self.done_ticket(staff, room, plumber)
        with pytest.raises(ValidationError):
            services.ticket_confirm(ticket, actor=staff, rating=rating)
        ticket.refresh_from_db()
        assert ticket.status == TicketStatus.DONE

    def test_only_the_requester_confirms(self, staff, room, plumber, general_affairs):
        ticket = self.done_ticket(staff, room, plumber)
        for person in (plumber, general_affairs):
            with pytest.raises(ValidationError):
                services.ticket_confirm(ticket, actor=person, rating=5)

    def test_cancel(self, staff, room, plumber, general_affairs, make_user, school):
        ticket = file(staff, room)
        with pytest.raises(ValidationError):
            services.ticket_cancel(ticket, actor=staff, reason="")
        neighbour = make_user(Role.STAFF, school)
        with pytest.raises(ValidationError):
            services.ticket_cancel(ticket, actor=neighbour, reason="不是我的")
        services.ticket_take(ticket, actor=plumber)
        services.ticket_start(ticket, actor=plumber)
        with pytest.raises(ValidationError):  # started: only general affairs may cancel
            services.ticket_cancel(ticket, actor=staff, reason="不修了")
        services.ticket_cancel(ticket, actor=general_affairs, reason="重复报修")
        ticket.refresh_from_db()
        assert ticket.status == TicketStatus.CANCELLED

    def test_reassign(self, staff, room, school, plumber, general_affairs):
        ticket = file(staff, room)
        services.ticket_assign(ticket, actor=general_affairs, technician=plumber)
        other = factories.technician(school, name="李师傅")
        services.ticket_assign(ticket, actor=general_affairs, technician=other, note="王师傅请假")
        ticket.refresh_from_db()
        assert ticket.assignee == other
        last = status_history_of(ticket).last()
        assert "王师傅" in last.note and "李师傅" in last.note and "请假" in last.note
        with pytest.raises(ValidationError):  # not a technician
            services.ticket_assign(ticket, actor=general_affairs, technician=staff)
        with pytest.raises(ValidationError):  # not a dispatcher
            services.ticket_assign(ticket, actor=plumber, technician=plumber)


@pytest.mark.django_db
class TestTickJobs:
    def test_auto_confirm_after_the_school_period(self, staff, room, plumber, school):
        ticket = TestWorkflow().done_ticket(staff, room, plumber)
        now = ticket.done_at + timedelta(days=school.repair_auto_confirm_days) - timedelta(1)
        assert services.tickets_auto_confirm(now) == 0
        later = ticket.done_at + timedelta(days=school.repair_auto_confirm_days, minutes=1)
        assert services.tickets_auto_confirm(later) == 1
        assert services.tickets_auto_confirm(later) == 0
        ticket.refresh_from_db()
        assert ticket.status == TicketStatus.CLOSED and ticket.auto_confirmed
        assert ticket.rating is None
        assert status_history_of(ticket).last().actor is None

    def test_overdue_reminded_once_per_missed_target(self, staff, room, plumber, general_affairs):
        ticket = file(staff, room)
        after_response = ticket.respond_by + timedelta(minutes=5)
        reminders_run(after_response)
        reminders_run(after_response)
        # Nobody has it: general affairs is reminded, once.
        keys = list(
            Notification.objects.filter(key__startswith="reminder:ticket_overdue").values_list(
                "recipient", flat=True
            )
        )
        assert general_affairs.pk in keys and len(keys) == keys.count(general_affairs.pk) == 1
        services.ticket_take(ticket, actor=plumber)
        services.ticket_start(ticket, actor=plumber)
        late = ticket.complete_by + timedelta(minutes=5)
        reminders_run(late)
        reminders_run(late)
        assert (
            Notification.objects.filter(
                recipient=plumber, key__startswith="reminder:ticket_overdue"
            ).count()
            == 1
        )

    def test_tick_runs_the_jobs(self, staff, room, plumber, school, monkeypatch):
        from logistics import tasks

        ticket = TestWorkflow().done_ticket(staff, room, plumber)
        Ticket.objects.filter(pk=ticket.pk).update(done_at=timezone.now() - timedelta(days=30))
        tasks.tick()
        ticket.refresh_from_db()
        assert ticket.status == TicketStatus.CLOSED


@pytest.mark.django_db(transaction=True)
def test_two_technicians_take_at_once_one_wins(school, make_user):
    staff = make_user(Role.STAFF, school)
    room = factories.RoomFactory(building__school=school)
    ticket = file(staff, room)
    people = [factories.technician(school) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcome = {}

    def take(person):
        try:
            barrier.wait()
            services.ticket_take(Ticket.objects.get(pk=ticket.pk), actor=person)
            outcome[person.pk] = "took"
        except ValidationError as exc:
            outcome[person.pk] = exc.messages[0]
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ticket.refresh_from_db()
    assert sorted(v == "took" for v in outcome.values()) == [False, True]
    winner = next(pk for pk, v in outcome.items() if v == "took")
    assert ticket.assignee_id == winner
    assert StatusChange.objects.filter(object_id=ticket.pk, to_status="assigned").count() == 1


@pytest.mark.django_db
def test_a_second_tick_skips_sent_overdue_reminders_in_one_query(school, make_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from logistics.repairs.reminders import TicketOverdueRule

    staff = make_user(Role.STAFF, school)
    for _ in range(5):
        file(staff, factories.RoomFactory(building__school=school))
    later = timezone.now() + timedelta(days=10)
    assert len(list(TicketOverdueRule().due(later))) == 5
    reminders_run(later)
    with CaptureQueriesContext(connection) as captured:
        assert list(TicketOverdueRule().due(later)) == []
    assert len(captured) == 2  # the overdue tickets, the reminders already sent
