"""A status's colour is on its choice (``ColoredChoices``) and the pages show it."""

import pytest
from django.db import models
from django.template import Context, Template
from django.utils.translation import gettext_lazy as _

from logistics.common.choices import COLORS, ColoredChoices
from logistics.documents.models import DocumentStatus
from logistics.models.imports import ImportStatus
from logistics.repairs.choices import TicketStatus, Urgency
from safety.choices import HazardLevel, HazardStatus, InspectionStatus, Outcome

COLORED = [
    TicketStatus,
    Urgency,
    HazardStatus,
    HazardLevel,
    InspectionStatus,
    Outcome,
    ImportStatus,
    DocumentStatus,
]


class Light(ColoredChoices):
    RED = "red", "danger", _("Red")
    GREEN = "green", "success", _("Green")


def test_a_member_has_its_colour_and_stays_a_text_choice():
    assert Light.RED.color == "danger" and Light.GREEN.color == "success"
    assert Light.choices == [("red", "Red"), ("green", "Green")]
    assert Light.RED == "red" and Light("green") is Light.GREEN
    assert isinstance(Light.RED, str) and Light.RED.label == "Red"
    assert Light.colors() == {"red": "danger", "green": "success"}
    assert Light.color_of("green") == "success"
    assert Light.color_of("") == "secondary" and Light.color_of("blue", default="light") == "light"


def test_a_member_needs_a_bootstrap_colour():
    with pytest.raises(TypeError):

        class NoColour(ColoredChoices):
            A = "a", _("A")

    with pytest.raises(ValueError, match="not a Bootstrap colour"):

        class Typo(ColoredChoices):
            A = "a", "sucess", _("A")


@pytest.mark.parametrize("choices", COLORED, ids=lambda c: c.__name__)
def test_every_status_has_a_colour(choices):
    assert issubclass(choices, models.TextChoices)
    assert {member.color for member in choices} <= COLORS
    assert set(choices.colors()) == set(choices.values)


def test_the_known_colours():
    assert TicketStatus.ASSIGNED.color == "info"
    assert TicketStatus.CLOSED.color == "dark"
    assert HazardStatus.AWAITING_CHECK.color == "info"
    assert HazardLevel.MAJOR.color == "danger"
    assert InspectionStatus.PLANNED.color == "warning"
    assert Outcome.NOT_APPLICABLE.color == "secondary"
    assert ImportStatus.FAILED.color == "danger"
    assert DocumentStatus.RUNNING.color == "info"


def test_members_compare_in_templates():
    """Choices are not called by the template engine: a member is a context constant."""
    rendered = Template("{% if status == Status.CLOSED %}{{ Status.CLOSED.color }}{% endif %}")
    assert rendered.render(Context({"status": "closed", "Status": TicketStatus})) == "dark"


@pytest.mark.django_db
def test_ticket_badges_and_rows_take_the_choice_colour(school):
    from logistics.repairs.templatetags import ticket_rows
    from tests import factories

    ticket = factories.TicketFactory(
        school=school, status=TicketStatus.ASSIGNED, assignee=factories.technician(school)
    )
    assert ticket.status_color == "info"
    html = ticket_rows(
        [
            {
                "pk": ticket.pk,
                "is_overdue": False,
                "status": "assigned",
                "category__name": "",
                "assignee_id": None,
                "urgency": "normal",
                "created_at": ticket.created_at,
                "room__building__name": "求真楼",
                "room__number": "101",
                "trade": "plumbing",
                "requester__name": "张老师",
                "requester__username": "zhang",
            }
        ]
    )
    assert '<span class="badge text-bg-info">' in html
