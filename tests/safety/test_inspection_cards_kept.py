"""The inspector's list keeps its cards under the school's figures stamp: each write
that changes a card shows at once, a card to do turns overdue when its time comes, and
the kept list is the list read afresh."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from logistics.choices import Role
from safety.choices import InspectionStatus
from safety.selectors import inspector_list_kept
from safety.services import checklists
from tests.safety_factories import InspectionFactory, template_with_items


@pytest.fixture
def officer(make_user, school):
    return make_user(Role.SAFETY_OFFICER, school, name="安全员老李")


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


def _cards(client):
    response = client.get("/safety/inspections/")
    assert response.status_code == 200
    return response


@pytest.mark.django_db
class TestKeptCards:
    def test_kept_cards_are_the_cards_read_afresh_and_cost_no_query(
        self, officer_client, school, officer
    ):
        today = timezone.localdate()
        InspectionFactory(
            school=school,
            inspector=officer,
            period_start=today,
            template=template_with_items(school, name="今日巡查"),
        )
        InspectionFactory(
            school=school,
            inspector=officer,
            period_start=today + datetime.timedelta(days=3),
            template=template_with_items(school, name="周巡查"),
        )
        first = _cards(officer_client)
        with CaptureQueriesContext(connection) as ctx:
            kept = _cards(officer_client)
        assert not [q for q in ctx.captured_queries if "safety_inspection" in q["sql"]]
        cache.clear()
        fresh = _cards(officer_client)
        for name in ("to_do", "upcoming", "object_list"):
            assert kept.context[name] == fresh.context[name] == first.context[name]

    def test_a_write_shows_at_once(self, officer_client, school, officer):
        today = timezone.localdate()
        template = template_with_items(school, name="日巡视")
        inspection = InspectionFactory(
            school=school, inspector=officer, period_start=today, template=template
        )
        assert "日巡视" in _cards(officer_client).content.decode()
        checklists.checklist_template_save(school=school, instance=template, name="每日巡视")
        page = _cards(officer_client)
        assert "每日巡视" in page.content.decode()
        now = timezone.now()
        inspection.status, inspection.started_at, inspection.submitted_at = (
            InspectionStatus.SUBMITTED,
            now,
            now,
        )
        inspection.save()
        page = _cards(officer_client)
        assert page.context["to_do"] == [] and [c["pk"] for c in page.context["object_list"]] == [
            inspection.pk
        ]
        other = InspectionFactory(
            school=school, inspector=officer, period_start=today, template=template
        )
        assert [c["pk"] for c in _cards(officer_client).context["to_do"]] == [other.pk]

    def test_a_card_turns_overdue_when_its_time_comes(self, school, officer):
        today = timezone.localdate()
        inspection = InspectionFactory(
            school=school,
            inspector=officer,
            period_start=today,
            template=template_with_items(school),
        )
        before = inspection.due_at - datetime.timedelta(minutes=5)
        ((card,), _, _) = inspector_list_kept(officer, before, done=0)
        assert not card["is_overdue"]
        ((card,), _, _) = inspector_list_kept(
            officer, before + datetime.timedelta(minutes=1), done=0
        )
        assert not card["is_overdue"]
        after = inspection.due_at + datetime.timedelta(seconds=1)
        ((card,), _, _) = inspector_list_kept(officer, after, done=0)
        assert card["is_overdue"]
