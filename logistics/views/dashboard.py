"""Repair statistics and the dashboard: figures for a period, read by the selectors the
sections registered (see ``logistics.registry.Section``)."""

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _

from logistics.forms.repair_stats import resolve_period
from logistics.registry import registry
from logistics.selectors.repair_stats import REPEATED_FAULTS, repair_stats


@login_required
@permission_required("logistics.view_ticket", raise_exception=True)
def ticket_stats(request):
    school = request.user.school
    if school is None:
        raise PermissionDenied(_("Your account does not belong to a school."))
    form, period = resolve_period(school, request.GET)
    return render(
        request,
        "repairs/stats.html",
        {
            "title": _("Repair statistics"),
            "form": form,
            "period": period,
            "figures": repair_stats(school, period.start, period.end) if period else None,
            "repeated_faults": REPEATED_FAULTS,
        },
    )


@login_required
def dashboard(request):
    school = request.user.school
    context = {"title": _("Dashboard"), "school": school, "sections": [], "period": None}
    if school is None:
        # District viewers read the roll-up on their home page; a dashboard is per school.
        return render(request, "dashboard.html", context)
    visible = registry.sections_for(request.user)
    form, period = resolve_period(school, request.GET)
    context.update(form=form, period=period, has_sections=bool(visible))
    if period is not None:
        context["sections"] = [
            (section, section.figures(school, period.start, period.end)) for section in visible
        ]
    return render(request, "dashboard.html", context)
