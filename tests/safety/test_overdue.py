"""One overdue rule for hazards and one for inspections (``safety.overdue``): each one's
SQL form and Python form agree on a spread of records, at the edges included, and the
readers use them (the ledger's annotation, the counts of the home cards)."""

import datetime
import itertools

import pytest
from django.utils import timezone

from safety.choices import HazardStatus, InspectionStatus
from safety.models import Hazard, Inspection
from safety.overdue import (
    hazard_overdue,
    hazard_overdue_q,
    inspection_overdue,
    inspection_overdue_q,
)
from safety.selectors import hazard_list, inspection_list, inspector_counts, school_counts
from safety.selectors.stats import hazards_overdue_top
from tests.safety_factories import HazardFactory, InspectionFactory, template_with_items

DAY = datetime.timedelta(days=1)


@pytest.mark.django_db
def test_the_hazard_rules_agree(school, make_user):
    today = timezone.localdate()
    person = make_user(None, school)
    found = timezone.now() - 30 * DAY
    # Rectified and later ones always have a deadline (a constraint holds it).
    needs_deadline = {HazardStatus.RECTIFYING, HazardStatus.AWAITING_CHECK, HazardStatus.CLOSED}
    hazards = [
        HazardFactory(
            school=school,
            status=status,
            found_by=person,
            found_at=found,
            responsible_person=person,
            deadline=None if offset is None else today + offset,
        )
        for status, offset in itertools.product(
            HazardStatus.values, (None, -2 * DAY, -DAY, datetime.timedelta(0), DAY)
        )
        if offset is not None or status not in needs_deadline
    ]
    in_sql = set(Hazard.objects.filter(hazard_overdue_q(today)).values_list("pk", flat=True))
    in_python = {h.pk for h in hazards if hazard_overdue(h.status, h.deadline, today)}
    assert in_sql == in_python and 0 < len(in_sql) < len(hazards)
    listed = dict(hazard_list(person, today).values_list("pk", "is_overdue"))
    for hazard in Hazard.objects.all():
        assert hazard.is_overdue(today) is (hazard.pk in in_sql)
        assert listed[hazard.pk] is (hazard.pk in in_sql)
    assert school_counts(school)["overdue"] == len(in_sql)
    assert inspector_counts(person)["hazards_overdue"] == len(in_sql)
    # The rate page's overdue list is hand-written SQL: it must list the same hazards.
    rows, total = hazards_overdue_top(school, limit=len(hazards), today=today)
    assert total == len(in_sql) and {row["pk"] for row in rows} == in_sql


@pytest.mark.django_db
def test_the_inspection_rules_agree(school, make_user):
    now = timezone.now().replace(microsecond=0)
    inspector = make_user(None, school)
    template = template_with_items(school)
    inspections = [
        InspectionFactory(
            school=school,
            template=template,
            inspector=inspector,
            status=status,
            period_start=timezone.localdate(now) - DAY,
            period_end=timezone.localdate(now) - DAY,
            due_at=now + offset,
            started_at=None if status == InspectionStatus.PLANNED else now - DAY,
            submitted_at=now if status == InspectionStatus.SUBMITTED else None,
        )
        for status, offset in itertools.product(
            InspectionStatus.values,
            (-DAY, -datetime.timedelta(seconds=1), datetime.timedelta(0), DAY),
        )
    ]
    in_sql = set(Inspection.objects.filter(inspection_overdue_q(now)).values_list("pk", flat=True))
    in_python = {i.pk for i in inspections if inspection_overdue(i.status, i.due_at, now)}
    assert in_sql == in_python and 0 < len(in_sql) < len(inspections)
    listed = dict(inspection_list(inspector, now).values_list("pk", "is_overdue"))
    for inspection in Inspection.objects.all():
        assert inspection.is_overdue(now) is (inspection.pk in in_sql)
        assert listed[inspection.pk] is (inspection.pk in in_sql)
    assert inspector_counts(inspector, now)["inspections_overdue"] == len(in_sql)


def test_the_edges():
    today = timezone.localdate()
    assert not hazard_overdue(HazardStatus.REPORTED, today, today)  # due today: not yet
    assert hazard_overdue(HazardStatus.RECTIFYING, today - DAY, today)
    assert not hazard_overdue(HazardStatus.AWAITING_CHECK, today - DAY, today)  # handed in
    assert not hazard_overdue(HazardStatus.REPORTED, None, today)
    now = timezone.now()
    assert inspection_overdue(InspectionStatus.DRAFT, now, now)  # due now: overdue
    assert not inspection_overdue(InspectionStatus.SUBMITTED, now - DAY, now)
