"""Repair statistics and the dashboard: figures for a period, read by the selectors the
sections registered (see ``logistics.common.registry.Section``)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from logistics.common.periods import resolve_period
from logistics.common.registry import registry

# The dashboard's permission, which its menu entry names: general affairs and the
# principal, who review the school's figures.
DASHBOARD = "logistics.view_dashboard"


@login_required
def dashboard(request):
    """The sections of the school's dashboard, for those who may view it (``DASHBOARD``,
    as its menu entry); anyone else signed in gets the page without them."""
    user = request.user
    school = user.school
    context = {"title": _("Dashboard"), "school": school, "sections": [], "period": None}
    if school is None:
        # District viewers read the roll-up on their home page; a dashboard is per school.
        return render(request, "core/dashboard.html", context)
    visible = registry.sections_for(user) if user.has_perm(DASHBOARD) else []
    form, period = resolve_period(school, request.GET)
    context.update(form=form, period=period, has_sections=bool(visible))
    if period is not None:
        context["sections"] = [
            (section, section.figures(school, period.start, period.end)) for section in visible
        ]
    return render(request, "core/dashboard.html", context)


# What the page declares (``logistics.common.permissions``): its menu entry and links.
dashboard.permissions = (DASHBOARD,)
