"""The core's cards on the home page (the repairs' are ``logistics/repairs/home_cards.py``)."""

from django.utils.translation import gettext_lazy as _

from logistics import selectors
from logistics.choices import Role
from logistics.common.figures import kept_figures
from logistics.common.registry import HomeCard

ROLE_DUTIES = {
    Role.STAFF: _("File repair requests and follow them until they are done."),
    Role.TECHNICIAN: _("Work your queue of repair tickets."),
    Role.GENERAL_AFFAIRS: _("Run the school's logistics: set-up, inspections, the summary."),
    Role.SAFETY_OFFICER: _("Daily patrols, monthly checks, hazards and drills."),
    Role.CANTEEN_MANAGER: _("Morning checks, food samples, receipts and certificates."),
    Role.DORM_MANAGER: _("Daily dormitory scoring and monthly star ratings."),
    Role.PRINCIPAL: _("Dashboards, approvals and the semester summary."),
    Role.DISTRICT_VIEWER: _("Read-only overview of the schools of your district."),
}


def _me(request):
    user = request.user
    return {
        "roles": [(role.label, ROLE_DUTIES[role]) for role in user.roles],
        "recent": list(selectors.notification_list(user)[:5]),
    }


def _school(request):
    """The school's set-up counts and current semester, kept under its figures stamp
    (raised by every write to a building, room, department, person or semester)."""
    school = request.user.school

    def overview():
        figures = selectors.school_overview(school)
        del figures["school"]
        return figures, None

    return {"school": school, **kept_figures("core:school", school, overview)}


def _district(request):
    return {"schools": list(selectors.district_schools(request.user))}


home_cards = [
    HomeCard(key="me", template="core/home_me.html", context=_me, order=10),
    HomeCard(
        key="school",
        template="core/home_school.html",
        context=_school,
        permissions=("logistics.view_building",),
        needs_school=True,
        order=20,
    ),
    # The district's viewers (the only people with a district rather than a school).
    HomeCard(
        key="district",
        template="core/home_district.html",
        context=_district,
        permissions=("logistics.view_school",),
        needs_district=True,
        order=20,
    ),
]
