"""The repairs' cards on the home page: the requester's tickets, the technician's queue
and the school's open work."""

from logistics.common.registry import HomeCard
from logistics.repairs.selectors.tickets import requester_counts, school_counts, technician_counts


def _requester(request):
    return requester_counts(request.user)


def _technician(request):
    return technician_counts(request.user)


def _school(request):
    return school_counts(request.user.school)


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
