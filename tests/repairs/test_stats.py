"""Repair statistics: exact figures, the period, a constant query count, the pages, and
the repairs section of the dashboard showing the same figures as the statistics page."""

import datetime
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from logistics.choices import Role, Trade
from logistics.common.periods import PeriodForm, resolve_period
from logistics.common.registry import registry
from logistics.documents.charts import bar_chart, column_chart, line_chart, nice_scale
from logistics.repairs import sections as repair_sections
from logistics.repairs.choices import DamageCause, TicketStatus, Urgency
from logistics.repairs.models import TicketMaterial
from logistics.repairs.selectors.stats import repair_stats
from tests import factories

TZ = ZoneInfo("Asia/Shanghai")
D = datetime.date
H = datetime.timedelta(hours=1)
SEPTEMBER = (D(2026, 9, 1), D(2026, 9, 30))
NOW = datetime.datetime(2026, 10, 15, 12, 0, tzinfo=TZ)


def at(month, day, hour=9, minute=0):
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=TZ)


class Builder:
    """Tickets of one school with explicit times (hours after filing)."""

    def __init__(self, school):
        self.school = school
        self.requester = factories.user_with_role(Role.STAFF, school=school)
        self.technician = factories.technician(school, *Trade.values)
        self.room = factories.RoomFactory(building__school=school)

    def ticket(
        self,
        created,
        *,
        trade=Trade.PLUMBING,
        status=TicketStatus.CLOSED,
        started=None,
        done=None,
        room=None,
        **fields,
    ):
        assigned = status not in (TicketStatus.SUBMITTED, TicketStatus.CANCELLED)
        return factories.TicketFactory(
            school=self.school,
            requester=self.requester,
            room=room or self.room,
            trade=trade,
            status=status,
            assignee=self.technician if assigned else None,
            created_at=created,
            started_at=created + started * H if started is not None else None,
            done_at=created + done * H if done is not None else None,
            **fields,
        )

    def material(self, ticket, name, quantity, unit_cost, *, spec="", unit="个", material=None):
        return TicketMaterial.objects.create(
            ticket=ticket,
            material=material,
            name=name,
            spec=spec,
            unit=unit,
            quantity=Decimal(quantity),
            unit_cost=Decimal(unit_cost),
            added_by=self.technician,
        )


@pytest.fixture
def sections():
    """The registry holds only the repairs section (as ``LogisticsConfig.ready`` will)."""
    saved = dict(registry.sections)
    registry.sections.clear()
    registry.register_module(repair_sections)
    yield registry
    registry.sections.clear()
    registry.sections.update(saved)


@pytest.fixture
def september(school, other_school):
    """A month of one school's tickets, their neighbours outside it, another school's."""
    b = Builder(school)
    repeated = factories.RoomFactory(building__school=school, number="301")
    other_room = factories.RoomFactory(building__school=school)
    pipe = factories.MaterialFactory(
        school=school, name="台盆水管", spec="40cm", unit="根", unit_cost=Decimal("12.50")
    )
    t1 = b.ticket(  # the first minute of the period
        at(9, 1, 0, 0), started=2, done=10 + 1 / 3, rating=5, cause=DamageCause.WEAR, room=repeated
    )
    b.material(t1, "台盆水管", "2", "12.50", spec="40cm", unit="根", material=pipe)
    t2 = b.ticket(  # finished late (72 h allowed)
        at(9, 10), started=4.5, done=80, rating=4, cause=DamageCause.DAMAGE, room=repeated
    )
    b.material(t2, "台盆水管", "3", "12.50", spec="40cm", unit="根", material=pipe)
    b.material(t2, "水龙头", "1", "35.00", unit="只")
    t3 = b.ticket(  # the last minute of the period, awaiting confirmation
        at(9, 30, 23, 59),
        status=TicketStatus.DONE,
        started=1,
        done=5,
        cause=DamageCause.WEAR,
        room=other_room,
    )
    b.material(t3, "生料带", "0.5", "3.33", unit="卷")
    b.ticket(  # confirmed automatically, urgent
        at(9, 5),
        trade=Trade.ELECTRICAL,
        started=3,
        done=20,
        auto_confirmed=True,
        urgency=Urgency.URGENT,
        cause=DamageCause.DISASTER,
        room=repeated,
    )
    b.ticket(at(9, 6), trade=Trade.ELECTRICAL, status=TicketStatus.ASSIGNED)  # never started
    cancelled = b.ticket(
        at(9, 7),
        trade=Trade.ELECTRICAL,
        status=TicketStatus.CANCELLED,
        urgency=Urgency.URGENT,
        room=repeated,
    )
    b.material(cancelled, "台盆水管", "10", "12.50", spec="40cm", unit="根")
    b.ticket(  # started late, reopened once, still in progress
        at(9, 8), trade=Trade.CARPENTRY, status=TicketStatus.IN_PROGRESS, started=30, reopen_count=1
    )
    b.ticket(
        at(9, 15),
        trade=Trade.GENERAL,
        started=1,
        done=2,
        rating=2,
        cause=DamageCause.WEAR,
        room=other_room,
    )
    # Outside the period, by a minute each way (local time).
    before = b.ticket(at(8, 31, 23, 59), room=repeated, rating=1, started=1, done=1)
    b.material(before, "台盆水管", "7", "12.50", spec="40cm", unit="根")
    b.ticket(at(10, 1, 0, 0), room=other_room, rating=1, started=1, done=1)
    # Another school's ticket in the period.
    foreign = Builder(other_school)
    ft = foreign.ticket(at(9, 10), rating=1, started=100, done=200, cause=DamageCause.DAMAGE)
    foreign.material(ft, "台盆水管", "100", "12.50", spec="40cm", unit="根")
    return {"school": school, "repeated": repeated, "builder": b}


@pytest.mark.django_db
class TestFigures:
    def stats(self, september, start=SEPTEMBER[0], end=SEPTEMBER[1]):
        return repair_stats(september["school"], start, end, now=NOW)

    def test_counts_and_status_groups(self, september):
        s = self.stats(september)
        assert (s["start"], s["end"]) == SEPTEMBER
        assert s["total"] == 7
        assert s["cancelled"] == 1
        assert s["status"] == {
            "open": 2,
            "awaiting_confirmation": 1,
            "closed": 4,
            "cancelled": 1,
        }
        assert s["urgent"] == 1  # the cancelled urgent one does not count
        assert s["reopened"] == 1

    def test_per_trade(self, september):
        rows = {row["trade"]: row for row in self.stats(september)["per_trade"]}
        assert list(rows) == Trade.values  # every trade, in the trades' order
        assert {t: (r["count"], r["closed"]) for t, r in rows.items()} == {
            "plumbing": (3, 2),
            "electrical": (2, 1),
            "carpentry": (1, 0),
            "air_conditioning": (0, 0),
            "network": (0, 0),
            "general": (1, 1),
        }
        medians = {
            t: (r["median_response_hours"], r["median_completion_hours"]) for t, r in rows.items()
        }
        assert medians == {
            "plumbing": (Decimal("2.0"), Decimal("10.3")),  # [1, 2, 4.5] and [5, 10.33, 80]
            "electrical": (Decimal("3.0"), Decimal("20.0")),  # the unstarted one has none
            "carpentry": (Decimal("30.0"), None),
            "air_conditioning": (None, None),
            "network": (None, None),
            "general": (Decimal("1.0"), Decimal("2.0")),
        }
        assert rows["electrical"]["open"] == 1
        assert rows["plumbing"]["awaiting_confirmation"] == 1

    def test_overall_medians(self, september):
        s = self.stats(september)
        # Responses [1, 1, 2, 3, 4.5, 30]: the middle two averaged.
        assert s["median_response_hours"] == Decimal("2.5")
        # Completions [2, 5, 10.33, 20, 80].
        assert s["median_completion_hours"] == Decimal("10.3")

    def test_satisfaction(self, september):
        sat = self.stats(september)["satisfaction"]
        assert sat["rated"] == 3
        assert sat["average"] == Decimal("3.67")  # (5 + 4 + 2) / 3
        assert sat["satisfied"] == 2
        assert sat["satisfied_percent"] == Decimal("66.7")
        assert [(d["stars"], d["count"]) for d in sat["distribution"]] == [
            (1, 0),
            (2, 1),
            (3, 0),
            (4, 1),
            (5, 1),
        ]
        assert sat["distribution"][1]["percent"] == Decimal("33.3")
        assert sat["auto_confirmed"] == 1

    def test_on_time(self, september):
        on_time = self.stats(september)["on_time"]
        # Started: six, one late (30 h); the unstarted open one missed its 24 h.
        assert on_time["response"] == {"on_time": 5, "measured": 7, "percent": Decimal("71.4")}
        # Finished: five, one late (80 h); two open ones are past their 72 h.
        assert on_time["completion"] == {"on_time": 4, "measured": 7, "percent": Decimal("57.1")}

    def test_targets_not_yet_due_are_not_measured(self, september):
        early = at(9, 6, 12)  # the unstarted ticket of 6 September has until the 7th
        s = repair_stats(september["school"], *SEPTEMBER, now=early)
        assert s["on_time"]["response"]["measured"] == 6

    def test_causes(self, september):
        causes = {c["cause"]: c["count"] for c in self.stats(september)["causes"]}
        assert causes == {"wear": 3, "damage": 1, "disaster": 1}

    def test_materials(self, september):
        s = self.stats(september)
        assert [
            (m["name"], m["spec"], m["unit"], m["quantity"], m["cost"], m["tickets"])
            for m in s["materials"]
        ] == [
            ("台盆水管", "40cm", "根", Decimal("5.00"), Decimal("62.50"), 2),
            ("水龙头", "", "只", Decimal("1.00"), Decimal("35.00"), 1),
            ("生料带", "", "卷", Decimal("0.50"), Decimal("1.67"), 1),  # 1.665, half up
        ]
        assert s["materials_cost"] == Decimal("99.17")
        assert all(isinstance(m["cost"], Decimal) for m in s["materials"])

    def test_repeated_rooms(self, september):
        s = self.stats(september)
        room = september["repeated"]
        # 301 has three tickets in September (the cancelled and the August ones don't count).
        assert s["repeated_rooms_count"] == 1
        [found] = s["repeated_rooms"]
        assert found["room_id"] == room.pk
        assert found["room"] == "301"
        assert found["building"] == room.building.name
        assert found["count"] == 3
        assert [(t["trade"], t["count"]) for t in found["trades"]] == [
            ("plumbing", 2),
            ("electrical", 1),
        ]

    def test_repeated_rooms_top_ten(self, school):
        b = Builder(school)
        rooms = [factories.RoomFactory(building__school=school) for _ in range(11)]
        for i, room in enumerate(rooms):
            for _ in range(3 + (i == 5)):
                b.ticket(at(9, 2), room=room, status=TicketStatus.SUBMITTED)
        s = repair_stats(school, *SEPTEMBER, now=NOW)
        assert s["repeated_rooms_count"] == 11
        assert len(s["repeated_rooms"]) == 10
        assert s["repeated_rooms"][0]["room_id"] == rooms[5].pk
        assert s["repeated_rooms"][0]["count"] == 4

    def test_period_boundaries_and_months_in_local_time(self, september):
        s = self.stats(september, D(2026, 8, 31), D(2026, 10, 1))
        assert s["total"] == 9
        assert [(m["month"], m["count"]) for m in s["per_month"]] == [
            (D(2026, 8, 1), 1),
            (D(2026, 9, 1), 7),
            (D(2026, 10, 1), 1),
        ]
        one_day = self.stats(september, D(2026, 9, 30), D(2026, 9, 30))
        assert one_day["total"] == 1

    def test_per_month_lists_every_month(self, school):
        s = repair_stats(school, D(2026, 11, 20), D(2027, 2, 3), now=NOW)
        assert [m["month"] for m in s["per_month"]] == [
            D(2026, 11, 1),
            D(2026, 12, 1),
            D(2027, 1, 1),
            D(2027, 2, 1),
        ]
        assert {m["count"] for m in s["per_month"]} == {0}

    def test_another_school_sees_only_its_own(self, september, other_school):
        s = repair_stats(other_school, *SEPTEMBER, now=NOW)
        assert s["total"] == 1
        assert s["materials_cost"] == Decimal("1250.00")
        assert s["median_response_hours"] == Decimal("100.0")

    def test_empty(self, school):
        s = repair_stats(school, *SEPTEMBER, now=NOW)
        assert s["total"] == 0
        assert s["median_response_hours"] is None
        assert s["satisfaction"]["average"] is None
        assert s["satisfaction"]["satisfied_percent"] is None
        assert s["on_time"]["response"]["percent"] is None
        assert s["materials"] == []
        assert s["materials_cost"] == Decimal("0.00")
        assert s["repeated_rooms"] == []

    def test_a_constant_number_of_queries(self, django_assert_num_queries):
        for n in (5, 50):
            school = factories.SchoolFactory()
            b = Builder(school)
            rooms = [factories.RoomFactory(building__school=school) for _ in range(4)]
            for i in range(n):
                t = b.ticket(
                    at(9, 1 + i % 28),
                    trade=Trade.values[i % len(Trade.values)],
                    started=i % 7,
                    done=10 + i % 5,
                    rating=1 + i % 5,
                    cause=DamageCause.WEAR,
                    room=rooms[i % 4],
                )
                b.material(t, f"材料{i % 6}", "1", "2.50")
            with django_assert_num_queries(6):
                s = repair_stats(school, *SEPTEMBER, now=NOW)
            assert s["total"] == n


@pytest.mark.django_db
class TestPeriod:
    def test_default_is_the_current_semester(self, school):
        factories.SemesterFactory(school=school, academic_year=2025)
        current = factories.SemesterFactory(
            school=school,
            academic_year=2026,
            start_date=D(2026, 9, 1),
            end_date=D(2027, 1, 31),
            is_current=True,
        )
        form, period = resolve_period(school, {})
        assert (period.start, period.end, period.semester) == (
            D(2026, 9, 1),
            D(2027, 1, 31),
            current,
        )

    def test_default_without_semester_is_the_last_30_days(self, school):
        _form, period = resolve_period(school, {}, today=D(2026, 10, 30))
        assert (period.start, period.end, period.semester) == (
            D(2026, 10, 1),
            D(2026, 10, 30),
            None,
        )

    def test_a_semester_of_the_school(self, school):
        semester = factories.SemesterFactory(
            school=school, academic_year=2025, start_date=D(2025, 9, 1), end_date=D(2026, 1, 20)
        )
        _form, period = resolve_period(school, {"semester": str(semester.pk)})
        assert (period.start, period.end) == (D(2025, 9, 1), D(2026, 1, 20))

    def test_a_range(self, school):
        _form, period = resolve_period(school, {"start": "2026-09-01", "end": "2026-09-01"})
        assert (period.start, period.end, period.semester) == (D(2026, 9, 1), D(2026, 9, 1), None)

    @pytest.mark.parametrize(
        "data, field",
        [
            ({"start": "2026-09-02", "end": "2026-09-01"}, "end"),
            ({"start": "2026-09-01"}, "end"),
            ({"end": "2026-09-01"}, "start"),
            ({"start": "2020-01-01", "end": "2026-01-01"}, "__all__"),
            ({"start": "nonsense", "end": "2026-01-01"}, "start"),
            ({"semester": "abc"}, "semester"),
        ],
    )
    def test_wrong_input(self, school, data, field):
        form, period = resolve_period(school, data)
        assert period is None
        assert field in form.errors

    def test_semester_and_dates_together(self, school):
        semester = factories.SemesterFactory(school=school)
        data = {"semester": str(semester.pk), "start": "2026-09-01", "end": "2026-09-02"}
        form, period = resolve_period(school, data)
        assert period is None
        assert form.non_field_errors()

    def test_another_schools_semester_is_invalid(self, school, other_school):
        foreign = factories.SemesterFactory(school=other_school)
        form = PeriodForm({"semester": str(foreign.pk)}, school=school)
        assert not form.is_valid()
        assert "semester" in form.errors

    def test_three_years_are_allowed(self, school):
        _form, period = resolve_period(school, {"start": "2024-01-01", "end": "2026-12-31"})
        assert period is not None


def _figure(response, testid):
    match = re.search(rf'data-testid="{testid}">([^<]*)<', response.content.decode())
    assert match, f"{testid} not on the page"
    return match.group(1)


SEPTEMBER_QUERY = "?start=2026-09-01&end=2026-09-30"


@pytest.mark.django_db
class TestStatisticsPage:
    url = reverse("ticket_stats")

    @pytest.mark.parametrize("role", [Role.GENERAL_AFFAIRS, Role.PRINCIPAL])
    def test_readers(self, client, september, make_user, role):
        client.force_login(make_user(role, september["school"]))
        response = client.get(self.url + SEPTEMBER_QUERY)
        assert response.status_code == 200
        assert _figure(response, "repairs-total") == "7"
        assert _figure(response, "materials-total") == "99.17"
        assert _figure(response, "satisfied-percent") == "66.7%"
        content = response.content.decode()
        room = september["repeated"]
        assert f'href="{reverse("ticket_list")}?room={room.pk}"' in content
        assert "<svg" in content
        assert " style=" not in content and "<style" not in content

    @pytest.mark.parametrize(
        "role", [Role.STAFF, Role.TECHNICIAN, Role.SAFETY_OFFICER, Role.DISTRICT_VIEWER]
    )
    def test_others_are_refused(self, client, school, make_user, role):
        client.force_login(make_user(role, school))
        assert client.get(self.url).status_code == 403

    def test_anonymous_goes_to_the_login(self, client):
        response = client.get(self.url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))

    def test_another_schools_semester_is_a_form_error(self, ga_client, september, other_school):
        foreign = factories.SemesterFactory(school=other_school, start_date=D(2026, 9, 1))
        response = ga_client.get(f"{self.url}?semester={foreign.pk}")
        assert response.status_code == 200
        assert response.context["form"].errors["semester"]
        assert response.context["figures"] is None
        assert b'data-testid="repairs-total"' not in response.content
        assert b'data-testid="period-errors"' in response.content

    def test_default_period_is_the_current_semester(self, ga_client, september):
        factories.SemesterFactory(
            school=september["school"],
            start_date=D(2026, 9, 1),
            end_date=D(2026, 9, 30),
            is_current=True,
        )
        response = ga_client.get(self.url)
        assert _figure(response, "repairs-total") == "7"

    def test_empty_state(self, ga_client):
        response = ga_client.get(self.url + SEPTEMBER_QUERY)
        assert response.status_code == 200
        assert b'data-testid="stats-empty"' in response.content

    def test_only_the_first_ten_repeated_rooms(self, ga_client, school):
        b = Builder(school)
        for _ in range(11):
            room = factories.RoomFactory(building__school=school)
            for _ in range(3):
                b.ticket(at(9, 2), room=room, status=TicketStatus.SUBMITTED)
        response = ga_client.get(self.url + SEPTEMBER_QUERY)
        assert response.content.decode().count(f'href="{reverse("ticket_list")}?room=') == 10
        assert response.context["figures"]["repeated_rooms_count"] == 11
        assert b'data-testid="repeated-rooms-more"' in response.content

    def test_bad_dates(self, ga_client):
        response = ga_client.get(f"{self.url}?start=2026-09-30&end=2026-09-01")
        assert response.status_code == 200
        assert response.context["figures"] is None
        assert b"is-invalid" in response.content

    def test_a_constant_number_of_queries(self, client, make_user):
        counts = []
        for n in (5, 50):
            school = factories.SchoolFactory()
            b = Builder(school)
            factories.SemesterFactory(school=school, is_current=True)
            for i in range(n):
                t = b.ticket(
                    at(9, 1 + i % 28),
                    trade=Trade.values[i % 3],
                    started=1,
                    done=2 + i % 3,
                    rating=5,
                    room=factories.RoomFactory(building__school=school) if i % 2 else None,
                )
                b.material(t, f"材料{i % 4}", "2", "1.25")
            client.force_login(make_user(Role.GENERAL_AFFAIRS, school))
            with CaptureQueriesContext(connection) as captured:
                response = client.get(self.url)
            assert response.status_code == 200
            assert _figure(response, "repairs-total") == str(n)
            counts.append(len(captured))
        assert counts[0] == counts[1], counts


@pytest.mark.django_db
class TestDashboard:
    url = reverse("dashboard")

    def test_the_repairs_section_shows_the_pages_figures(
        self, sections, client, september, make_user
    ):
        client.force_login(make_user(Role.PRINCIPAL, september["school"]))
        board = client.get(self.url + SEPTEMBER_QUERY)
        page = client.get(reverse("ticket_stats") + SEPTEMBER_QUERY)
        assert board.status_code == page.status_code == 200
        assert b'data-section="repairs"' in board.content
        for testid in (
            "repairs-total",
            "repairs-closed",
            "repairs-open",
            "repairs-median-response",
            "repairs-median-completion",
            "repairs-rating",
            "repairs-materials-cost",
        ):
            assert _figure(board, testid) == _figure(page, testid), testid
        assert _figure(board, "repairs-total") == "7"
        assert _figure(board, "repairs-median-response") == "2.5"
        [(section, figures)] = board.context["sections"]
        assert section.figures is repair_stats
        assert figures["total"] == page.context["figures"]["total"]

    def test_the_section_is_registered_as_described(self, sections):
        [section] = registry.sections_for(factories.user_with_role(Role.PRINCIPAL))
        assert (section.key, section.order, section.permissions) == (
            "repairs",
            20,
            ("logistics.view_ticket",),
        )
        with translation.override("en"):
            assert str(section.title) == "Repairs and maintenance"
        assert section.template == "repairs/dashboard_section.html"

    def test_general_affairs_default_period(self, sections, ga_client, school):
        factories.SemesterFactory(school=school, is_current=True)
        response = ga_client.get(self.url)
        assert response.status_code == 200
        assert _figure(response, "repairs-total") == "0"

    def test_no_visible_section(self, sections, client, school, make_user):
        client.force_login(make_user(Role.STAFF, school))
        response = client.get(self.url)
        assert response.status_code == 200
        assert b'data-testid="dashboard-empty"' in response.content
        assert b"data-section=" not in response.content

    def test_district_viewer(self, sections, client, school, make_user):
        client.force_login(make_user(Role.DISTRICT_VIEWER, school))
        response = client.get(self.url)
        assert response.status_code == 200
        assert b'data-testid="dashboard-no-school"' in response.content

    def test_another_schools_semester(self, sections, ga_client, september, other_school):
        foreign = factories.SemesterFactory(school=other_school)
        response = ga_client.get(f"{self.url}?semester={foreign.pk}")
        assert response.status_code == 200
        assert response.context["form"].errors["semester"]
        assert response.context["sections"] == []
        assert b"data-section=" not in response.content

    def test_anonymous_goes_to_the_login(self, client):
        response = client.get(self.url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


class TestCharts:
    def parse(self, chart):
        svg = str(chart)
        root = ET.fromstring(svg)  # noqa: S314 - our own markup
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert "style" not in svg
        return svg, root

    def test_labels_are_escaped(self):
        chart = bar_chart(['<script>alert("x")</script>', "水"], [3, 1], title="A & B")
        svg, root = self.parse(chart)
        assert "<script>" not in svg
        assert "&lt;script&gt;" in svg
        assert root.get("aria-label") == "A & B"

    def test_bars_are_proportional(self):
        _svg, root = self.parse(bar_chart(["a", "b"], [4, 2], title="t"))
        ns = "{http://www.w3.org/2000/svg}"
        widths = [float(r.get("width")) for r in root.iter(f"{ns}rect")]
        assert widths[0] == pytest.approx(2 * widths[1])

    def test_columns_and_lines_with_two_series(self):
        labels = ["2026-09", "2026-10", "2026-11"]
        series = [("found", [5, 3, 0]), ("rectified", [4, 3, 0])]
        ns = "{http://www.w3.org/2000/svg}"
        _svg, root = self.parse(column_chart(labels, series, title="Hazards"))
        assert len([r for r in root.iter(f"{ns}rect") if r.get("width") != "10"]) == 6
        svg, root = self.parse(line_chart(labels, series, title="Hazards"))
        assert len(list(root.iter(f"{ns}polyline"))) == 2
        assert "rectified" in svg  # the legend

    def test_empty_and_zero_charts_render(self):
        self.parse(bar_chart([], [], title="t"))
        self.parse(column_chart(["a"], [("s", [0])], title="t"))
        assert bar_chart(["a"], [0], title="t").is_empty

    def test_nice_scale(self):
        assert nice_scale(3) == (3, 1)
        assert nice_scale(47) == (50, 10)
        assert nice_scale(0) == (1, 1)
        assert nice_scale(0.4) == pytest.approx((0.4, 0.1))
