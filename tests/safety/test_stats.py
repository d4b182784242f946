"""Campus safety statistics: the rectification rate exact on a hand-built set (period
boundaries in local time, withdrawn reports, another school), its breakdowns, the monthly
trend, inspections done, drills per month, agreement coverage, constant query counts and
the dashboard section."""

import datetime
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from logistics.choices import Role
from logistics.common.registry import registry
from safety import sections as safety_sections
from safety.choices import (
    DrillKind,
    HazardLevel,
    HazardStatus,
    InspectionKind,
    InspectionStatus,
    SafetyArea,
)
from safety.selectors import hazards_overdue
from safety.selectors.stats import (
    RATE_DIMENSIONS,
    RECTIFICATION_RATE_DEFINITION,
    academic_year_of,
    agreement_coverage,
    agreements_missing,
    drill_months,
    half_months,
    hazard_ledger,
    hazards_overdue_top,
    inspection_figures,
    rectification_by,
    rectification_figures,
    rectification_rate,
    rectification_trend,
    safety_stats,
)
from tests import factories
from tests.safety_factories import (
    AgreementFactory,
    DrillFactory,
    HazardFactory,
    InspectionFactory,
    template_with_items,
)

TZ = ZoneInfo("Asia/Shanghai")
D = datetime.date
SEPTEMBER = (D(2026, 9, 1), D(2026, 9, 30))
AUTUMN = (D(2026, 9, 1), D(2026, 10, 31))
NOW = datetime.datetime(2026, 10, 15, 12, 0, tzinfo=TZ)


def at(month, day, hour=9, minute=0, year=2026):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=TZ)


def by_key(rows):
    return {r["key"]: (r["found"], r["rectified"], r["rate"]) for r in rows}


@pytest.fixture
def hazards(school, other_school):
    """Hazards of one school around September (local time), one of another school."""
    fire_dept = factories.DepartmentFactory(school=school, name="总务处")
    canteen_dept = factories.DepartmentFactory(school=school, name="食堂")
    building = factories.BuildingFactory(school=school, name="求真楼")
    room = factories.RoomFactory(building=building)
    monthly = InspectionFactory(
        school=school,
        template=template_with_items(school, kind=InspectionKind.MONTHLY),
    )

    def make(name, found, status=HazardStatus.REPORTED, **kwargs):
        return name, HazardFactory(school=school, found_at=found, status=status, **kwargs)

    rows = dict(
        [
            # The first minute of the period, closed within it.
            make(
                "h1",
                at(9, 1, 0, 0),
                HazardStatus.CLOSED,
                closed_at=at(9, 5),
                department=fire_dept,
                room=room,
                inspection=monthly,
            ),
            # The last minute of August: outside.
            make("h2", at(8, 31, 23, 59), HazardStatus.CLOSED, closed_at=at(9, 2)),
            # The last minute of the period, closed a minute after it ended: not in time.
            make(
                "h3",
                at(9, 30, 23, 59),
                HazardStatus.CLOSED,
                closed_at=at(10, 1, 0, 1),
                category=SafetyArea.CANTEEN,
                department=canteen_dept,
            ),
            # Closed in the last minute of the period.
            make(
                "h4",
                at(9, 10),
                HazardStatus.CLOSED,
                closed_at=at(9, 30, 23, 59),
                category=SafetyArea.ELECTRICAL,
                department=fire_dept,
                room=room,
            ),
            # Being rectified, past its deadline at NOW.
            make(
                "h5",
                at(9, 12),
                HazardStatus.RECTIFYING,
                deadline=D(2026, 9, 20),
                category=SafetyArea.ELECTRICAL,
                inspection=monthly,
            ),
            # Withdrawn: not counted at all.
            make("h6", at(9, 15), HazardStatus.WITHDRAWN),
            # A major one awaiting the check, one closed.
            make("h8", at(9, 20), HazardStatus.AWAITING_CHECK, level=HazardLevel.MAJOR),
            make(
                "h9",
                at(9, 21),
                HazardStatus.CLOSED,
                closed_at=at(9, 25),
                level=HazardLevel.MAJOR,
                category=SafetyArea.CANTEEN,
                deferral_count=1,
            ),
            # The first minute of October, closed the next day.
            make("h7", at(10, 1, 0, 0), HazardStatus.CLOSED, closed_at=at(10, 2)),
        ]
    )
    HazardFactory(school=other_school, found_at=at(9, 10))
    return rows


@pytest.mark.django_db
class TestRectificationRate:
    def test_september(self, school, hazards):
        r = rectification_rate(school, *SEPTEMBER, now=NOW)
        # Found: h1 h3 h4 h5 h8 h9; rectified by the end: h1 h4 h9.
        assert (r["found"], r["rectified"], r["rate"]) == (6, 3, Decimal("50.0"))
        assert r["unrectified"] == 3
        assert r["open"] == 1 and r["awaiting_check"] == 1
        assert r["closed"] == 4  # h3 is closed by now, after the period
        assert r["overdue"] == 1  # h5
        assert (r["major"], r["major_rectified"], r["major_rate"]) == (2, 1, Decimal("50.0"))
        assert r["deferred"] == 1
        assert r["definition"] == RECTIFICATION_RATE_DEFINITION

    def test_two_months(self, school, hazards):
        r = rectification_rate(school, *AUTUMN, now=NOW)
        # h7 joins; h3 is now closed within the period.
        assert (r["found"], r["rectified"]) == (7, 5)
        assert r["rate"] == Decimal("71.4")

    def test_no_hazards(self, school):
        r = rectification_rate(school, *SEPTEMBER, now=NOW)
        assert (r["found"], r["rectified"], r["rate"]) == (0, 0, None)

    def test_by_month_each_month_is_its_own_period(self, school, hazards):
        rows = rectification_by(school, D(2026, 8, 1), D(2026, 11, 30), "month")
        assert [r["label"] for r in rows] == ["2026-08", "2026-09", "2026-10", "2026-11"]
        # h2 (found 31 August) was closed in September: not within its own month.
        assert [(r["found"], r["rectified"]) for r in rows] == [(1, 0), (6, 3), (1, 1), (0, 0)]
        assert rows[1]["rate"] == Decimal("50.0") and rows[3]["rate"] is None
        assert rows[0]["key"] == D(2026, 8, 1)

    def test_by_month_cut_at_the_end_of_the_period(self, school, hazards):
        # October's part of a period ending on 1 October: h7 closed on the 2nd.
        rows = rectification_by(school, D(2026, 9, 1), D(2026, 10, 1), "month")
        assert [(r["found"], r["rectified"]) for r in rows] == [(6, 3), (1, 0)]

    def test_by_category_level_department_building_source(self, school, hazards):
        assert by_key(rectification_by(school, *SEPTEMBER, "category")) == {
            "fire": (2, 1, Decimal("50.0")),  # h1, h8
            "electrical": (2, 1, Decimal("50.0")),  # h4, h5
            "canteen": (2, 1, Decimal("50.0")),  # h3, h9
        }
        categories = [r["key"] for r in rectification_by(school, *SEPTEMBER, "category")]
        assert categories == ["fire", "electrical", "canteen"]  # the choices' order
        assert by_key(rectification_by(school, *SEPTEMBER, "level")) == {
            "general": (4, 2, Decimal("50.0")),
            "major": (2, 1, Decimal("50.0")),
        }
        departments = rectification_by(school, *SEPTEMBER, "department")
        assert [(r["key"] == "", r["found"], r["rectified"]) for r in departments] == [
            (True, 3, 1),  # h5 h8 h9: nobody assigned yet
            (False, 2, 2),
            (False, 1, 0),
        ]
        assert [str(r["label"]) for r in departments[1:]] == ["总务处", "食堂"]
        buildings = by_key(rectification_by(school, *SEPTEMBER, "building"))
        assert buildings[""] == (4, 1, Decimal("25.0"))
        assert next(v for k, v in buildings.items() if k != "") == (2, 2, Decimal("100.0"))
        assert by_key(rectification_by(school, *SEPTEMBER, "source")) == {
            "monthly": (2, 1, Decimal("50.0")),
            "": (4, 2, Decimal("50.0")),
        }
        with translation.override("en"):
            source = rectification_by(school, *SEPTEMBER, "source")
            assert {str(r["label"]) for r in source} == {
                "Monthly check (leadership group)",
                "Reported outside inspections",
            }

    def test_ledger_and_half_months(self, school, hazards):
        rows = list(hazard_ledger(school, *SEPTEMBER))
        assert [r["pk"] for r in rows] == [
            hazards[name].pk for name in ("h1", "h4", "h5", "h8", "h9", "h3")
        ]
        assert rows[0]["room__number"] == hazards["h1"].room.number
        assert half_months(D(2026, 9, 10), D(2026, 10, 20)) == [
            (D(2026, 9, 1), D(2026, 9, 15)),
            (D(2026, 9, 16), D(2026, 9, 30)),
            (D(2026, 10, 1), D(2026, 10, 15)),
            (D(2026, 10, 16), D(2026, 10, 31)),
        ]
        assert half_months(D(2027, 2, 16), D(2027, 2, 28)) == [(D(2027, 2, 16), D(2027, 2, 28))]

    def test_unknown_dimension(self, school):
        with pytest.raises(ValueError):
            rectification_by(school, *SEPTEMBER, "colour")
        with pytest.raises(ValueError):
            rectification_figures(school, *SEPTEMBER, dims=("month", "colour"))

    def test_all_at_once_equals_one_by_one(self, school, hazards):
        """One statement for every figure gives what each selector gives alone."""
        for period in (SEPTEMBER, AUTUMN, (D(2026, 8, 1), D(2026, 11, 30))):
            figures = rectification_figures(school, *period, now=NOW)
            assert figures["totals"] == rectification_rate(school, *period, now=NOW)
            for dimension in RATE_DIMENSIONS:
                assert figures[dimension] == rectification_by(school, *period, dimension)

    def test_without_detail_the_same_numbers(self, school, hazards):
        """The rate page's lighter statement: the same figures, fewer keys per row."""
        full = rectification_figures(school, *AUTUMN, now=NOW)
        light = rectification_figures(school, *AUTUMN, now=NOW, detail=False)
        assert light["totals"] == full["totals"]
        assert light["month"] == full["month"] and light["level"] == full["level"]
        for dimension in ("category", "department", "building", "source"):
            keep = ("key", "label", "found", "rectified", "rate", "unrectified", "overdue")
            assert light[dimension] == [{k: r[k] for k in keep} for r in full[dimension]]
        # Each shape of the statement is written once.
        from django.db import connection

        from safety.selectors.sql import _figures_sql

        assert _figures_sql(connection, 2, ("month",), False) is _figures_sql(
            connection, 2, ("month",), False
        )

    def test_a_one_day_period_and_a_long_one(self, school, hazards):
        day = rectification_figures(school, D(2026, 9, 10), D(2026, 9, 10), now=NOW)
        # h4 only (closed on the 30th: not in this one-day period); not the other school's.
        assert (day["totals"]["found"], day["totals"]["rectified"]) == (1, 0)
        assert [(r["label"], r["found"]) for r in day["month"]] == [("2026-09", 1)]
        years = rectification_figures(school, D(2025, 1, 1), D(2027, 12, 31), now=NOW)
        assert len(years["month"]) == 36
        assert years["totals"]["found"] == 8
        assert sum(r["found"] for r in years["month"]) == 8

    def test_other_schools_and_withdrawn_reports_count_nowhere(self, school, hazards):
        figures = rectification_figures(school, *SEPTEMBER, now=NOW)
        for dimension in RATE_DIMENSIONS:
            assert sum(r["found"] for r in figures[dimension]) == 6, dimension

    def test_trend(self, school, hazards):
        trend = rectification_trend(school, *AUTUMN)
        assert [(m["found"], m["rectified"]) for m in trend["months"]] == [(6, 3), (1, 1)]
        svg = str(trend["chart"])
        assert svg.startswith("<svg") and "2026-09" in svg
        assert str(trend["rate_chart"]).startswith("<svg")

    def test_overdue_list(self, school, hazards):
        assert list(hazards_overdue(school, D(2026, 10, 15))) == [hazards["h5"]]
        assert list(hazards_overdue(school, D(2026, 9, 20))) == []
        rows, total = hazards_overdue_top(school, today=D(2026, 10, 15))
        assert total == 1 and [r["pk"] for r in rows] == [hazards["h5"].pk]
        assert rows[0]["found_at"] == at(9, 12) and rows[0]["deadline"] == D(2026, 9, 20)
        assert rows[0]["room__number"] is None and rows[0]["department__name"] is None
        assert hazards_overdue_top(school, today=D(2026, 9, 20)) == ([], 0)

    def test_overdue_top_is_the_longest_overdue_first(self, school, other_school):
        def make(status, deadline, **kwargs):
            return HazardFactory(
                school=school, found_at=at(9, 1), status=status, deadline=deadline, **kwargs
            )

        dept = factories.DepartmentFactory(school=school, name="后勤保障科")
        room = factories.RoomFactory(building__school=school, number="305")
        person = factories.user_with_role(Role.STAFF, school=school, name="王师傅")
        expected = [
            make(HazardStatus.RECTIFYING, D(2026, 9, 2)),
            make(
                HazardStatus.REPORTED,
                D(2026, 9, 3),
                department=dept,
                room=room,
                responsible_person=person,
            ),
            make(HazardStatus.RECTIFYING, D(2026, 9, 4)),
            make(HazardStatus.REPORTED, D(2026, 9, 5)),
        ]
        make(HazardStatus.REPORTED, D(2026, 10, 15))  # due today: not overdue yet
        make(HazardStatus.AWAITING_CHECK, D(2026, 9, 1))  # handed in: not overdue
        HazardFactory(
            school=other_school, found_at=at(9, 1), status="rectifying", deadline=D(2026, 9, 1)
        )
        today = D(2026, 10, 15)
        rows, total = hazards_overdue_top(school, limit=3, today=today)
        assert total == 4
        assert [r["pk"] for r in rows] == [h.pk for h in expected[:3]]
        assert rows[1]["department__name"] == "后勤保障科" and rows[1]["room__number"] == "305"
        assert rows[1]["responsible_person__name"] == "王师傅"
        assert [r["pk"] for r in hazards_overdue_top(school, today=today)[0]] == [
            h.pk for h in hazards_overdue(school, today)
        ]

    def test_constant_queries(self, django_assert_num_queries):
        for n in (5, 50):
            school = factories.SchoolFactory()
            departments = [factories.DepartmentFactory(school=school) for _ in range(3)]
            rooms = [factories.RoomFactory(building__school=school) for _ in range(3)]
            for i in range(n):
                closed = i % 3 == 0
                HazardFactory(
                    school=school,
                    found_at=at(9, 1 + i % 28),
                    status=HazardStatus.CLOSED if closed else HazardStatus.RECTIFYING,
                    closed_at=at(9, 1 + i % 28, 18) if closed else None,
                    category=SafetyArea.values[i % len(SafetyArea.values)],
                    level=HazardLevel.MAJOR if i % 5 == 0 else HazardLevel.GENERAL,
                    department=departments[i % 3],
                    room=rooms[i % 3],
                )
            with django_assert_num_queries(1):
                r = rectification_rate(school, *SEPTEMBER, now=NOW)
            assert r["found"] == n
            for dimension in RATE_DIMENSIONS:
                with django_assert_num_queries(1):
                    rows = rectification_by(school, *SEPTEMBER, dimension)
                assert sum(row["found"] for row in rows) == n, dimension
            with django_assert_num_queries(1):
                everything = rectification_figures(school, *AUTUMN, now=NOW)
            assert everything["totals"]["found"] == n
            with django_assert_num_queries(5):
                figures = safety_stats(school, *SEPTEMBER, now=NOW)
            assert figures["hazards"]["found"] == n


@pytest.mark.django_db
class TestInspectionFigures:
    def test_counts_per_kind(self, school, other_school):
        daily = template_with_items(school, kind=InspectionKind.DAILY)
        monthly = template_with_items(school, kind=InspectionKind.MONTHLY)

        def make(template, day, status, submitted=None):
            return InspectionFactory(
                school=school,
                template=template,
                period_start=day,
                status=status,
                started_at=at(day.month, day.day, 8) if status != "planned" else None,
                submitted_at=submitted,
            )

        make(daily, D(2026, 9, 1), InspectionStatus.SUBMITTED, at(9, 1, 17))  # on time
        make(daily, D(2026, 9, 2), InspectionStatus.SUBMITTED, at(9, 3, 8))  # late
        make(daily, D(2026, 9, 3), InspectionStatus.PLANNED)  # missed
        make(daily, D(2026, 9, 4), InspectionStatus.DRAFT)  # missed
        make(daily, D(2026, 9, 5), InspectionStatus.CANCELLED)
        make(daily, D(2026, 8, 31), InspectionStatus.PLANNED)  # outside
        InspectionFactory(
            school=school,
            template=monthly,
            period_start=D(2026, 9, 1),
            period_end=D(2026, 9, 30),
            status=InspectionStatus.PLANNED,
        )  # due at the end of September, not yet at NOW - 20 days
        InspectionFactory(school=other_school, period_start=D(2026, 9, 1))
        figures = inspection_figures(school, *SEPTEMBER, now=at(9, 20))
        assert (figures["total"], figures["submitted"], figures["on_time"]) == (5, 2, 1)
        assert (figures["missed"], figures["open"], figures["cancelled"]) == (2, 1, 1)
        assert figures["percent_done"] == Decimal("40.0")
        kinds = {k["kind"]: k for k in figures["per_kind"]}
        assert (kinds["daily"]["total"], kinds["daily"]["submitted"]) == (4, 2)
        assert (kinds["monthly"]["total"], kinds["monthly"]["open"]) == (1, 1)
        assert kinds["weekly"]["total"] == 0 and kinds["weekly"]["percent_done"] is None


@pytest.mark.django_db
class TestDrills:
    def test_the_monthly_requirement_in_term(self, school, other_school):
        factories.SemesterFactory(school=school, start_date=D(2026, 9, 1), end_date=D(2027, 1, 31))
        DrillFactory(school=school, held_on=D(2026, 9, 1), participants=1000)
        DrillFactory(
            school=school,
            held_on=D(2026, 9, 30),
            kind=DrillKind.ANTI_TERROR,
            participants=60,
            evacuation_seconds=None,
        )
        DrillFactory(school=school, held_on=D(2026, 11, 9), evacuation_seconds=150)
        DrillFactory(school=school, held_on=D(2026, 12, 2), kind=DrillKind.EARTHQUAKE)
        DrillFactory(school=school, held_on=D(2026, 8, 20))  # the holidays
        DrillFactory(school=other_school, held_on=D(2026, 10, 10))
        d = drill_months(school, D(2026, 8, 1), D(2026, 12, 31))
        months = {m["label"]: m for m in d["months"]}
        assert list(months) == ["2026-08", "2026-09", "2026-10", "2026-11", "2026-12"]
        assert (months["2026-08"]["required"], months["2026-08"]["met"]) == (False, None)
        assert months["2026-08"]["drills"] == 1
        assert months["2026-09"]["drills"] == 2 and months["2026-09"]["met"] is True
        assert months["2026-09"]["participants"] == 1060
        assert months["2026-10"]["met"] is False
        assert (d["required"], d["met"], d["missed"]) == (4, 3, [D(2026, 10, 1)])
        assert d["drills"] == 5 and d["fastest_evacuation_seconds"] == 150
        assert {k["kind"]: k["drills"] for k in d["per_kind"]} == {
            "fire_evacuation": 3,
            "anti_terror": 1,
            "earthquake": 1,
        }

    def test_without_semesters_every_month_counts(self, school):
        DrillFactory(school=school, held_on=D(2026, 7, 15))
        d = drill_months(school, D(2026, 7, 1), D(2026, 8, 31))
        assert (d["required"], d["met"], d["missed"]) == (2, 1, [D(2026, 8, 1)])

    def test_two_a_month(self, school):
        DrillFactory(school=school, held_on=D(2026, 7, 15))
        d = drill_months(school, D(2026, 7, 1), D(2026, 7, 31), per_month=2)
        assert d["met"] == 0


@pytest.mark.django_db
class TestAgreementCoverage:
    def test_coverage(self, school, other_school, make_user):
        people = [make_user(Role.STAFF, school) for _ in range(3)]
        ga = make_user(Role.GENERAL_AFFAIRS, school)
        left = make_user(Role.STAFF, school, is_active=False)
        AgreementFactory(school=school, signer=people[0], recorded_by=ga)
        AgreementFactory(school=school, signer=people[0], kind="fire", recorded_by=ga)
        AgreementFactory(school=school, signer=ga, recorded_by=ga)
        AgreementFactory(school=school, signer=people[1], year=2025, recorded_by=ga)
        AgreementFactory(school=school, signer=people[2], is_active=False, recorded_by=ga)
        AgreementFactory(school=school, signer=left, recorded_by=ga)
        AgreementFactory(school=other_school)
        c = agreement_coverage(school, 2026)
        assert (c["staff"], c["covered"], c["uncovered"]) == (4, 2, 2)
        assert c["rate"] == Decimal("50.0") and c["year_label"] == "2026~2027"
        assert set(agreements_missing(school, 2026)) == {people[1], people[2]}
        assert agreement_coverage(school, 2025)["covered"] == 1

    def test_default_year(self, school):
        assert academic_year_of(D(2026, 9, 1)) == 2026
        assert academic_year_of(D(2027, 3, 1)) == 2026
        assert agreement_coverage(school, today=D(2027, 7, 31))["year"] == 2026
        assert agreement_coverage(school, today=D(2027, 8, 1))["rate"] is None


# --- The section -----------------------------------------------------------------------


@pytest.fixture
def sections():
    """The registry holds only the safety section."""
    saved = dict(registry.sections)
    registry.sections.clear()
    registry.register_module(safety_sections)
    yield registry
    registry.sections.clear()
    registry.sections.update(saved)


def figure(response, testid):
    match = re.search(rf'data-testid="{testid}">([^<]*)<', response.content.decode())
    assert match, f"{testid} not on the page"
    return match.group(1).strip()


@pytest.mark.django_db
class TestSection:
    def test_registered_as_described(self):
        section = registry.sections["safety"]
        assert (section.key, section.template, section.permissions) == (
            "safety",
            "safety/dashboard_section.html",
            ("safety.view_hazard",),
        )
        assert section.figures is safety_stats
        with translation.override("en"):
            assert str(section.title) == "Campus safety"

    def test_on_the_dashboard(self, sections, client, school, hazards, make_user):
        AgreementFactory(school=school)
        DrillFactory(school=school, held_on=D(2026, 9, 10))
        client.force_login(make_user(Role.PRINCIPAL, school))
        response = client.get(reverse("dashboard") + "?start=2026-09-01&end=2026-09-30")
        assert response.status_code == 200
        assert b'data-section="safety"' in response.content
        assert figure(response, "safety-found") == "6"
        assert figure(response, "safety-rectified") == "3"
        assert figure(response, "safety-rate") == "50.0%"
        assert figure(response, "safety-major") == "2"
        assert figure(response, "safety-drills") == "1"
        [(section, figures)] = response.context["sections"]
        assert figures["hazards"]["rate"] == Decimal("50.0")
        assert b'data-testid="safety-per-category"' in response.content

    def test_empty_period_and_hidden_from_staff(self, sections, client, school, make_user):
        client.force_login(make_user(Role.GENERAL_AFFAIRS, school))
        response = client.get(reverse("dashboard") + "?start=2026-09-01&end=2026-09-30")
        assert figure(response, "safety-rate") == "—"
        client.force_login(make_user(Role.STAFF, school))
        response = client.get(reverse("dashboard") + "?start=2026-09-01&end=2026-09-30")
        assert b'data-section="safety"' not in response.content
