"""The repairs' cards on the home page: the requester's tickets, the technician's queue
and the school's open work.

Their counts are kept under the school's figures stamp (``logistics.common.figures``),
which every write to a ticket raises (``logistics.repairs.services.tickets.ticket_written``)
and so do a person's trades, until the next start or finish target passes."""

from logistics.common.figures import kept_figures
from logistics.common.registry import HomeCard
from logistics.repairs.selectors.tickets import requester_counts, school_counts, technician_counts


def _requester(request):
    user = request.user
    return kept_figures(
        "repairs:requester",
        user.school,
        lambda: requester_counts(user, with_next_change=True),
        user.pk,
    )


def _technician(request):
    user = request.user
    return kept_figures(
        "repairs:technician",
        user.school,
        lambda: technician_counts(user, with_next_change=True),
        user.pk,
    )


def _school(request):
    school = request.user.school
    return kept_figures(
        "repairs:school", school, lambda: school_counts(school, with_next_change=True)
    )


home_cards = [
    HomeCard(
        key="repairs_requester",
        template="repairs/home_requester.html",
        context=_requester,
        permissions=("logistics.add_ticket",),
        needs_school=True,
        order=5,
    ),
    HomeCard(
        key="repairs_technician",
        template="repairs/home_technician.html",
        context=_technician,
        permissions=("logistics.work_ticket",),
        needs_school=True,
        order=6,
    ),
    HomeCard(
        key="repairs_school",
        template="repairs/home_school.html",
        context=_school,
        permissions=("logistics.view_ticket",),
        needs_school=True,
        order=7,
    ),
]
