"""The core's cards on the home page."""

from django.utils.translation import gettext_lazy as _

from logistics import selectors
from logistics.choices import Role
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
        "recent": selectors.notification_list(user)[:5],
    }


def _school(request):
    return selectors.school_overview(request.user.school)


def _district(request):
    return {"schools": selectors.district_schools(request.user)}


def _repairs_requester(request):
    from logistics.repairs.selectors import tickets as repairs

    return repairs.requester_counts(request.user)


def _repairs_technician(request):
    from logistics.repairs.selectors import tickets as repairs

    return repairs.technician_counts(request.user)


def _repairs_school(request):
    from logistics.repairs.selectors import tickets as repairs

    return repairs.school_counts(request.user.school)


def register(registry):
    registry.register_home_card(
        HomeCard(key="me", template="core/home_me.html", context=_me, order=10)
    )
    registry.register_home_card(
        HomeCard(
            key="school",
            template="core/home_school.html",
            context=_school,
            permissions=("logistics.view_building",),
            needs_school=True,
            order=20,
        )
    )
    registry.register_home_card(
        HomeCard(
            key="district",
            template="core/home_district.html",
            context=_district,
            roles=(Role.DISTRICT_VIEWER,),
            order=20,
        )
    )
    registry.register_home_card(
        HomeCard(
            key="repairs_requester",
            template="repairs/home_requester.html",
            context=_repairs_requester,
            permissions=("logistics.add_ticket",),
            needs_school=True,
            order=5,
        )
    )
    registry.register_home_card(
        HomeCard(
            key="repairs_technician",
            template="repairs/home_technician.html",
            context=_repairs_technician,
            permissions=("logistics.work_ticket",),
            needs_school=True,
            order=6,
        )
    )
    registry.register_home_card(
        HomeCard(
            key="repairs_school",
            template="repairs/home_school.html",
            context=_repairs_school,
            permissions=("logistics.view_ticket",),
            needs_school=True,
            order=7,
        )
    )
